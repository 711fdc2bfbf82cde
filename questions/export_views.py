"""The public exports: the same content the set's page shows, as Markdown or an Anki deck.

The Anki deck of a set larger than settings.EXPORT_JOB_THRESHOLD is built by a job and kept until the
set changes; a POST to its URL starts the build, which the URL then shows (status 202) until the file is
ready, then serves it.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect
from django_tasks import task

from prepsite import jobs
from prepsite.htmx import for_htmx, wants_fragment
from prepsite.models import Job

from . import exporters
from .export_files import AnkiExport
from .models import Category, Question, QuestionSet


def _export_set(set_slug: str) -> QuestionSet:
    questions = Question.objects.listed().prefetch_related("examples", "authored_items")
    categories = Category.objects.prefetch_related(Prefetch("questions", queryset=questions))
    return get_object_or_404(
        QuestionSet.objects.prefetch_related(Prefetch("categories", queryset=categories)), slug=set_slug
    )


def _download(data: bytes, question_set: QuestionSet) -> HttpResponse:
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{question_set.slug}.apkg"'
    return response


@require_GET
def export_markdown(request: HttpRequest, set_slug: str) -> HttpResponse:
    question_set = _export_set(set_slug)
    response = HttpResponse(exporters.to_markdown(question_set), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{question_set.slug}.md"'
    return response


def set_version(set_slug: str) -> tuple[int, str]:
    """(listed questions, a key that changes whenever the set or one of its questions does), in one query."""
    stats = Question.objects.filter(category__question_set__slug=set_slug).aggregate(
        listed=Count("pk", filter=Q(archived=False)), rows=Count("pk"), latest=Max("updated_at"),
        set_latest=Max("category__question_set__updated_at"))
    latest = max(filter(None, [stats["latest"], stats["set_latest"]]), default=None)
    return stats["listed"], f"{latest.isoformat() if latest else ''}/{stats['rows']}/{stats['listed']}"


@require_http_methods(["GET", "POST"])
@for_htmx("export-progress", use_partial="export-progress")
def export_anki(request: HttpRequest, set_slug: str) -> HttpResponse:
    """GET downloads the deck, or shows its build; the POST that starts (or retries) a build is the one write."""
    listed, version = set_version(set_slug)
    if listed <= settings.EXPORT_JOB_THRESHOLD:
        question_set = _export_set(set_slug)
        return _download(exporters.to_apkg(question_set), question_set)
    question_set = get_object_or_404(QuestionSet, slug=set_slug)
    if request.method == "POST":
        _deck_of(question_set, version, retry=True)
        return redirect(request.path)
    export = (AnkiExport.objects.select_related("job").defer("data")
              .filter(question_set=question_set, version=version).first())
    if export is not None and export.size:
        if wants_fragment(request, "export-progress"):
            return HttpResponseClientRedirect(request.path)  # ready: the browser downloads it
        return _download(bytes(AnkiExport.objects.values_list("data", flat=True).get(pk=export.pk)), question_set)
    return TemplateResponse(request, "questions/export_progress.html", {
        "question_set": question_set, "job": export and export.job, "listed": listed}, status=202)


def _deck_of(question_set: QuestionSet, version: str, retry: bool = False) -> AnkiExport:
    """The deck of this version of the set: built, being built, failed, or started now (once for all visitors)."""
    with transaction.atomic():
        QuestionSet.objects.select_for_update().filter(pk=question_set.pk).first()  # one starter at a time
        export = (AnkiExport.objects.select_related("job").defer("data")
                  .filter(question_set=question_set, version=version).first())
        if export is not None and (export.size or (export.job_id and (not retry or export.job.state != Job.State.FAILED))):
            return export
        AnkiExport.objects.filter(question_set=question_set).delete()  # older versions, or a failed build
        job = Job.start(build_anki_export, kind="export", payload={"set": question_set.pk, "version": version})
        return AnkiExport.objects.create(question_set=question_set, version=version, job=job)


@task()
def build_anki_export(job_id: str) -> str:
    return jobs.run(job_id, _build)


def _build(job: Job) -> None:
    export = AnkiExport.objects.filter(job=job).only("pk").first()
    if export is None or AnkiExport.objects.filter(pk=export.pk, size__gt=0).exists():
        return  # replaced by a newer version, or built by an earlier run
    job.report(5, "Reading the set")
    question_set = _export_set(QuestionSet.objects.values_list("slug", flat=True).get(pk=job.payload["set"]))
    data = exporters.to_apkg(question_set, progress=lambda done, total: job.report(
        10 + 80 * done // max(total, 1), f"Added {done} of {total} questions to the deck"))
    job.report(95, "Saving the deck")
    AnkiExport.objects.filter(pk=export.pk).update(data=data, size=len(data))
