"""Old links keep working: a 404 on a set, category or question path answers 301 to where it went."""

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve

from .models import OldSlug

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
        target = OldSlug.objects.target_of(*parts)
        if target is None:
            return response
        url = target.get_absolute_url()
        if request.META.get("QUERY_STRING"):
            url += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(url)
