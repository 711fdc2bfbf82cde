"""The admin import pages: upload → preview → apply or cancel, and the history."""

from __future__ import annotations

from functools import wraps

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from prepsite.forms import whole_number
from prepsite.htmx import for_htmx, wants_fragment

from .import_forms import UploadForm
from .import_records import ImportRecord
from .imports import ImportNotPending, cancel_record, create_record, grouped_changes, start_apply
from .models import QuestionSet

IMPORT_PERMISSION = "questions.import_questionset"


def import_permission_required(view):
    """Staff with the import permission; others go to the admin login (anonymous, not staff) or get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied("You need the “Can import question sets from Markdown” permission.")
        return view(request, *args, **kwargs)

    return wrapped


def _context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "opts": ImportRecord._meta, **extra}


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@import_permission_required
@require_http_methods(["GET", "POST"])
@for_htmx("upload-form", use_partial="upload-form")
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
    else:
        form = UploadForm(initial={"replaces": request.GET.get("set") or None})
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        record = create_record(form.data_bytes, upload.name, request.user, form.cleaned_data["replaces"],
                               base_url=form.cleaned_data["base_url"])
        return _redirect(request, record.get_absolute_url())
    status = 422 if form.is_bound and form.errors else 200
    recent = ImportRecord.objects.select_related("uploaded_by", "question_set").defer("data", "report")[:5]
    return TemplateResponse(
        request, "questions/imports/upload.html",
        _context(request, "Import a question set", form=form, recent=recent), status=status,
    )


@import_permission_required
@require_GET
@for_htmx("import-progress", use_partial="import-progress")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress while it parses or applies, then the stored report; nothing is parsed here."""
    record = get_object_or_404(
        ImportRecord.objects.select_related("uploaded_by", "target", "question_set", "job"), pk=pk
    )
    working = record.job is not None and not record.job.finished
    if not working and wants_fragment(request, "import-progress"):
        return HttpResponseClientRefresh()  # done: the whole page changes, from progress to the report
    report = record.report
    return TemplateResponse(
        request,
        "questions/imports/detail.html",
        _context(request, f"Import of {record.file_name}", record=record, report=report, working=working,
                 groups=grouped_changes(report)),
    )


@import_permission_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ImportRecord, pk=pk)
    try:
        start_apply(record, request.user)
    except ImportNotPending as exc:
        messages.error(request, f"Nothing was changed: {exc}.")
    else:
        messages.info(request, f"Applying “{record.set_title}” in one transaction; progress shows below.")
    return _redirect(request, record.get_absolute_url())


@import_permission_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ImportRecord, pk=pk)
    try:
        cancel_record(record.pk)
    except ImportNotPending as exc:
        messages.error(request, f"Nothing was changed: {exc}.")
    else:
        messages.info(request, f"Import of {record.file_name} cancelled; nothing was changed.")
    return _redirect(request, reverse("imports:import_history"))


@import_permission_required
@require_GET
def import_history(request: HttpRequest) -> HttpResponse:
    records = ImportRecord.objects.select_related("uploaded_by", "question_set", "target").defer("data", "report")
    question_set = None
    set_id = request.GET.get("set", "")
    if set_id:
        number = whole_number(set_id)
        if number is None:
            return HttpResponseBadRequest("The set filter must be a set id.")
        question_set = get_object_or_404(QuestionSet, pk=number)
        records = records.filter(question_set=question_set)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "questions/imports/history.html",
        _context(request, "Import history", page=page, question_set=question_set),
    )


@import_permission_required
@require_GET
def import_source(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ImportRecord, pk=pk)
    response = HttpResponse(bytes(record.data), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(record.file_name)}"'
    return response


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "questions.md"
