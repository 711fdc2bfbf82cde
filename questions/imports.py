"""The admin import workflow: upload → preview (dry run) → apply or cancel, over stored bytes.

An upload is parsed and dry-run once; its report is stored, so viewing a preview parses nothing.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from content.document import Document

from .import_records import ImportRecord
from .importing import ImportReport, content_hash, parse_document
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
    data: bytes, file_name: str, user, target: QuestionSet | None = None, base_url: str = ""
) -> ImportRecord:
    """Parse and dry-run an upload, and keep it with its report; raises ParseError and writes nothing."""
    document = parse_document(data, file_name, base_url)
    report = QuestionSet.objects.sync(document, target=target, source_hash=content_hash(data), dry_run=True)
    record = ImportRecord(
        file_name=file_name[:255],
        data=data,
        sha256=content_hash(data),
        size=len(data),
        uploaded_by=user if user is not None and user.is_authenticated else None,
        target=target,
        base_url=base_url[:500],
    )
    _store(record, document, report)
    record.save()
    return record


def apply_record(record_id: int) -> ImportRecord:
    """Apply a pending record in one transaction; raises ImportNotPending when it is not pending."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record_id)
        if record.status != ImportRecord.Status.PENDING:
            raise ImportNotPending(f"this import was already {record.get_status_display()}")
        document = parse_document(bytes(record.data), record.file_name, record.base_url)
        report = QuestionSet.objects.sync(document, target=record.target, source_hash=record.sha256)
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
