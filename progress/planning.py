"""An interview's forecast from the database: its scope's cards read as plain numbers for progress.forecast."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from django.db.models import Count

from questions.models import Question

from . import forecast
from .models import Card, Interview, ReviewLog, ReviewSettings
from .retrievability import Epoch
from .services import start_of_tomorrow

TIMED_REVIEWS = 500  # the latest reviews whose duration gives the user's pace
MIN_TIMED_REVIEWS = 20  # fewer: the stated default pace


def seconds_per_review(user) -> tuple[float, bool]:
    """The median duration of the user's latest timed reviews, and whether it was measured (else the default)."""
    durations = list(
        ReviewLog.objects.filter(user=user, duration_ms__gt=0).order_by("-reviewed_at")
        .values_list("duration_ms", flat=True)[:TIMED_REVIEWS]
    )
    if len(durations) < MIN_TIMED_REVIEWS:
        return forecast.DEFAULT_SECONDS_PER_REVIEW, False
    # capped: a card left open over lunch is not the pace
    return min(statistics.median(durations) / 1000, 300.0), True


def interview_simulation(user, review_settings: ReviewSettings, interview: Interview, now: datetime,
                         desired_retention: float | None = None) -> forecast.Simulation:
    start_of_today = start_of_tomorrow(review_settings, now) - timedelta(days=1)
    origin = start_of_today.timestamp()
    today = review_settings.local_day(now)
    in_scope = Question.objects.listed().filter(interview.questions_q())
    rows = (
        Card.objects.of(user).reviewed().filter(question__in=in_scope)
        .annotate(last_epoch=Epoch("last_review"), due_epoch=Epoch("due"))
        .values_list("stability", "difficulty", "last_epoch", "due_epoch", "suspended")
    )
    cards = [
        forecast.CardState(s or 0.0, d or 5.0, (last - origin) / 86400, (due - origin) / 86400, suspended)
        for s, d, last, due, suspended in rows
    ]
    totals = in_scope.aggregate(n=Count("pk"))
    introduced = ReviewLog.objects.filter(user=user, local_day=today, last_review_before__isnull=True).count()
    pace, _ = seconds_per_review(user)
    return forecast.simulate(
        cards,
        unseen=max(0, totals["n"] - len(cards)),
        days=interview.days_left(today),
        now=(now.timestamp() - origin) / 86400,
        parameters=review_settings.fsrs_parameters or forecast.DEFAULT_PARAMETERS,
        desired_retention=desired_retention or interview.plan_retention or review_settings.desired_retention,
        introduced_today=introduced,
        seconds_per_review=pace,
    )


def interview_state(interview: Interview) -> tuple:
    """Everything of an interview its forecast depends on (categories as prefetched)."""
    return (interview.pk, interview.on, interview.target, interview.scope, interview.question_set_id,
            sorted(category.pk for category in interview.categories.all()), interview.plan_new_per_day,
            interview.plan_retention)


def current_new_per_day(review_settings: ReviewSettings, interview: Interview) -> int:
    return interview.plan_new_per_day if interview.has_plan else review_settings.new_per_day


def interview_plan(user, review_settings: ReviewSettings, interview: Interview, now: datetime) -> forecast.Plan:
    sim = interview_simulation(user, review_settings, interview, now)
    return forecast.plan(sim, new_per_day=current_new_per_day(review_settings, interview), target=interview.target)
