"""The job pattern: one row per job, idempotent runs, retries, stale re-runs and a polled progress page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prepsite import jobs, mail as site_mail
from prepsite.models import Job


def email_job(user=None):
    return site_mail.send_later(EmailMessage("Hello", "Body", "noreply@localhost", ["bob@example.com"]), user=user)


@pytest.mark.django_db(transaction=True)
def test_a_done_job_is_never_run_twice():
    job = email_job()
    jobs.run_pending()
    assert len(mail.outbox) == 1
    job.enqueue()  # a duplicate delivery of the task
    jobs.run_pending()
    job.refresh_from_db()
    assert len(mail.outbox) == 1 and job.state == Job.State.DONE and job.attempts == 1


@pytest.mark.django_db(transaction=True)
@override_settings(JOB_RETRY_DELAYS=[0, 0])
def test_failures_retry_then_record_a_readable_reason(monkeypatch):
    calls = []

    def flaky(job):
        calls.append(job.attempts)
        if len(calls) < 3:
            raise ConnectionError("mail server did not answer")

    monkeypatch.setattr(site_mail, "_send", flaky)
    job = email_job()
    jobs.run_pending()
    job.refresh_from_db()
    assert calls == [1, 2, 3] and job.state == Job.State.DONE and job.failure == ""

    calls.clear()
    monkeypatch.setattr(site_mail, "_send", lambda job: (_ for _ in ()).throw(ValueError("bad address")))
    failing = email_job()
    jobs.run_pending()
    failing.refresh_from_db()
    assert failing.state == Job.State.FAILED and failing.attempts == 3
    assert failing.failure == "ValueError: bad address"


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_runs_again():
    job = email_job()
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, attempts=1)
    assert jobs.requeue_stale() == 0  # still fresh: its worker may be alive
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert jobs.requeue_stale() == 1
    jobs.run_pending()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_requeues_stale_jobs_once(settings):
    job = email_job()
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, attempts=1,
                                         updated_at=timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER + 1))
    fresh = email_job()
    Job.objects.filter(pk=fresh.pk).update(state=Job.State.RUNNING, attempts=1)
    before = DBTaskResult.objects.count()

    jobs.watch_stale(every=0, rounds=2)  # two checks of a running worker (or two workers)
    assert DBTaskResult.objects.count() == before + 1  # enqueued once, not once per check
    assert Job.objects.get(pk=job.pk).state == Job.State.QUEUED
    assert Job.objects.get(pk=fresh.pk).state == Job.State.RUNNING  # its worker may be alive
    jobs.run_pending()
    assert Job.objects.get(pk=job.pk).state == Job.State.DONE


def test_the_stale_limit_outlasts_an_import_time_limit(settings):
    # An import's apply reports inside its transaction: a live one looks silent up to its time limit.
    assert settings.JOB_STALE_AFTER > settings.IMPORT_TIME_LIMIT


@pytest.mark.django_db
def test_progress_page_polls_until_finished(client, user, other_user):
    job = email_job(user=user)
    client.force_login(user)
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "job-progress"})
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b'hx-trigger="every 1s"' in fragment.content and b"Queued" in fragment.content
    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, failure="SMTPException: refused")
    page = client.get(job.get_absolute_url())
    assert b"<html" in page.content and b"hx-trigger" not in page.content
    assert b"Failed: SMTPException: refused" in page.content
    client.force_login(other_user)
    assert client.get(job.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(job.get_absolute_url()).status_code == 404
