"""Old links keep working: a 404 on a set, category or question path answers 301 to where it went."""

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve

from .models import Category, OldSlug, Question

# url name → the URL kwargs that make up the old path (set, category, question)
PATHS = {
    "set_detail": ("set_slug", None, None),
    "category_detail": ("set_slug", "slug", None),
    "question_detail": ("set_slug", "category_slug", "slug"),
}


class OldSlugRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return response
        names = PATHS.get(match.url_name) if match.namespace == "questions" else None
        if names is None:
            return response
        parts = [match.kwargs[name] if name else "" for name in names]
        target = moved_to(*parts)
        if target is None:
            return response
        url = target.get_absolute_url()
        if request.META.get("QUERY_STRING"):
            url += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(url)


def moved_to(set_slug: str, category_slug: str = "", question_slug: str = ""):
    """The object an old path names: recorded itself, or under a parent that was renamed."""
    target = OldSlug.objects.target_of(set_slug, category_slug, question_slug)
    if target is not None or not category_slug:
        return target
    if not question_slug:
        question_set = OldSlug.objects.target_of(set_slug)
        return question_set and Category.objects.filter(question_set=question_set, slug=category_slug).first()
    category = (Category.objects.filter(question_set__slug=set_slug, slug=category_slug).first()
                or moved_to(set_slug, category_slug))
    return category and Question.objects.listed().filter(category=category, slug=question_slug).first()
