"""Import parse and apply as jobs: progress on the detail page, time limit, re-runs after a worker died."""

from datetime import timedelta
from itertools import count
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from prepsite import jobs
from prepsite.jobs import run_pending
from prepsite.models import Job
from questions import importing, imports
from questions.import_records import ImportRecord
from questions.models import Question, QuestionSet

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = "# Small set\n\n## Basics\n\n### 1. What is a view?\nA callable.\n\n### 2. What is a model?\nA class.\n"
POLL = {"HX-Request": "true", "HX-Target": "import-progress"}


def upload(client, data: bytes = SMALL.encode(), name="small.md"):
    client.post(reverse("imports:import_upload"), {"file": SimpleUploadedFile(name, data)})
    return ImportRecord.objects.get()


def test_upload_keeps_the_bytes_at_once_and_the_page_polls_the_parse(importer_client, django_assert_max_num_queries):
    record = upload(importer_client)
    assert record.status == "parsing" and bytes(record.data) == SMALL.encode() and record.job.kind == "import"
    with django_assert_max_num_queries(6):
        page = importer_client.get(record.get_absolute_url()).content.decode()
    assert 'id="import-progress"' in page and 'hx-trigger="every 1s"' in page
    assert "reload it" in page and 'id="apply-import"' not in page and 'id="import-summary"' not in page
    fragment = importer_client.get(record.get_absolute_url(), headers=POLL)
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b'id="import-progress"' in fragment.content

    run_pending()
    record.refresh_from_db()
    record.job.refresh_from_db()
    assert record.status == "pending" and record.created == 2
    assert record.job.state == "done" and record.job.progress == 100
    done = importer_client.get(record.get_absolute_url(), headers=POLL)
    assert done.headers["HX-Refresh"] == "true"  # the page turns from progress into the preview
    page = importer_client.get(record.get_absolute_url()).content.decode()
    assert "2 created, 0 updated" in page and 'id="import-progress"' not in page and 'id="apply-import"' in page


def test_progress_is_reported_at_real_stages(importer_client, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 1)
    stages = []
    real_report = Job.report
    monkeypatch.setattr(Job, "report", lambda job, percent, stage="": (stages.append((percent, stage)),
                                                                         real_report(job, percent, stage)))
    upload(importer_client)
    run_pending()
    names = [stage for _, stage in stages]
    assert names[:3] == [f"Parsing small.md ({len(SMALL.encode())} bytes)", "Parsed 2 questions", "Rendered 1 of 2 questions"]
    assert "Compared 1 of 2 questions" in names
    assert [p for p, _ in stages] == sorted(p for p, _ in stages)
    stages.clear()
    importer_client.post(reverse("imports:import_apply", args=[ImportRecord.objects.get().pk]))
    run_pending()
    assert "Written 1 of 2 questions" in [stage for _, stage in stages] and Question.objects.count() == 2


def test_a_parse_past_the_time_limit_fails_with_its_reason(importer_client, settings):
    settings.IMPORT_TIME_LIMIT = 0
    with mock.patch.object(imports, "monotonic", side_effect=count()):
        record = upload(importer_client)
        run_pending()
    record.refresh_from_db()
    assert record.status == "failed" and "time limit (0 s)" in record.failure and "Parsing small.md" in record.failure
    record.job.refresh_from_db()
    assert record.job.state == "failed" and record.job.attempts == 1
    assert not QuestionSet.objects.exists()


def test_an_apply_past_the_time_limit_writes_nothing(importer_client, settings, monkeypatch):
    record = upload(importer_client)
    run_pending()
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 1)
    # Each check reads the clock once: parsing, parsed, rendered 1 and 2, then "Written 1 of 2" is past 4.5 s.
    settings.IMPORT_TIME_LIMIT = 4.5
    with mock.patch.object(imports, "monotonic", side_effect=count(1)):
        importer_client.post(reverse("imports:import_apply", args=[record.pk]))
        run_pending()
    record.refresh_from_db()
    record.job.refresh_from_db()
    assert record.status == "pending" and record.job.kind == "import-apply" and record.job.state == "failed"
    assert "“Written 1 of 2 questions”; nothing was written" in record.job.failure
    assert not QuestionSet.objects.exists() and not Question.objects.exists()
    page = importer_client.get(record.get_absolute_url()).content.decode()
    assert "Applying failed; nothing was changed" in page and 'id="apply-import"' in page  # may be tried again


def test_a_parse_whose_worker_died_runs_again_idempotently(importer_client):
    record = upload(importer_client)
    stale = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=record.job_id).update(state=Job.State.RUNNING, attempts=1, updated_at=stale)
    assert jobs.requeue_stale() == 1
    run_pending()
    record.refresh_from_db()
    assert record.status == "pending" and record.created == 2 and record.job.state == "done"

    # Died after storing the report, before the job was marked done: the re-run parses nothing.
    Job.objects.filter(pk=record.job_id).update(state=Job.State.RUNNING, updated_at=stale)
    with mock.patch("questions.imports.parse_document", wraps=importing.parse_document) as parsed:
        assert jobs.requeue_stale() == 1
        run_pending()
    assert parsed.call_count == 0
    record.refresh_from_db()
    assert record.status == "pending" and record.created == 2 and record.job.state == "done"


def test_apply_runs_once_however_often_it_is_posted_or_enqueued(importer_client):
    record = upload(importer_client)
    run_pending()
    apply_url = reverse("imports:import_apply", args=[record.pk])
    importer_client.post(apply_url)
    importer_client.post(apply_url)  # a double click while the job waits: the same job
    assert Job.objects.filter(kind="import-apply").count() == 1
    run_pending()
    record.refresh_from_db()
    assert record.status == "applied" and Question.objects.count() == 2
    applied_at = record.applied_at
    record.job.enqueue()  # a duplicate delivery
    Job.objects.filter(pk=record.job_id).update(state=Job.State.QUEUED)  # even if the row says it never finished
    run_pending()
    record.refresh_from_db()
    assert record.applied_at == applied_at and Question.objects.count() == 2 and QuestionSet.objects.count() == 1


def test_only_the_importer_and_staff_see_an_import_job(importer_client, importer, client, user):
    record = upload(importer_client)
    assert importer_client.get(record.job.get_absolute_url()).status_code == 200
    client.force_login(user)
    assert client.get(record.job.get_absolute_url()).status_code == 404
    assert client.get(record.get_absolute_url()).status_code == 302  # to the admin login
