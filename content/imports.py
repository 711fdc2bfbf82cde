"""The admin import workflow: upload → preview (dry run) → apply or cancel, over stored bytes.

The management command and this module share content.parser and content.importer.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from questions.models import QuestionSet

from .document import Document
from .importer import ImportReport, apply, content_hash
from .models import ImportRecord
from .parser import parse

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
    }


def _store(record: ImportRecord, document: Document, report: ImportReport) -> None:
    record.set_title = document.title[:300]
    record.layout = report.layout
    record.created, record.updated = report.created, report.updated
    record.unchanged, record.archived = report.unchanged, report.archived
    record.warning_count = len(report.warnings)
    record.report = report_json(report)


def create_record(data: bytes, file_name: str, user, target: QuestionSet | None = None) -> ImportRecord:
    """Parse and dry-run an upload, and keep it for review; raises ParseError and writes nothing."""
    document = parse(data, file_name)
    report = apply(document, target=target, source_hash=content_hash(data), dry_run=True)
    record = ImportRecord(
        file_name=file_name[:255],
        data=data,
        sha256=content_hash(data),
        size=len(data),
        uploaded_by=user if user is not None and user.is_authenticated else None,
        target=target,
    )
    _store(record, document, report)
    record.save()
    return record


def preview(record: ImportRecord) -> tuple[Document, ImportReport]:
    """What applying the record would do now (the database may have moved on since the upload)."""
    document = parse(bytes(record.data), record.file_name)
    report = apply(document, target=record.target, source_hash=record.sha256, dry_run=True)
    return document, report


def apply_record(record_id: int) -> ImportRecord:
    """Apply a pending record in one transaction; raises ImportNotPending when it is not pending."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record_id)
        if record.status != ImportRecord.Status.PENDING:
            raise ImportNotPending(f"this import was already {record.get_status_display()}")
        document = parse(bytes(record.data), record.file_name)
        report = apply(document, target=record.target, source_hash=record.sha256)
        _store(record, document, report)
        record.status = ImportRecord.Status.APPLIED
        record.applied_at = timezone.now()
        record.question_set_id = report.question_set_id
        record.save()
    return record


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
