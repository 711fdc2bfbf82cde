"""Figures for the review buttons and the progress dashboard.

Counting is done by the database (grouped and conditional aggregates), and so is retrievability
(progress.retrievability's SQL port of fsrs) on the readiness date, summed per category, so no card
row reaches Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import fsrs
from django.core.cache import cache
from django.db.models import Case, Count, FilteredRelation, FloatField, Max, Q, Sum, Value, When
from django.db.models.functions import Floor

from questions.models import Category, Question

from .charts import forecast_chart, heatmap_chart
from .models import MASTERED_STABILITY_DAYS, READINESS_DEFAULT_DAYS, Card, ReviewLog, ReviewSettings, State, mastered_condition
from .retrievability import Epoch, retrievability
from .services import start_of_tomorrow

HEATMAP_DAYS = 371  # 53 full weeks
FORECAST_DAYS = 30
ACTIVITY_CACHE_SECONDS = 24 * 60 * 60


def interval_label(delta: timedelta) -> str:
    """Anki-style short interval: <1m, <10m, 5h, 3d, 1.5mo, 2.1y."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"<{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def outcomes(review_settings: ReviewSettings, card: Card, now: datetime) -> dict[int, fsrs.Card]:
    """The card as each rating would leave it, computed by the same (unfuzzed) scheduler that rates."""
    scheduler = review_settings.scheduler()
    current = card.to_fsrs()
    return {rating.value: scheduler.review_card(current, rating, review_datetime=now)[0] for rating in fsrs.Rating}


def previews(review_settings: ReviewSettings, card: Card, now: datetime, rated: dict | None = None) -> dict[int, str]:
    """The interval each rating would give (`rated`: the outcomes, when the caller has them)."""
    rated = rated or outcomes(review_settings, card, now)
    return {rating: interval_label(after.due - now) for rating, after in rated.items()}


def card_info(review_settings: ReviewSettings, card: Card, now: datetime) -> dict:
    if card.is_new:
        return {}
    return {
        "stability": card.stability,
        "difficulty": card.difficulty,
        "retrievability": card.retrievability(review_settings, now),
    }


@dataclass
class Row:
    """Counts and knowledge for one category, one set, or everything."""

    title: str
    category: Category | None = None
    set_slug: str = ""
    total: int = 0
    learning: int = 0
    review: int = 0
    suspended: int = 0
    due: int = 0
    mastered: int = 0
    retrievability_sum: float = 0.0
    children: list[Row] = field(default_factory=list)

    @property
    def new(self) -> int:
        return max(0, self.total - self.learning - self.review)

    @property
    def mastery(self) -> float:
        return self.mastered / self.total if self.total else 0.0

    @property
    def readiness(self) -> float:
        """Mean retrievability on the readiness date over all questions, unseen ones counting as 0."""
        return self.retrievability_sum / self.total if self.total else 0.0

    def add(self, other: Row) -> None:
        for name in ("total", "learning", "review", "suspended", "due", "mastered", "retrievability_sum"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _forecast_bounds(review_settings: ReviewSettings, now: datetime) -> tuple[date, list[datetime]]:
    """Today, and the ends of the next 30 local days in the user's time zone."""
    tz = review_settings.tz
    today = now.astimezone(tz).date()
    return today, [
        datetime.combine(today + timedelta(days=i + 1), datetime.min.time(), tzinfo=tz) for i in range(FORECAST_DAYS)
    ]


def _forecast_day(bounds: list[datetime], column: str) -> Case:
    """The forecast day (0 = today, overdue included) of a due date before the last bound.

    Local days are 86,400 s long except across a daylight-saving change, so the day is arithmetic
    within each run of such days, and a CASE picks the run (or the odd day): one branch, three
    around a change.
    """
    edges = [bound.timestamp() for bound in bounds]
    due = Epoch(column)
    whens = [When(**{f"{column}__lt": bounds[0]}, then=Value(0.0))]
    first = 0  # the edge where the current run of 24-hour days starts
    for i in range(len(edges) - 1):
        if edges[i + 1] - edges[i] == 86400:
            continue
        if first < i:  # the run of plain days before the odd one
            day = Value(first + 1.0) + Floor((due - Value(edges[first])) / Value(86400.0))
            whens.append(When(**{f"{column}__lt": bounds[i]}, then=day))
        whens.append(When(**{f"{column}__lt": bounds[i + 1]}, then=Value(i + 1.0)))  # the 23- or 25-hour day
        first = i + 1
    if first < len(edges) - 1:
        day = Value(first + 1.0) + Floor((due - Value(edges[first])) / Value(86400.0))
        whens.append(When(**{f"{column}__lt": bounds[-1]}, then=day))
    return Case(*whens, default=Value(None), output_field=FloatField())


def readiness_moment(review_settings: ReviewSettings, now: datetime, on: date | None = None) -> datetime:
    """When readiness is predicted for: the start of day `on` in the user's time zone (not before
    now), or 7 days from now when there is no date."""
    if on is None:
        return now + timedelta(days=READINESS_DEFAULT_DAYS)
    return max(now, datetime.combine(on, datetime.min.time(), tzinfo=review_settings.tz))


def _category_rows(
    user, review_settings: ReviewSettings, now: datetime, at: datetime | None = None
) -> tuple[Row, list[Row], list[tuple[date, int]]]:
    """Per-category rows and the 30-day forecast, from one pass over the listed questions.

    Readiness sums each card's retrievability at `at` (the readiness moment; 7 days from now by default).

    Each listed question is joined to the user's card for it (if any) through the (user, question)
    unique index; rows come back grouped by category and forecast day, and are summed here.
    """
    categories = Category.objects.select_related("question_set").order_by("question_set__title", "position")
    end_of_today = start_of_tomorrow(review_settings, now)
    today, bounds = _forecast_bounds(review_settings, now)
    reviewed = Q(card__last_review__isnull=False)
    in_forecast = reviewed & Q(card__suspended=False, card__due__lt=bounds[-1])
    grouped = (
        Question.objects.listed()
        .alias(card=FilteredRelation("review_cards", condition=Q(review_cards__user=user)))
        .annotate(day=Case(When(in_forecast, then=_forecast_day(bounds, "card__due")), default=Value(None)))
        .values("category_id", "day")
        .annotate(
            n_total=Count("*"),
            n_learning=Count("card", filter=reviewed & Q(card__state__in=(State.LEARNING, State.RELEARNING))),
            n_review=Count("card", filter=reviewed & Q(card__state=State.REVIEW)),
            n_suspended=Count("card", filter=Q(card__suspended=True)),
            n_due=Count("card", filter=reviewed & Q(card__suspended=False, card__due__lt=end_of_today)),
            r_sum=Sum(retrievability(at or readiness_moment(review_settings, now), "card__", review_settings.fsrs_parameters),
                      filter=reviewed),
            n_mastered=Count("card", filter=reviewed & mastered_condition("card__")),
        )
        .order_by()
    )
    rows = {c.pk: Row(title=c.title, category=c) for c in categories}
    per_day = [0] * FORECAST_DAYS
    for g in grouped:
        row = rows.get(g["category_id"])
        if row is None:
            continue
        row.total += g["n_total"]
        row.learning += g["n_learning"]
        row.review += g["n_review"]
        row.suspended += g["n_suspended"]
        row.due += g["n_due"]
        row.retrievability_sum += g["r_sum"] or 0.0
        row.mastered += g["n_mastered"]
        if g["day"] is not None:
            per_day[min(int(g["day"]), FORECAST_DAYS - 1)] += g["n_total"]

    overall = Row(title="All questions")
    sets: dict[int, Row] = {}
    for category in categories:
        row = rows[category.pk]
        if not row.total:
            continue
        qs = category.question_set
        if qs.pk not in sets:
            sets[qs.pk] = Row(title=qs.title, set_slug=qs.slug)
        sets[qs.pk].add(row)
        sets[qs.pk].children.append(row)
        overall.add(row)
    forecast = [(today + timedelta(days=i), n) for i, n in enumerate(per_day)]
    return overall, list(sets.values()), forecast


def _fingerprint(user) -> tuple:
    """Changes whenever one of the user's reviews is added, undone or removed: every rating and undo
    bumps its card's version and sets or restores its last review; deleting a card changes the count.

    Read from the card table alone (no join): far cheaper than counting a year of logs.
    """
    figures = Card.objects.of(user).aggregate(
        n=Count("*"), versions=Sum("version"), last_pk=Max("pk"), latest=Max("last_review")
    )
    return tuple(figures.values())


def streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days; today without reviews yet does not break a run."""
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return current, longest


def _activity(user, today: date) -> tuple[dict[date, int], int, int]:
    start = today - timedelta(days=HEATMAP_DAYS - 1)
    per_day = dict(
        ReviewLog.objects.filter(user=user, local_day__gte=start, local_day__lte=today)
        .values_list("local_day")
        # COUNT(*), not COUNT(id): the (user, local_day) index then answers alone (index-only scan)
        .annotate(n=Count("*"))
        .order_by()
        .values_list("local_day", "n")
    )
    days = set(per_day)
    current, longest = streaks(days, today)
    if current and (today - timedelta(days=current)) < start:
        # The streak runs past the chart's window: look further back (rare, one more query).
        older = set(
            ReviewLog.objects.filter(user=user, local_day__lt=start)
            .order_by()
            .values_list("local_day", flat=True)
            .distinct()
        )
        current, longest = streaks(days | older, today)
    return per_day, current, longest


def _cached_activity(user, review_settings: ReviewSettings, today: date, fingerprint: tuple) -> dict:
    """Reviews per day, streaks and the heatmap: the costliest part, counted over a year of logs.

    Cached under the cards' fingerprint, the time zone and the day, which together change whenever
    a log is added, undone, deleted or re-dayed, so every process sees a stale entry as a miss.
    """
    state = repr((user.pk, review_settings.tz.key, today, fingerprint)).encode()
    key = "progress:activity:" + hashlib.sha256(state).hexdigest()
    activity = cache.get(key)
    if activity is None:
        per_day, current, longest = _activity(user, today)
        activity = {
            "streak": current,
            "longest_streak": longest,
            "reviews_today": per_day.get(today, 0),
            "reviews_year": sum(per_day.values()),
            "active_days": len(per_day),
            "heatmap": heatmap_chart(per_day, today, HEATMAP_DAYS),
        }
        cache.set(key, activity, ACTIVITY_CACHE_SECONDS)
    return activity


def _forecast(user, review_settings: ReviewSettings, now: datetime) -> list[tuple[date, int]]:
    """Due reviews per day for the next 30 days in the user's time zone; overdue ones count today."""
    return _category_rows(user, review_settings, now)[2]


def dashboard(user, review_settings: ReviewSettings, now: datetime, readiness_on: date | None = None) -> dict:
    """Everything the dashboard shows; readiness is predicted for `readiness_on` (else in 7 days)."""
    today = now.astimezone(review_settings.tz).date()
    at = readiness_moment(review_settings, now, readiness_on)
    overall, sets, forecast = _category_rows(user, review_settings, now, at)
    return {
        "overall": overall,
        "readiness_at": at,
        "readiness_on": readiness_on,
        "readiness_days": READINESS_DEFAULT_DAYS,
        "mastered_days": int(MASTERED_STABILITY_DAYS),
        "sets": sets,
        **_cached_activity(user, review_settings, today, _fingerprint(user)),
        "forecast": forecast_chart(forecast),
        "today": today,
    }


@dataclass
class InterviewFigures:
    interview: object
    days_left: int
    total: int
    readiness: float

    @property
    def on_target(self) -> bool:
        return self.total > 0 and self.readiness >= self.interview.target


def interview_figures(user, review_settings: ReviewSettings, interviews, now: datetime) -> list[InterviewFigures]:
    """Readiness on each interview's date over its scope, unseen questions counting as 0: one query."""
    interviews = list(interviews)
    if not interviews:
        return []
    today = review_settings.local_day(now)
    reviewed = Q(card__last_review__isnull=False)
    sums = {}
    for i, interview in enumerate(interviews):
        in_scope = interview.questions_q()
        at = readiness_moment(review_settings, now, interview.on)
        sums[f"n{i}"] = Count("pk", filter=in_scope) if in_scope else Count("pk")
        sums[f"r{i}"] = Sum(retrievability(at, "card__", review_settings.fsrs_parameters), filter=reviewed & in_scope)
    figures = (
        Question.objects.listed()
        .alias(card=FilteredRelation("review_cards", condition=Q(review_cards__user=user)))
        .aggregate(**sums)
    )
    result = []
    for i, interview in enumerate(interviews):
        total = figures[f"n{i}"]
        readiness = (figures[f"r{i}"] or 0.0) / total if total else 0.0
        result.append(InterviewFigures(interview, interview.days_left(today), total, readiness))
    return result
