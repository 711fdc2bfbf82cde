"""Quiz attempts: what was asked (a JSON snapshot per item), what was answered, and when.

The snapshot keeps the prompt, the shuffled choices, the key and the explanation as they
were when the quiz started, so a review still shows the same items after a re-import.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from questions.models import Question, QuestionSet

KIND_LABELS = {
    "code_question": "Which question does this code answer?",
    "cloze": "Code cloze",
    "key_point": "Key point",
    "authored": "Multiple choice",
    "recall": "Self-graded recall",
}
KINDS = list(KIND_LABELS)


class AttemptQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def finished(self):
        return self.filter(finished_at__isnull=False)

    def expired(self, now=None):
        return self.filter(finished_at__isnull=True, deadline__lte=now or timezone.now())


class Attempt(models.Model):
    FEEDBACK_IMMEDIATE = "immediate"
    FEEDBACK_END = "end"
    FEEDBACK_CHOICES = [(FEEDBACK_IMMEDIATE, "After each answer"), (FEEDBACK_END, "Only at the end")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    question_set = models.ForeignKey(QuestionSet, null=True, on_delete=models.SET_NULL, related_name="+")
    set_title = models.CharField(max_length=300)
    title = models.CharField(max_length=200, help_text="Preset name or a short description.")
    seed = models.BigIntegerField()
    # The form's choices, so "retry" and reproducing the generation need nothing else.
    config = models.JSONField(default=dict)
    feedback = models.CharField(max_length=12, choices=FEEDBACK_CHOICES, default=FEEDBACK_IMMEDIATE)
    seconds_per_item = models.PositiveIntegerField(default=60)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finish_reason = models.CharField(max_length=20, blank=True)  # completed | submitted | timeout
    # Filled when the attempt is finalized; auto-graded and self-graded items are scored apart.
    auto_total = models.PositiveIntegerField(default=0)
    auto_correct = models.PositiveIntegerField(default=0)
    recall_total = models.PositiveIntegerField(default=0)
    recall_correct = models.PositiveIntegerField(default=0)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["user", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.title} · {self.set_title} · {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        if self.finished_at:
            return reverse("quizzes:result", args=[self.pk])
        return reverse("quizzes:play", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def remaining(self, now=None) -> timedelta:
        return max(self.deadline - (now or timezone.now()), timedelta(0))

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.deadline

    @property
    def time_limit(self) -> timedelta:
        return self.deadline - self.started_at

    @property
    def time_used(self) -> timedelta:
        end = self.finished_at or timezone.now()
        return min(max(end, self.started_at), self.deadline) - self.started_at

    @property
    def score_percent(self) -> int | None:
        if not self.auto_total:
            return None
        return round(100 * self.auto_correct / self.auto_total)

    @property
    def slow_after_ms(self) -> int:
        """An answer slower than half the per-item budget counts as slow (rated Hard, not Good)."""
        return self.seconds_per_item * 500

    def finalize(self, reason: str, now=None) -> bool:
        """Close the attempt and store its scores; False when it was already closed."""
        now = now or timezone.now()
        items = list(self.items.all())
        auto = [i for i in items if i.kind != "recall"]
        recall = [i for i in items if i.kind == "recall"]
        updated = Attempt.objects.filter(pk=self.pk, finished_at__isnull=True).update(
            finished_at=min(now, self.deadline) if reason == "timeout" else now,
            finish_reason=reason,
            auto_total=len(auto),
            auto_correct=sum(1 for i in auto if i.correct),
            recall_total=len(recall),
            recall_correct=sum(1 for i in recall if i.correct),
        )
        self.refresh_from_db()
        return bool(updated)


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    question = models.ForeignKey(Question, null=True, on_delete=models.SET_NULL, related_name="+")
    # Exactly what was asked; see quizzes.generation for the fields.
    snapshot = models.JSONField()
    shown_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # {"choices": ["b"]} or {"text": "select_related"}; recall also keeps the typed text here.
    response = models.JSONField(null=True, blank=True)
    # None until graded (recall items are graded by the user after seeing the model answer).
    correct = models.BooleanField(null=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="unique_item_position")]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position + 1} {self.kind}"

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_done(self) -> bool:
        """Answered and graded: recall items wait for the user's own mark."""
        return self.answered_at is not None and self.correct is not None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def public(self) -> dict:
        """The snapshot without anything that gives the answer away."""
        return {k: v for k, v in self.snapshot.items() if k not in SECRET_FIELDS}

    @property
    def chosen_ids(self) -> list[str]:
        return list((self.response or {}).get("choices") or [])

    @property
    def typed(self) -> str:
        return (self.response or {}).get("text") or ""

    @property
    def choice_views(self) -> list[dict]:
        """Choices annotated for the review: which the user picked and which were right."""
        key = set(self.snapshot.get("key") or [])
        chosen = set(self.chosen_ids)
        return [
            {**c, "picked": c["id"] in chosen, "right": c["id"] in key}
            for c in self.snapshot.get("choices") or []
        ]

    @property
    def user_answer(self) -> str:
        if self.response is None:
            return ""
        if self.typed:
            return self.typed
        texts = {c["id"]: c["text"] for c in self.snapshot.get("choices") or []}
        return "; ".join(texts.get(i, i) for i in self.chosen_ids)

    @property
    def right_answer(self) -> str:
        snap = self.snapshot
        if snap.get("answer_text"):
            return snap["answer_text"]
        texts = {c["id"]: c["text"] for c in snap.get("choices") or []}
        return "; ".join(texts[i] for i in snap.get("key") or [] if i in texts)


SECRET_FIELDS = {"key", "answer_text", "explanation", "model_answer_html"}
