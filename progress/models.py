"""Spaced-repetition state: one FSRS card per user and question, its review log, and settings.

The columns mirror fsrs.Card so a row converts to and from the library's objects without loss;
every rating keeps the card's state before and after, which is what undo and replay need.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import fsrs
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery

from prepsite import precompiled

from .retrievability import at_least

DEFAULT_RETENTION = 0.90
DEFAULT_NEW_PER_DAY = 20  # Anki's default
WEAK_RETRIEVABILITY = 0.8
# Mastered: Anki's "mature" (an interval of 21 days or more), here as FSRS stability, after a pass.
MASTERED_STABILITY_DAYS = 21.0
MASTERED_RATINGS = (fsrs.Rating.Good.value, fsrs.Rating.Easy.value)
READINESS_DEFAULT_DAYS = 7

# fsrs.Card's schedule, mirrored by Card's columns and by a log's *_before columns. The *_after
# columns keep all but last_review, which after a rating is the log's reviewed_at.
SCHEDULE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")
LOGGED_AFTER = SCHEDULE_FIELDS[:-1]


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=64)
def scheduler_for(desired_retention: float, parameters: tuple[float, ...] | None = None) -> fsrs.Scheduler:
    """One shared scheduler per retention and parameters: building one validates 21 parameters, and
    rating never mutates it. `parameters` None: fsrs's defaults.

    No fuzzing: the interval shown on each button is then exactly the one a rating gives.
    """
    if parameters is None:
        return fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
    return fsrs.Scheduler(parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False)


def valid_time_zone(name: str) -> ZoneInfo | None:
    """The zone for an IANA name, or None for anything else (paths, typos, "")."""
    return ZoneInfo(name) if name in time_zone_names() else None


class ReviewSettings(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_settings")
    desired_retention = models.FloatField(default=DEFAULT_RETENTION)
    new_per_day = models.PositiveIntegerField(default=DEFAULT_NEW_PER_DAY)
    # "" until the user (or their browser) names one; UTC is used meanwhile.
    time_zone = models.CharField(max_length=64, blank=True)
    # FSRS parameters fitted to the user's reviews (21 floats); empty: fsrs's defaults.
    parameters = models.JSONField(default=list, blank=True)
    # What the last fit replaced, for "Revert to previous"; None when there is nothing to revert.
    previous_parameters = models.JSONField(null=True, blank=True)
    # The last fit's figures (log loss and RMSE before and after, reviews used, when).
    fit = models.JSONField(default=dict, blank=True)
    # How many of the user's interviews have a plan applied, when read with the settings; None: unknown.
    plans_applied: int | None = None

    class Meta:
        verbose_name_plural = "review settings"

    def __str__(self) -> str:
        return f"Review settings of {self.user}"

    @classmethod
    def from_row(cls, row: dict, prefix: str = "", plans_applied: int | None = None) -> ReviewSettings | None:
        """The settings in a values() row (their columns named `prefix` + attname); None for a row without them."""
        if row[f"{prefix}id"] is None:
            return None
        review_settings = cls.from_db(cls.objects.db, SETTINGS_FIELDS, [row[prefix + name] for name in SETTINGS_FIELDS])
        review_settings.plans_applied = plans_applied
        return review_settings

    @property
    def tz(self) -> ZoneInfo:
        return valid_time_zone(self.time_zone) or ZoneInfo("UTC")

    @property
    def fsrs_parameters(self) -> tuple[float, ...] | None:
        return tuple(self.parameters) if self.parameters else None

    def scheduler(self, desired_retention: float | None = None) -> fsrs.Scheduler:
        return scheduler_for(desired_retention or self.desired_retention, self.fsrs_parameters)

    def use_parameters(self, parameters: list[float], fit: dict) -> None:
        """Adopt fitted parameters, keeping the ones they replace for a revert."""
        self.previous_parameters = list(self.parameters)
        self.parameters = [float(p) for p in parameters]
        self.fit = fit
        self.save(update_fields=["parameters", "previous_parameters", "fit"])

    def revert_parameters(self) -> bool:
        if self.previous_parameters is None:
            return False
        self.parameters, self.previous_parameters = self.previous_parameters, None
        self.fit = {**self.fit, "reverted": True}
        self.save(update_fields=["parameters", "previous_parameters", "fit"])
        return True

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


# Every column of the settings, as a values() query names them.
SETTINGS_FIELDS = [field.attname for field in ReviewSettings._meta.concrete_fields]

# The two enums that are not TextChoices: their values are fsrs' own ints, stored and handed to fsrs as they are.
class State(models.IntegerChoices):
    LEARNING = fsrs.State.Learning.value, "Learning"
    REVIEW = fsrs.State.Review.value, "Review"
    RELEARNING = fsrs.State.Relearning.value, "Relearning"


class Rating(models.IntegerChoices):
    AGAIN = fsrs.Rating.Again.value, "Again"
    HARD = fsrs.Rating.Hard.value, "Hard"
    GOOD = fsrs.Rating.Good.value, "Good"
    EASY = fsrs.Rating.Easy.value, "Easy"


class CardQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def active(self, now: datetime):
        """Cards that may be shown: not suspended, not buried, question not archived."""
        return self.filter(suspended=False, question__archived=False).exclude(buried_until__gt=now)

    def reviewed(self):
        return self.filter(last_review__isnull=False)

    def due_now(self, now: datetime, day_ends: datetime | None = None):
        """Reviewed, active cards a review session shows now (see due_condition)."""
        return self.active(now).reviewed().filter(due_condition(now, day_ends))

    def weak(self, now: datetime, threshold: float = WEAK_RETRIEVABILITY):
        """Reviewed cards once rated Again, or whose retrievability now is below `threshold`."""
        again = ReviewLog.objects.filter(card=OuterRef("pk"), rating=Rating.AGAIN)
        return self.reviewed().filter(Exists(again) | ~at_least(threshold, now))

    def mastered(self):
        return self.filter(mastered_condition())

    def in_scope(self, *, set_slug: str = "", category_id: int | None = None):
        qs = self
        if set_slug:
            qs = qs.filter(question__category__question_set__slug=set_slug)
        if category_id:
            qs = qs.filter(question__category_id=category_id)
        return qs


def due_condition(now: datetime, day_ends: datetime | None = None) -> Q:
    """The one definition of due: learning steps by the minute, review cards by the day.

    `day_ends` is the end of the user's today; without it review cards are due at their due time.
    """
    return Q(state=State.REVIEW, due__lt=day_ends or now) | Q(due__lte=now)


def mastered_condition(prefix: str = "") -> Q:
    """Shown to be retained: stability of at least 21 days, and the last rating Good or Easy."""
    return Q(**{f"{prefix}stability__gte": MASTERED_STABILITY_DAYS, f"{prefix}last_rating__in": MASTERED_RATINGS})


class Card(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards")
    question = models.ForeignKey("questions.Question", on_delete=models.CASCADE, related_name="review_cards")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    # None: never reviewed, i.e. a new card (fsrs 6 has no "new" state).
    last_review = models.DateTimeField(null=True, blank=True)
    # The rating of the latest review (None for a new card): "mastered" needs it.
    last_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    suspended = models.BooleanField(default=False)
    buried_until = models.DateTimeField(null=True, blank=True)
    # Bumped on every change; forms carry it so a replayed or concurrent post is detected.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="unique_review_card")]
        indexes = [models.Index(fields=["user", "due"], name="progress_card_due_queue")]

    def __str__(self) -> str:
        return f"{self.user} · {self.question}"

    @property
    def is_new(self) -> bool:
        return self.last_review is None

    @property
    def is_learning(self) -> bool:
        return not self.is_new and self.state in (State.LEARNING, State.RELEARNING)

    def schedule(self) -> dict:
        return {name: getattr(self, name) for name in SCHEDULE_FIELDS}

    def set_schedule(self, values: dict) -> None:
        for name in SCHEDULE_FIELDS:
            setattr(self, name, values[name])

    def to_fsrs(self) -> fsrs.Card:
        # card_id=0 for an unsaved card: fsrs.Card sleeps a millisecond to invent an id when given none.
        return fsrs.Card(card_id=self.pk or 0, **{**self.schedule(), "state": fsrs.State(self.state)})

    def set_from_fsrs(self, card: fsrs.Card) -> None:
        self.set_schedule({**{name: getattr(card, name) for name in SCHEDULE_FIELDS}, "state": card.state.value})

    def retrievability(self, review_settings: ReviewSettings, now: datetime) -> float:
        return review_settings.scheduler().get_card_retrievability(self.to_fsrs(), now)

    def review(self, rating: int, **options) -> ReviewLog:
        """Rate the card: save its new schedule (inserting a new card) and the log of it.

        The caller holds the card's lock; `now` is timezone-aware.
        """
        log, _ = self._rated(rating, **options)
        if self.pk is None:
            self.save(force_insert=True)
        else:
            self.save(update_fields=[*SCHEDULE_FIELDS, "last_rating", "version"])
        log.save(force_insert=True)
        return log

    def review_if_unchanged(self, rating: int, **options) -> ReviewLog | None:
        """review() without a lock (PostgreSQL): card and log are written in one statement, and only
        if the card is still as it was read (a new card still has no row, a saved one still has its
        version). Else nothing is written, and None is returned."""
        log, read_version = self._rated(rating, **options)
        return _write_guarded(self, log, read_version)

    def _rated(
        self,
        rating: int,
        *,
        now: datetime,
        duration_ms: int = 0,
        source: str = "",
        review_settings: ReviewSettings | None = None,
    ) -> tuple[ReviewLog, int]:
        """The card's new schedule, set on it, and its (unsaved) log; and the version it was read at."""
        if review_settings is None:
            review_settings, _ = ReviewSettings.objects.get_or_create(user_id=self.user_id)
        before = self.schedule()
        rated, _ = review_settings.scheduler().review_card(
            self.to_fsrs(), fsrs.Rating(rating), review_datetime=now, review_duration=duration_ms
        )
        self.set_from_fsrs(rated)
        self.last_rating = int(rating)
        read_version = self.version
        self.version += 1
        log = ReviewLog(
            user_id=self.user_id,
            card=self,
            rating=int(rating),
            reviewed_at=now,
            local_day=review_settings.local_day(now),
            duration_ms=max(0, int(duration_ms)),
            source=source or ReviewLog.Source.REVIEW,
            **{f"{name}_before": before[name] for name in SCHEDULE_FIELDS},
            **{f"{name}_after": getattr(self, name) for name in LOGGED_AFTER},
        )
        return log, read_version

    def undo(self, log: ReviewLog) -> None:
        """Put the card back exactly as it was before the log's rating, and drop the log."""
        self.set_schedule(log.before())
        self.last_rating = self.logs.exclude(pk=log.pk).order_by("-reviewed_at", "-pk").values_list("rating", flat=True).first()
        self.version += 1
        self.save(update_fields=[*SCHEDULE_FIELDS, "last_rating", "version"])
        log.delete()


