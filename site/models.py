"""Background jobs as rows: state, progress and a readable failure reason, shown on the page."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string


class JobQuerySet(models.QuerySet):
    def stale(self, now=None):
        """Running rows whose worker stopped reporting (killed, or the machine went away)."""
        now = now or timezone.now()
        return self.filter(state=Job.State.RUNNING, updated_at__lt=now - timedelta(seconds=settings.JOB_STALE_AFTER))


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    task_path = models.CharField(max_length=200, help_text="The task that runs this job, enqueued again on retry.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=200, blank=True)
    failure = models.TextField(blank=True, help_text="Why the last attempt failed, in words.")
    attempts = models.PositiveSmallIntegerField(default=0)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} job {self.pk} ({self.state})"

    def get_absolute_url(self):
        return reverse("job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @classmethod
    def start(cls, task, *, kind, payload, user=None) -> "Job":
        """Create the row and enqueue its task once the surrounding transaction commits."""
        job = cls.objects.create(kind=kind, task_path=task.module_path, payload=payload, user=user)
        transaction.on_commit(job.enqueue)
        return job

    def enqueue(self, delay: float = 0) -> None:
        task = import_string(self.task_path)
        if delay:
            task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
        task.enqueue(str(self.pk))

    def report(self, progress: int, stage: str = "") -> None:
        """Record progress from inside the job; also the heartbeat that keeps it from looking stale."""
        self.progress, self.stage = max(0, min(100, progress)), stage
        Job.objects.filter(pk=self.pk).update(progress=self.progress, stage=stage, updated_at=timezone.now())
