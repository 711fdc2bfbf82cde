"""Quiz attempts: what was asked (a JSON snapshot per item), what was answered, and when.

The snapshot keeps the prompt, the shuffled choices, the key and the explanation as they
were when the quiz started, so a review still shows the same items after a re-import.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from prepsite import precompiled
from progress.models import Rating
from questions.models import Question, QuestionSet

from .kinds import Kind, kind_choices, kind_named, self_graded


class FinishReason(models.TextChoices):
    COMPLETED = "completed", "Every item answered"
    SUBMITTED = "submitted", "Handed in"
    TIMEOUT = "timeout", "Time ran out"


class Feedback(models.TextChoices):
    IMMEDIATE = "immediate", "After each answer"
    END = "end", "Only at the end"


class AttemptQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def closed(self, now=None):
        """Finished, or past the deadline (closed on read, see Attempt.settle)."""
        return self.filter(Q(finished_at__isnull=False) | Q(deadline__lte=now or timezone.now()))

    def expired(self, now=None):
        return self.filter(finished_at__isnull=True, deadline__lte=now or timezone.now())

    def settled(self, now=None) -> list[Attempt]:
        """The attempts, with those expired but not yet closed read as timed out (Attempt.settle);
        one more query fetches their items, none when there are none."""
        return _settled(list(self), now or timezone.now())

    def newest_closed(self, limit: int, now=None):
        return self.closed(now).order_by(Coalesce("finished_at", "deadline").desc(), "-pk")[:limit]

    def finalize_expired(self, now=None) -> int:
        """Close every expired attempt of the queryset in one UPDATE, scores counted in SQL."""
        return self.expired(now).update(
            finished_at=models.F("deadline"), finish_reason=FinishReason.TIMEOUT, **_score_subqueries()
        )


def _settled(attempts: list[Attempt], now) -> list[Attempt]:
    expired = {a.pk: a for a in attempts if a.finished_at is None and a.is_expired(now)}
    if expired:
        items: dict[int, list[AttemptItem]] = {pk: [] for pk in expired}
        for item in AttemptItem.objects.filter(attempt__in=list(expired)).only("attempt_id", "kind", "correct"):
            items[item.attempt_id].append(item)
        for pk, attempt in expired.items():
            attempt.settle(items[pk], now)
    return attempts


def recent_attempts(user, limit: int = 5) -> list[Attempt]:
    """The user's latest closed attempts, settled, newest first. Its statement is compiled once:
    the start page and the dashboard read it on every request, and building it cost more than running it."""
    now = timezone.now()
    attempts = precompiled.instances(f"recent-attempts:{limit}", lambda user_id, at: Attempt.objects.filter(
        user_id=user_id).newest_closed(limit, at), user.pk, now)
    return _settled(attempts, now)


def _count_items(condition: Q):
    items = (
        AttemptItem.objects.filter(condition, attempt=OuterRef("pk"))
        .order_by()
        .values("attempt")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(items, output_field=models.IntegerField()), Value(0))


def _score_subqueries() -> dict:
    recall = Q(kind__in=self_graded())
    auto, right = ~recall, Q(correct=True)
    return {
        "auto_total": _count_items(auto),
        "auto_correct": _count_items(auto & right),
        "recall_total": _count_items(recall),
        "recall_correct": _count_items(recall & right),
    }


class Attempt(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    question_set = models.ForeignKey(QuestionSet, null=True, on_delete=models.SET_NULL, related_name="+")
    set_title = models.CharField(max_length=300)
    title = models.CharField(max_length=200, help_text="Preset name or a short description.")
    seed = models.BigIntegerField()
    # The form's choices, so "retry" and reproducing the generation need nothing else.
    config = models.JSONField(default=dict)
    feedback = models.CharField(max_length=12, choices=Feedback.choices, default=Feedback.IMMEDIATE)
    seconds_per_item = models.PositiveIntegerField(default=60)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finish_reason = models.CharField(max_length=20, blank=True, choices=FinishReason.choices)
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

    def _closing(self, reason: str, now, items: list[AttemptItem]) -> dict:
        """The fields a close writes, scores counted from the items' current `correct` values."""
        auto = [i for i in items if not i.self_graded]
        recall = [i for i in items if i.self_graded]
        return {
            "finished_at": min(now, self.deadline) if reason == FinishReason.TIMEOUT else now,
            "finish_reason": reason,
            "auto_total": len(auto),
            "auto_correct": sum(1 for i in auto if i.correct),
            "recall_total": len(recall),
            "recall_correct": sum(1 for i in recall if i.correct),
        }

    def settle(self, items: list[AttemptItem], now=None) -> Attempt:
        """Read an expired attempt that no request has closed yet as timed out, in memory only:
        GET requests never write, and the next POST on the user's quizzes stores the close."""
        now = now or timezone.now()
        if self.finished_at is None and self.is_expired(now):
            for name, value in self._closing(FinishReason.TIMEOUT, now, items).items():
                setattr(self, name, value)
        return self

    def finalize(self, reason: str, now=None, items: list[AttemptItem] | None = None) -> bool:
        """Close the attempt and store its scores; False when it was already closed.

        With the attempt's items at hand (current `correct` values) the scores are counted
        here and nothing is re-read; otherwise SQL counts them in the same UPDATE.
        """
        now = now or timezone.now()
        if items is not None:
            values = self._closing(reason, now, items)
            updated = Attempt.objects.filter(pk=self.pk, finished_at__isnull=True).update(**values)
            if updated:
                for name, value in values.items():
                    setattr(self, name, value)
                return True
        else:
            values = {"finished_at": min(now, self.deadline) if reason == FinishReason.TIMEOUT else now,
                      "finish_reason": reason}
            updated = Attempt.objects.filter(pk=self.pk, finished_at__isnull=True).update(
                **values, **_score_subqueries()
            )
        self.refresh_from_db(fields=["finished_at", "finish_reason", *SCORE_FIELDS])
        return bool(updated)


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=kind_choices)
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
    def kind_unit(self) -> Kind:
        return kind_named(self.kind)

    @property
    def kind_label(self) -> str:
        return self.kind_unit.label

    @property
    def self_graded(self) -> bool:
        return self.kind_unit.self_graded

    @property
    def public(self) -> dict:
        """What the unanswered item may show: only the fields its kind allows, nothing else.

        Built from an allow-list so that a field added to the snapshot later (an ident, the
        question's title or URL) stays hidden until someone decides it is safe to show.
        """
        snap = self.snapshot
        public = {name: snap[name] for name in self.kind_unit.public_fields if name in snap}
        if "choices" in public:
            public["choices"] = [{"id": c["id"], "text": c["text"]} for c in public["choices"]]
        answer = snap.get("answer_text") or ""
        if public.get("context") and answer and answer.casefold() in public["context"].casefold():
            public["context"] = ""  # the question's title would name the missing identifier
        return public

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


