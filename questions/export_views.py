"""The public exports: the same content the set's page shows, as Markdown or an Anki deck."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from . import exporters
from .models import Category, Question, QuestionSet


def _export_set(set_slug: str) -> QuestionSet:
    questions = Question.objects.listed().prefetch_related("examples", "authored_items")
    categories = Category.objects.prefetch_related(Prefetch("questions", queryset=questions))
    return get_object_or_404(
        QuestionSet.objects.prefetch_related(Prefetch("categories", queryset=categories)), slug=set_slug
    )


@require_GET
def export_markdown(request: HttpRequest, set_slug: str) -> HttpResponse:
    question_set = _export_set(set_slug)
    response = HttpResponse(exporters.to_markdown(question_set), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{question_set.slug}.md"'
    return response


@require_GET
def export_anki(request: HttpRequest, set_slug: str) -> HttpResponse:
    question_set = _export_set(set_slug)
    response = HttpResponse(exporters.to_apkg(question_set), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{question_set.slug}.apkg"'
    return response
