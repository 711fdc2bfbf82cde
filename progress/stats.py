"""Figures for the review buttons and the progress dashboard.

Counting is done by the database (grouped and conditional aggregates); only retrievability,
which fsrs computes, is evaluated per card in Python, once per reviewed card, never per log.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import fsrs
from django.db.models import Count, FloatField, Func, Q

from questions.models import Category

from .charts import forecast_chart, heatmap_chart
from .models import Card, ReviewLog, ReviewSettings, State
from .services import start_of_tomorrow

HEATMAP_DAYS = 371  # 53 full weeks
FORECAST_DAYS = 30


class Epoch(Func):
    """Seconds since 1970 of a datetime column, computed by the database.

    Reading 10,000 floats is far cheaper than parsing 10,000 datetimes in Python (SQLite).
    """

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra)


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


def previews(review_settings: ReviewSettings, card: Card, now: datetime) -> dict[int, str]:
    """The interval each rating would give, computed by the same (unfuzzed) scheduler that rates."""
    scheduler = review_settings.scheduler()
    current = card.to_fsrs()
    return {
        rating.value: interval_label(scheduler.review_card(current, rating, review_datetime=now)[0].due - now)
        for rating in fsrs.Rating
    }


def card_info(review_settings: ReviewSettings, card: Card, now: datetime) -> dict:
    if card.is_new:
        return {}
    return {
        "stability": card.stability,
        "difficulty": card.difficulty,
        "retrievability": review_settings.scheduler().get_card_retrievability(card.to_fsrs(), now),
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
        """Mean retrievability now over all questions, unseen ones counting as 0."""
        return self.retrievability_sum / self.total if self.total else 0.0

    def add(self, other: Row) -> None:
        for name in ("total", "learning", "review", "suspended", "due", "mastered", "retrievability_sum"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _category_rows(user, review_settings: ReviewSettings, now: datetime) -> tuple[Row, list[Row]]:
    categories = (
        Category.objects.with_question_counts()
        .filter(question_count__gt=0)
        .select_related("question_set")
        .order_by("question_set__title", "position")
    )
    rows = {c.pk: Row(title=c.title, category=c, total=c.question_count) for c in categories}
    end_of_today = start_of_tomorrow(review_settings, now)
    cards = Card.objects.of(user).filter(question__archived=False)
    reviewed = Q(last_review__isnull=False)
    grouped = cards.values("question__category_id").annotate(
        n_learning=Count("pk", filter=reviewed & Q(state__in=(State.LEARNING, State.RELEARNING))),
        n_review=Count("pk", filter=reviewed & Q(state=State.REVIEW)),
        n_suspended=Count("pk", filter=Q(suspended=True)),
        n_due=Count("pk", filter=reviewed & Q(suspended=False, due__lt=end_of_today)),
    ).order_by()
    for g in grouped:
        row = rows.get(g["question__category_id"])
        if row:
            row.learning, row.review = g["n_learning"], g["n_review"]
            row.suspended, row.due = g["n_suspended"], g["n_due"]

    scheduler = review_settings.scheduler()
    target = review_settings.desired_retention
    now_ts = now.timestamp()
    # One probe card, re-pointed per row: fsrs only reads stability and last_review here.
    probe = fsrs.Card(card_id=0, state=fsrs.State.Review, due=now)
    last_review_for: dict[int, datetime] = {}
    for category_id, stability, reviewed_ts in cards.reviewed().values_list(
        "question__category_id", "stability", Epoch("last_review")
    ):
        row = rows.get(category_id)
        if row is None:
            continue
        # fsrs counts whole days since the last review; rebuild last_review to that precision.
        days = max(0, int((now_ts - reviewed_ts) // 86400))
        if days not in last_review_for:
            last_review_for[days] = now - timedelta(days=days)
        probe.stability, probe.last_review = stability, last_review_for[days]
        r = scheduler.get_card_retrievability(probe, now)
        row.retrievability_sum += r
        row.mastered += r >= target

    overall = Row(title="All questions")
    sets: dict[int, Row] = {}
    for category in categories:
        row = rows[category.pk]
        qs = category.question_set
        if qs.pk not in sets:
            sets[qs.pk] = Row(title=qs.title, set_slug=qs.slug)
        sets[qs.pk].add(row)
        sets[qs.pk].children.append(row)
        overall.add(row)
    return overall, list(sets.values())


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
        .annotate(n=Count("pk"))
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


def _forecast(user, review_settings: ReviewSettings, now: datetime) -> list[tuple[date, int]]:
    """Due reviews per day for the next 30 days in the user's time zone; overdue ones count today."""
    tz = review_settings.tz
    today = now.astimezone(tz).date()
    bounds = [
        datetime.combine(today + timedelta(days=i + 1), datetime.min.time(), tzinfo=tz) for i in range(FORECAST_DAYS)
    ]
    dues = (
        Card.objects.of(user)
        .reviewed()
        .filter(suspended=False, question__archived=False, due__lt=bounds[-1])
        .values_list(Epoch("due"), flat=True)
    )
    edges = [bound.timestamp() for bound in bounds]
    per_day = [0] * FORECAST_DAYS
    for due in dues:
        per_day[min(bisect_right(edges, due), FORECAST_DAYS - 1)] += 1
    return [(today + timedelta(days=i), n) for i, n in enumerate(per_day)]


def dashboard(user, review_settings: ReviewSettings, now: datetime) -> dict:
    today = now.astimezone(review_settings.tz).date()
    overall, sets = _category_rows(user, review_settings, now)
    per_day, current_streak, longest_streak = _activity(user, today)
    forecast = _forecast(user, review_settings, now)
    return {
        "overall": overall,
        "sets": sets,
        "streak": current_streak,
        "longest_streak": longest_streak,
        "reviews_today": per_day.get(today, 0),
        "reviews_year": sum(per_day.values()),
        "active_days": len(per_day),
        "heatmap": heatmap_chart(per_day, today, HEATMAP_DAYS),
        "forecast": forecast_chart(forecast),
        "today": today,
    }
