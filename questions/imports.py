"""The admin import workflow: upload → preview (dry run) → apply or cancel, over stored bytes.

An upload is kept at once and parsed and dry-run once, by a job; its report is stored, so viewing a
preview parses nothing. Apply is a job too, one transaction, bounded by settings.IMPORT_TIME_LIMIT.
"""

from __future__ import annotations

import difflib
from time import monotonic
from dataclasses import asdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from content.document import Document
from content.parser import ParseError
from prepsite import jobs
from prepsite.models import Job

from .import_records import ImportRecord
from .importing import ImportReport, content_hash, parse_document, render_all
from .models import QuestionSet

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ImportNotPending(Exception):
    """The record was already applied or cancelled."""


def report_json(report: ImportReport) -> dict:
    changes = []
    for change in report.changes:
        row = asdict(change)
        if change.status != "updated":  # only updates need both sides, for the diff
            row.pop("old_answer")
            row.pop("new_answer")
        changes.append(row)
    return {
        "set_title": report.set_title,
        "set_slug": report.set_slug,
        "layout": report.layout,
        "summary": report.summary(),
        "changes": changes,
        "warnings": [{"line": w.line, "message": w.message} for w in report.warnings],
        "source_url": report.source_url,
        "license": report.license,
    }


def _store(record: ImportRecord, document: Document, report: ImportReport) -> None:
    record.set_title = document.title[:300]
    record.layout = report.layout
    record.created, record.updated = report.created, report.updated
    record.unchanged, record.archived = report.unchanged, report.archived
    record.warning_count = len(report.warnings)
    record.report = report_json(report)


def create_record(
    data: bytes, file_name: str, user, target: QuestionSet | None = None, base_url: str = "",
    *, background: bool = True,
) -> ImportRecord:
    """Keep an upload at once, in the parsing state; a job (or, without `background`, this call) previews it."""
    user = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        record = ImportRecord.objects.create(
            file_name=file_name[:255], data=data, sha256=content_hash(data), size=len(data), uploaded_by=user,
            target=target, base_url=base_url[:500], status=ImportRecord.Status.PARSING,
        )
        if background:
            record.job = Job.start(preview_import, kind="import", payload={"record": record.pk}, user=user)
            record.save(update_fields=["job"])
    if not background:
        preview_record(record.pk)
        record.refresh_from_db()
    return record


class Deadline:
    """The import's time limit, checked between stages and questions: the work stops, never half-written."""

    def __init__(self, job: Job | None = None, seconds: float | None = None):
        self.job = job
        self.seconds = settings.IMPORT_TIME_LIMIT if seconds is None else seconds
        self.ends = monotonic() + self.seconds

    def step(self, percent: int, stage: str) -> None:
        if monotonic() > self.ends:
            raise jobs.Failed(f"Stopped by the import time limit ({self.seconds:g} s) at “{stage}”; nothing was "
                              "written. Split the file, or raise IMPORT_TIME_LIMIT.")
        if self.job is not None:
            self.job.report(percent, stage)

    def stage(self, low: int, high: int, verb: str):
        """A progress(done, total) callback spreading `verb n of N questions` over low..high percent."""
        return lambda done, total: self.step(low + (high - low) * done // max(total, 1),
                                             f"{verb} {done} of {total} questions")


def _parse(record: ImportRecord, clock: Deadline) -> tuple[Document, dict]:
    clock.step(2, f"Parsing {record.file_name} ({record.size} bytes)")
    document = parse_document(bytes(record.data), record.file_name, record.base_url)
    clock.step(10, f"Parsed {len(document.questions)} questions")
    return document, render_all(document, progress=clock.stage(10, 70, "Rendered"))