SCORE_FIELDS = ["auto_total", "auto_correct", "recall_total", "recall_correct"]

# Fields that give the answer away (directly or through the question they name).
SECRET_FIELDS = {
    "key", "answer_text", "explanation", "model_answer_html", "ident", "role", "same_role", "example_id",
    "question_id", "question_title", "question_url", "question_number", "category", "category_id",
}


class DrillQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def with_counts(self):
        return self.annotate(n_steps=Count("steps"), n_saved=Count("steps", filter=Q(steps__saved_at__isnull=False)))


class Drill(models.Model):
    """An "answer out loud" session: each question is answered aloud against a timer, then
    checked against its key points and rated (the rating feeds progress with source "drill")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drills")
    title = models.CharField(max_length=300)
    seconds = models.PositiveIntegerField(default=120, help_text="The speaking time per question.")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = DrillQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"Drill: {self.title} · {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        if self.finished_at:
            return reverse("drill:summary", args=[self.pk])
        return reverse("drill:step", args=[self.pk])

    @classmethod
    def start(cls, user, questions: list[Question], *, title: str, seconds: int, now=None) -> Drill:
        """The drill and its steps in one transaction; the first step's clock starts now."""
        now = now or timezone.now()
        with transaction.atomic():
            drill = cls.objects.create(user=user, title=title[:300], seconds=seconds, created_at=now)
            DrillStep.objects.bulk_create(
                DrillStep(drill=drill, position=i, question=question, started_at=now if i == 0 else None)
                for i, question in enumerate(questions)
            )
        return drill

    def save_step(self, step: DrillStep, *, points: list[str], covered: list[int], rating: int,
                  duration_ms: int, now=None) -> DrillStep | None:
        """Store the step's outcome and start the next step's clock; the next step, or None at the end.

        The caller holds the drill's lock and has checked the step is the current one.
        """
        now = now or timezone.now()
        step.points, step.covered, step.rating = points, sorted(set(covered)), rating
        step.duration_ms, step.saved_at = duration_ms, now
        step.save(update_fields=["points", "covered", "rating", "duration_ms", "saved_at"])
        following = self.steps.filter(position__gt=step.position, saved_at__isnull=True).order_by("position").first()
        if following is None:
            self.finished_at = now
            self.save(update_fields=["finished_at"])
            return None
        following.started_at = now
        following.save(update_fields=["started_at"])
        return following


class DrillStep(models.Model):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # Set (by a POST) when the step becomes current: the time spent is counted from here.
    started_at = models.DateTimeField(null=True, blank=True)
    # The key points as shown when the step was saved, and the indexes of those ticked.
    points = models.JSONField(default=list)
    covered = models.JSONField(default=list)
    rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["drill", "position"]
        constraints = [models.UniqueConstraint(fields=["drill", "position"], name="unique_drill_step")]

    def __str__(self) -> str:
        return f"Drill {self.drill_id} #{self.position + 1}"

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def missed(self) -> list[str]:
        return [point for i, point in enumerate(self.points) if i not in set(self.covered)]