class ReviewLog(models.Model):
    class Source(models.TextChoices):
        REVIEW = "review", "Review session"
        QUIZ = "quiz", "Quiz"
        FLASHCARD = "flashcard", "Flashcards"
        DRILL = "drill", "Answer-out-loud drill"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="logs")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()  # UTC
    # The day in the user's time zone; recomputed when the time zone changes (heatmap, streak).
    local_day = models.DateField()
    duration_ms = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REVIEW)

    state_before = models.PositiveSmallIntegerField(choices=State.choices)
    step_before = models.PositiveSmallIntegerField(null=True, blank=True)
    stability_before = models.FloatField(null=True, blank=True)
    difficulty_before = models.FloatField(null=True, blank=True)
    due_before = models.DateTimeField()
    last_review_before = models.DateTimeField(null=True, blank=True)

    state_after = models.PositiveSmallIntegerField(choices=State.choices)
    step_after = models.PositiveSmallIntegerField(null=True, blank=True)
    stability_after = models.FloatField()
    difficulty_after = models.FloatField()
    due_after = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "local_day"], name="progress_log_user_day"),
            models.Index(fields=["user", "reviewed_at"], name="progress_log_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.card} rated {self.get_rating_display()} at {self.reviewed_at:%Y-%m-%d %H:%M}"

    def before(self) -> dict:
        return {name: getattr(self, f"{name}_before") for name in SCHEDULE_FIELDS}

    def to_fsrs(self) -> fsrs.ReviewLog:
        return fsrs.ReviewLog(
            card_id=self.card_id,
            rating=fsrs.Rating(self.rating),
            review_datetime=self.reviewed_at,
            review_duration=self.duration_ms,
        )


# A guarded rating is one statement, so that it needs neither a transaction nor a lock (on
# PostgreSQL: a data-modifying WITH). Its SQL is built once per process from the models' fields.
def _write_guarded(card: Card, log: ReviewLog, read_version: int) -> ReviewLog | None:
    connection = connections[DEFAULT_DB_ALIAS]
    new = card.pk is None
    card_fields, log_fields = _guarded_fields(new)
    if new:
        params = [f.get_db_prep_save(f.pre_save(card, add=True), connection) for f in card_fields]
        params += _listed_question_params(card.question_id)
    else:
        params = [f.get_db_prep_save(getattr(card, f.attname), connection) for f in card_fields]
        params += [card.pk, read_version]
    params += [f.get_db_prep_save(getattr(log, f.attname), connection) for f in log_fields]
    rows = precompiled.execute(_guarded_sql(new), params)
    if not rows:
        return None
    log.pk, card.pk = rows[0]
    log.card = card
    for written in (card, log):
        written._state.adding, written._state.db = False, connection.alias
    return log


@lru_cache
def _guarded_fields(new: bool) -> tuple[list, list]:
    """The card's columns the statement writes (all of a new card's, a rating's for a saved one), the log's."""
    names = {*SCHEDULE_FIELDS, "last_rating", "version"}
    card_fields = [f for f in Card._meta.concrete_fields if (f.attname != "id" if new else f.attname in names)]
    log_fields = [f for f in ReviewLog._meta.concrete_fields if f.attname not in ("id", "card_id")]
    return card_fields, log_fields


def _listed_question_params(question_id: int) -> list:
    return [question_id if p == precompiled.STAND_INS[0] else p for p in _listed_question_sql()[1]]


@lru_cache
def _listed_question_sql() -> tuple[str, list]:
    from questions.models import Question

    listed = Question.objects.listed().filter(pk=precompiled.STAND_INS[0]).order_by().values("pk")
    return listed.query.sql_with_params()


@lru_cache
def _guarded_sql(new: bool) -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    card_fields, log_fields = _guarded_fields(new)

    def cast(field) -> str:
        # Not to varchar(n): that cast would cut a long value where the column's own check refuses it.
        kind = (connection.ops.cast_char_field_without_max_length if isinstance(field, models.CharField)
                else field.cast_db_type(connection))
        return f"CAST(%s AS {kind})"

    card_table, log_table = quote(Card._meta.db_table), quote(ReviewLog._meta.db_table)
    if new:  # only for a listed question, and only if the user has no card for it yet
        written = (f"INSERT INTO {card_table} ({', '.join(quote(f.column) for f in card_fields)}) "
                   f"SELECT {', '.join(cast(f) for f in card_fields)} WHERE EXISTS ({_listed_question_sql()[0]}) "
                   f"ON CONFLICT DO NOTHING RETURNING {quote('id')}")
    else:  # only if the card still has the version that was read
        written = (f"UPDATE {card_table} SET {', '.join(f'{quote(f.column)} = {cast(f)}' for f in card_fields)} "
                   f"WHERE {quote('id')} = %s AND {quote('version')} = %s RETURNING {quote('id')}")
    return (f"WITH card AS ({written}) INSERT INTO {log_table} ({quote('card_id')}, "
            f"{', '.join(quote(f.column) for f in log_fields)}) "
            f"SELECT card.{quote('id')}, {', '.join(cast(f) for f in log_fields)} FROM card "
            f"RETURNING {quote('id')}, {quote('card_id')}")

class InterviewQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def upcoming(self, today: date):
        return self.filter(on__gte=today).order_by("on", "pk")

    def count_of(self, user):
        """A subquery: how many of these interviews `user` (an OuterRef) has, 0 for none. A COUNT with
        no GROUP BY always gives one row, so no COALESCE, which would put the subquery into the GROUP
        BY of a query that counts cards too, to run once per card."""
        count = Func(F("pk"), function="COUNT", output_field=IntegerField())  # not an aggregate to the ORM
        return Subquery(self.filter(user_id=user).order_by().annotate(n=count).values("n"))

    def applied_plans_count(self, user):
        """A subquery: how many interviews of `user` (an OuterRef) have a plan applied."""
        return self.filter(plan_new_per_day__isnull=False).count_of(user)

    def planned(self, today: date):
        """Upcoming interviews with an applied plan, nearest first: a plan ends after its date."""
        return self.upcoming(today).filter(plan_new_per_day__isnull=False)

    def awaiting_outcome(self, today: date):
        """Past interviews the user has not yet said how they went."""
        return self.filter(on__lt=today, outcome="").order_by("-on", "-pk")


class Interview(models.Model):
    """An interview date the user prepares for: its scope (all sets, one set, or chosen categories),
    the recall they aim for on the day, and afterwards how it went."""

    class Scope(models.TextChoices):
        ALL = "all", "All sets"
        SET = "set", "One question set"
        CATEGORIES = "categories", "Chosen categories"

    class Outcome(models.TextChoices):
        PENDING = "", "Not told yet"
        WENT_WELL = "well", "It went well"
        MIXED = "mixed", "Some good, some bad"
        WENT_BADLY = "badly", "It went badly"
        CANCELLED = "cancelled", "It did not take place"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews")
    title = models.CharField(max_length=120, blank=True)
    on = models.DateField()
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    # SET_NULL: a deleted set leaves the date and its outcome; its scope then holds no questions.
    question_set = models.ForeignKey("questions.QuestionSet", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    categories = models.ManyToManyField("questions.Category", blank=True, related_name="+")
    target = models.FloatField(default=DEFAULT_RETENTION)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    # The applied study plan: new questions a day from the scope until the date (None: no plan),
    # and optionally a higher desired retention for the scope's cards meanwhile.
    plan_new_per_day = models.PositiveIntegerField(null=True, blank=True)
    plan_retention = models.FloatField(null=True, blank=True)
    plan_applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["on", "pk"]
        indexes = [models.Index(fields=["user", "on"], name="progress_interview_user_on")]

    def __str__(self) -> str:
        return self.title or f"Interview on {self.on:%d %B %Y}"

    @property
    def label(self) -> str:
        return str(self)

    def questions_q(self, prefix: str = "") -> Q:
        """The questions in scope, as a filter on Question (with `prefix` for a related lookup)."""
        if self.scope == self.Scope.SET:
            return Q(**{f"{prefix}category__question_set_id": self.question_set_id})
        if self.scope == self.Scope.CATEGORIES:
            return Q(**{f"{prefix}category__in": self.categories.values("pk")})
        return Q()

    @property
    def scope_label(self) -> str:
        if self.scope == self.Scope.SET:
            return self.question_set.title if self.question_set else "a deleted set"
        if self.scope == self.Scope.CATEGORIES:
            return ", ".join(category.title for category in self.categories.all()) or "no categories"
        return "all sets"

    def days_left(self, today: date) -> int:
        return (self.on - today).days

    @property
    def has_plan(self) -> bool:
        return self.plan_new_per_day is not None

    def apply_plan(self, new_per_day: int, retention: float | None, now: datetime) -> None:
        self.plan_new_per_day, self.plan_retention, self.plan_applied_at = new_per_day, retention, now
        self.save(update_fields=["plan_new_per_day", "plan_retention", "plan_applied_at"])

    def clear_plan(self) -> None:
        self.plan_new_per_day = self.plan_retention = self.plan_applied_at = None
        self.save(update_fields=["plan_new_per_day", "plan_retention", "plan_applied_at"])
