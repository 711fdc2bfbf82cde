"""Running a Job's work inside a task: idempotent, retried with back-off, failures kept in words.

A task is a module-level `@task()` function taking the job id and calling `run(job_id, work)`;
`work(job)` does the job and may call `job.report(percent, stage)`. A job that is done is never
run again, so a task enqueued twice, or re-enqueued after a worker died, is harmless.
"""

import logging
import os
import sys
import threading
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from .models import Job

logger = logging.getLogger(__name__)


class Failed(Exception):
    """A failure that another attempt cannot fix (bad input, a time limit): recorded, never retried."""


def run(job_id: str, work) -> str:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return job.state if job else "missing"
        Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, attempts=F("attempts") + 1,
                                             updated_at=timezone.now())
    job.refresh_from_db()
    try:
        work(job)
    except Failed as exc:
        logger.warning("Job %s (%s) failed: %s", job.pk, job.kind, exc)
        Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, failure=str(exc)[:2000], updated_at=timezone.now())
        return Job.State.FAILED
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        delays = settings.JOB_RETRY_DELAYS
        if job.attempts <= len(delays):
            delay = delays[job.attempts - 1]
            logger.warning("Job %s (%s) attempt %s failed, retrying in %ss: %s", job.pk, job.kind, job.attempts,
                           delay, reason)
            Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, failure=reason, updated_at=timezone.now())
            job.enqueue(delay=delay)
            return Job.State.QUEUED
        logger.error("Job %s (%s) failed after %s attempts: %s", job.pk, job.kind, job.attempts, reason)
        Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, failure=reason, updated_at=timezone.now())
        return Job.State.FAILED
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, progress=100, failure="", updated_at=timezone.now())
    return Job.State.DONE


def requeue_stale(now=None) -> int:
    """Enqueue again the jobs whose worker died mid-run (the work is idempotent).

    The state change is conditional, so two workers checking at once enqueue a job once."""
    count = 0
    for job in Job.objects.stale(now):
        if Job.objects.stale(now).filter(pk=job.pk).update(state=Job.State.QUEUED, updated_at=timezone.now()):
            job.enqueue()
            count += 1
    return count


def watch_stale(every: float | None = None, rounds: int | None = None) -> None:
    """Requeue stale jobs every `every` seconds (a quarter of JOB_STALE_AFTER), for a running worker:
    a job whose worker died runs again without waiting for a worker to start."""
    every = settings.JOB_STALE_AFTER / 4 if every is None else every
    done = 0
    while rounds is None or done < rounds:
        time.sleep(every)
        close_old_connections()
        try:
            requeue_stale()
        except DatabaseError:
            logger.exception("Could not requeue stale jobs; trying again in %ss", every)
        done += 1


def start_watching_stale() -> threading.Thread:
    thread = threading.Thread(target=watch_stale, name="stale-jobs", daemon=True)
    thread.start()
    return thread


def run_pending(backend="default") -> None:
    """Run every due task now, in this process (tests, and `manage.py db_worker --batch` does the same)."""
    Worker(queue_names=["*"], interval=0, batch=True, backend_name=backend, startup_delay=False, max_tasks=None,
           worker_id="inline", excluded_queue_names=[]).run()


def start_worker_inside_runserver() -> None:
    """`manage.py runserver` alone runs jobs: a worker thread in the serving process (not the reloader)."""
    if "runserver" not in sys.argv or os.environ.get("DJANGO_TASKS_WORKER") == "external":
        return
    if os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv:
        return
    worker = Worker(queue_names=["*"], interval=1, batch=False, backend_name="default", startup_delay=True,
                    max_tasks=None, worker_id="runserver", excluded_queue_names=[])
    threading.Thread(target=worker.run, name="tasks-worker", daemon=True).start()
    start_watching_stale()
