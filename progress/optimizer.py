"""FSRS parameters fitted to one user's reviews (fsrs-rs-python), run as a background job.

The rule: at least MIN_REVIEWS review logs. The fit and both evaluations use the same logs
(in-sample, as Anki's "Evaluate" does); new parameters are kept only when their log loss is lower
than the parameters in use, and the ones they replace stay available for a revert.
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import date
from typing import Iterable

import fsrs
import fsrs_rs_python
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from prepsite import jobs
from prepsite.models import Job

from .models import ReviewLog, ReviewSettings

MIN_REVIEWS = 400
MAX_REVIEWS = 200_000  # the latest ones; bounds the memory and time of one fit
TIME_LIMIT = 120  # seconds for the fit itself
KIND = "fit parameters"
LOWER = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS
UPPER = fsrs.scheduler.UPPER_BOUNDS_PARAMETERS


def histories_from_logs(rows: Iterable[tuple[int, date, int]]) -> list[list[tuple[int, int]]]:
    """Each card's reviews as (rating, whole days since the one before: 0 for the first and for
    same-day steps), from (card id, local day, rating) rows ordered by card, then review time."""
    histories, card, last_day = [], None, None
    for card_id, day, rating in rows:
        if card_id != card:
            card, last_day = card_id, day
            histories.append([])
        histories[-1].append((int(rating), (day - last_day).days))
        last_day = day
    return histories


def items_from_histories(histories: Iterable[list[tuple[int, int]]]) -> list[fsrs_rs_python.FSRSItem]:
    """One training item per review on a later day than the one before: the card's history up to and
    including it. Same-day reviews predict nothing long-term, and fsrs-rs refuses items ending in one."""
    items = []
    for history in histories:
        reviews = [fsrs_rs_python.FSRSReview(rating, delta) for rating, delta in history]
        items.extend(fsrs_rs_python.FSRSItem(reviews[: i + 1]) for i, (_, delta) in enumerate(history) if delta > 0)
    return items


def items_from_logs(rows: Iterable[tuple[int, date, int]]) -> list[fsrs_rs_python.FSRSItem]:
    return items_from_histories(histories_from_logs(rows))


def _compute(parameters: list[float], histories: list[list[tuple[int, int]]]) -> list[float]:
    """The fit itself, in a child process: the Rust call holds the GIL, so only a process can be stopped."""
    return list(fsrs_rs_python.FSRS(parameters).compute_parameters(items_from_histories(histories)))


def clamp(parameters: Iterable[float]) -> list[float]:
    """Within fsrs.Scheduler's bounds, which it validates (fsrs-rs clamps to the same ones)."""
    return [min(max(float(p), lo), hi) for p, lo, hi in zip(parameters, LOWER, UPPER)]


def evaluate(parameters, items) -> dict:
    result = fsrs_rs_python.FSRS(list(parameters)).evaluate(items)
    return {"log_loss": round(float(result.log_loss), 5), "rmse": round(float(result.rmse_bins), 5)}


def _rows(user_id: int):
    logs = ReviewLog.objects.filter(user_id=user_id)
    # the latest MAX_REVIEWS, read back in card and time order
    newest = logs.order_by("-reviewed_at").values("pk")[:MAX_REVIEWS]
    return (
        logs.filter(pk__in=newest).order_by("card_id", "reviewed_at", "pk")
        .values_list("card_id", "local_day", "rating").iterator(chunk_size=5000)
    )


def fit(user_id: int, report=lambda percent, stage: None, time_limit: float | None = None) -> dict:
    """Fit, evaluate and (when better) adopt parameters for the user; returns the figures stored."""
    report(5, "Reading your reviews")
    histories = histories_from_logs(_rows(user_id))
    items = items_from_histories(histories)
    if len(items) < MIN_REVIEWS // 2:
        raise jobs.Failed(f"Too few reviews on a later day than the one before to fit: {len(items)}.")
    review_settings, _ = ReviewSettings.objects.get_or_create(user_id=user_id)
    current = list(review_settings.parameters) or list(fsrs.Scheduler(enable_fuzzing=False).parameters)
    report(20, f"Scoring the parameters in use on {len(items)} reviews")
    default_figures = evaluate(fsrs_rs_python.DEFAULT_PARAMETERS, items)
    current_figures = evaluate(current, items) if review_settings.parameters else default_figures
    report(35, "Fitting (this takes a while)")
    limit = TIME_LIMIT if time_limit is None else time_limit
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(1) as pool:  # leaving the block terminates the child
        try:
            fitted = pool.apply_async(_compute, (current, histories)).get(timeout=limit)
        except multiprocessing.TimeoutError:
            raise jobs.Failed(f"The fit took longer than {limit:.0f} seconds and was stopped; nothing changed.") from None
    fitted = clamp(fitted)
    fsrs.Scheduler(parameters=fitted)  # validates: a bad result fails here, before anything is stored
    report(85, "Scoring the new parameters")
    new_figures = evaluate(fitted, items)
    better = new_figures["log_loss"] < current_figures["log_loss"]
    figures = {
        "at": timezone.now().isoformat(), "reviews": len(items), "seconds": round(time.monotonic() - started, 1),
        "default": default_figures, "current": current_figures, "new": new_figures, "adopted": better,
    }
    report(95, "Saving")
    with transaction.atomic():
        review_settings = ReviewSettings.objects.select_for_update().get(pk=review_settings.pk)
        if better:
            review_settings.use_parameters(fitted, figures)
        else:
            review_settings.fit = figures
            review_settings.save(update_fields=["fit"])
    return figures


@task()
def fit_parameters(job_id: str) -> str:
    return jobs.run(job_id, lambda job: fit(job.payload["user"], job.report))


def start(user) -> Job:
    return Job.start(fit_parameters, kind=KIND, payload={"user": user.pk}, user=user)


def latest_job(user) -> Job | None:
    return Job.objects.filter(user=user, kind=KIND).order_by("-created_at").first()