def preview_record(record_id: int, job: Job | None = None) -> None:
    """Parse and dry-run a record in the parsing state: pending with its report, or failed naming the line."""
    record = ImportRecord.objects.get(pk=record_id)
    if record.status != ImportRecord.Status.PARSING:
        return  # done by an earlier run
    clock = Deadline(job)
    try:
        document, rendered = _parse(record, clock)
        report = QuestionSet.objects.sync(document, target=record.target, source_hash=record.sha256, dry_run=True,
                                          rendered=rendered, progress=clock.stage(70, 95, "Compared"))
    except ParseError as exc:
        _fail(record, parse_error_message(exc))
        raise jobs.Failed(record.failure) from exc
    except RecursionError as exc:
        _fail(record, "The document is nested too deeply to import.")
        raise jobs.Failed(record.failure) from exc
    except jobs.Failed as exc:
        _fail(record, str(exc))
        raise
    _store(record, document, report)
    record.status = ImportRecord.Status.PENDING
    ImportRecord.objects.filter(pk=record.pk, status=ImportRecord.Status.PARSING).update(
        status=record.status, report=record.report, set_title=record.set_title, layout=record.layout,
        created=record.created, updated=record.updated, unchanged=record.unchanged, archived=record.archived,
        warning_count=record.warning_count, failure="",
    )


def parse_error_message(exc: ParseError) -> str:
    from .import_forms import parse_error_message as message  # the form module imports this one

    return message(exc)


def _fail(record: ImportRecord, reason: str) -> None:
    ImportRecord.objects.filter(pk=record.pk, status=ImportRecord.Status.PARSING).update(
        status=ImportRecord.Status.FAILED, failure=reason[:2000])
    record.status, record.failure = ImportRecord.Status.FAILED, reason


def start_apply(record: ImportRecord, user) -> Job:
    """The apply job of a pending record: the one already under way, or a new one."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update(of=("self",)).select_related("job").get(pk=record.pk)
        if record.status != ImportRecord.Status.PENDING:
            raise ImportNotPending(f"this import was already {record.get_status_display()}")
        if record.job is not None and record.job.kind == "import-apply" and not record.job.finished:
            return record.job
        record.job = Job.start(apply_import, kind="import-apply", payload={"record": record.pk}, user=user)
        record.save(update_fields=["job"])
    return record.job


def apply_record(record_id: int, job: Job | None = None) -> ImportRecord:
    """Apply a pending record in one transaction; raises ImportNotPending when it is not pending.

    Parsing and rendering happen before the transaction; the time limit is checked up to the commit.
    """
    record = ImportRecord.objects.get(pk=record_id)
    if record.status != ImportRecord.Status.PENDING:
        raise ImportNotPending(f"this import was already {record.get_status_display()}")
    clock = Deadline(job)
    document, rendered = _parse(record, clock)
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record_id)
        if record.status != ImportRecord.Status.PENDING:
            raise ImportNotPending(f"this import was already {record.get_status_display()}")
        report = QuestionSet.objects.sync(document, target=record.target, source_hash=record.sha256,
                                          rendered=rendered, progress=clock.stage(70, 95, "Written"))
        clock.step(97, "Saving the report")
        _store(record, document, report)
        record.status = ImportRecord.Status.APPLIED
        record.applied_at = timezone.now()
        record.question_set_id = report.question_set_id
        record.save()
    return record


@task()
def preview_import(job_id: str) -> str:
    return jobs.run(job_id, lambda job: preview_record(job.payload["record"], job))


@task()
def apply_import(job_id: str) -> str:
    return jobs.run(job_id, _apply)


def _apply(job: Job) -> None:
    try:
        apply_record(job.payload["record"], job)
    except ImportNotPending:
        pass  # applied (or cancelled) already: a second run changes nothing
    except ParseError as exc:
        raise jobs.Failed(parse_error_message(exc)) from exc


def cancel_record(record_id: int) -> ImportRecord:
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record_id)
        if record.status != ImportRecord.Status.PENDING:
            raise ImportNotPending(f"this import was already {record.get_status_display()}")
        record.status = ImportRecord.Status.CANCELLED
        record.save(update_fields=["status"])
    return record


def answer_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs of a unified diff: kind is add, remove, hunk or context."""
    rows = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "context")
        rows.append((kind, line))
    return rows


def grouped_changes(report: dict) -> list[dict]:
    """Per category (in document order), a report's changes by status, with a diff for each update."""
    groups: dict[str, dict] = {}
    for change in report.get("changes", []):
        group = groups.setdefault(
            change["category"],
            {"category": change["category"], "created": [], "updated": [], "unchanged": [], "archived": []},
        )
        entry = dict(change)
        if change["status"] == "updated":
            entry["diff"] = answer_diff(change.get("old_answer", ""), change.get("new_answer", ""))
        group[change["status"]].append(entry)
    return list(groups.values())
