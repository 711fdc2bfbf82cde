"""Scheduling workflows: rating a card (from a review or a quiz), undo, bury, suspend.

All scheduling arithmetic is fsrs's; this module only moves state between rows and fsrs objects.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import fsrs
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery

from .models import Card, ReviewLog, ReviewSettings, valid_time_zone


class StaleCard(Exception):
    """The card changed since the form was rendered (double post, another tab)."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def settings_for(user, browser_time_zone: str = "") -> ReviewSettings:
    """The user's settings, created on first use; an unset time zone takes the browser's."""
    review_settings, _ = ReviewSettings.objects.get_or_create(user=user)
    if not review_settings.time_zone and valid_time_zone(browser_time_zone):
        review_settings.time_zone = browser_time_zone
        review_settings.save(update_fields=["time_zone"])
    return review_settings


def get_or_create_card(user, question, now: datetime | None = None, *, known_missing: bool = False) -> Card:
    """The user's card for the question, created (new, due now) if it does not exist yet."""
    if not known_missing:
        card = Card.objects.filter(user=user, question=question).first()
        if card is not None:
            return card
    fields = {"user": user, "question": question, "due": now or utc_now()}
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint, so a lost race does not spoil the outer transaction
                return Card.objects.create(**fields)
        return Card.objects.create(**fields)  # one statement: autocommit needs no transaction around it
    except IntegrityError:  # created by a concurrent request in the meantime
        return Card.objects.get(user=user, question=question)


def _rate(
    card: Card,
    rating: fsrs.Rating,
    *,
    review_settings: ReviewSettings,
    now: datetime,
    duration_ms: int,
    source: str,
) -> ReviewLog:
    """Apply the rating to `card` in memory and return the (unsaved) log of it."""
    before = card.snapshot()
    # card_id=0: fsrs.Card sleeps a millisecond to invent an id when given none
    current = fsrs.Card(
        card_id=card.pk or 0, state=fsrs.State(card.state), step=card.step, stability=card.stability,
        difficulty=card.difficulty, due=card.due, last_review=card.last_review,
    )
    new_card, _ = review_settings.scheduler().review_card(
        current, rating, review_datetime=now, review_duration=duration_ms
    )
    card.set_from_fsrs(new_card)
    card.version += 1
    return ReviewLog(
        user_id=card.user_id,
        card=card,
        rating=rating.value,
        reviewed_at=now,
        local_day=review_settings.local_day(now),
        duration_ms=max(0, int(duration_ms)),
        source=source,
        state_before=before["state"],
        step_before=before["step"],
        stability_before=before["stability"],
        difficulty_before=before["difficulty"],
        due_before=before["due"],
        last_review_before=before["last_review"],
        state_after=card.state,
        step_after=card.step,
        stability_after=card.stability,
        difficulty_after=card.difficulty,
        due_after=card.due,
    )


SCHEDULE_FIELDS = ["state", "step", "stability", "difficulty", "due", "last_review", "version"]


def _apply_rating(card: Card, rating: fsrs.Rating, **kwargs) -> ReviewLog:
    log = _rate(card, rating, **kwargs)
    card.save(update_fields=SCHEDULE_FIELDS)
    log.save(force_insert=True)
    return log


def _as_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        raise ValueError("answered_at must be timezone-aware")
    return moment.astimezone(timezone.utc)


def rate_card(
    user,
    card_id: int,
    rating: fsrs.Rating | int,
    *,
    version: int,
    duration_ms: int = 0,
    now: datetime | None = None,
    review_settings: ReviewSettings | None = None,
) -> ReviewLog:
    """Rate a card from a review session.

    Raises Card.DoesNotExist for a card that is not the user's, StaleCard when `version`
    is not the card's current one (the rating was already applied, or another tab moved on).
    """
    now = _as_utc(now)
    review_settings = review_settings or settings_for(user)
    with transaction.atomic():
        card = Card.objects.select_for_update().get(pk=card_id, user=user)
        if card.version != version:
            raise StaleCard
        return _apply_rating(
            card,
            fsrs.Rating(rating),
            review_settings=review_settings,
            now=now,
            duration_ms=duration_ms,
            source=ReviewLog.Source.REVIEW,
        )


def record_quiz_answer(
    user,
    question,
    *,
    correct: bool,
    slow: bool = False,
    duration_ms: int = 0,
    answered_at: datetime | None = None,
) -> ReviewLog:
    """Feed a quiz answer into the schedule: wrong → Again, right → Good, right but slow → Hard.

    Called on every quiz answer, so it is kept to three statements: the locked card (with the
    user's settings in the same query), its update and the log; a first answer inserts the card
    already rated instead of updating it.
    """
    if not correct:
        rating = fsrs.Rating.Again
    elif slow:
        rating = fsrs.Rating.Hard
    else:
        rating = fsrs.Rating.Good
    now = _as_utc(answered_at)
    kwargs = {"now": now, "duration_ms": duration_ms, "source": ReviewLog.Source.QUIZ}
    of_user = ReviewSettings.objects.filter(user_id=OuterRef("user_id"))
    with transaction.atomic():
        card = (
            Card.objects.select_for_update()
            .filter(user_id=user.pk, question_id=question.pk)
            .annotate(
                settings_retention=Subquery(of_user.values("desired_retention")),
                settings_time_zone=Subquery(of_user.values("time_zone")),
            )
            .first()
        )
        if card is not None:
            review_settings = _unsaved_settings(user, card.settings_retention, card.settings_time_zone)
            return _apply_rating(card, rating, review_settings=review_settings, **kwargs)
        stored = ReviewSettings.objects.filter(user_id=user.pk).values_list("desired_retention", "time_zone").first()
        review_settings = _unsaved_settings(user, *(stored or (None, None)))
        card = Card(user_id=user.pk, question_id=question.pk, due=now)
        log = _rate(card, rating, review_settings=review_settings, **kwargs)
        try:
            with transaction.atomic():  # a savepoint: a lost race must not spoil the transaction
                card.save(force_insert=True)
        except IntegrityError:  # a concurrent answer created the card first: rate that one
            card = Card.objects.select_for_update().get(user_id=user.pk, question_id=question.pk)
            return _apply_rating(card, rating, review_settings=review_settings, **kwargs)
        log.card = card
        log.save(force_insert=True)
        return log


def _unsaved_settings(user, desired_retention: float | None, time_zone: str | None) -> ReviewSettings:
    """The settings as read along with the card; created (once per user) when there are none yet."""
    if desired_retention is None:
        return settings_for(user)
    return ReviewSettings(user_id=user.pk, desired_retention=desired_retention, time_zone=time_zone)


def undo_rating(user, log_id: int) -> Card | None:
    """Restore the card exactly as it was before the log's rating, and drop the log.

    Only the user's latest review-session rating can be undone, and only while the card is
    unchanged since; otherwise (already undone, or superseded) nothing happens and None returns.
    """
    with transaction.atomic():
        log = (
            ReviewLog.objects.filter(user=user, source=ReviewLog.Source.REVIEW)
            .order_by("-reviewed_at", "-pk")
            .first()
        )
        if log is None or log.pk != log_id:
            return None
        card = Card.objects.select_for_update().get(pk=log.card_id, user=user)
        if card.last_review != log.reviewed_at or card.logs.filter(reviewed_at__gt=log.reviewed_at).exists():
            return None
        for field, value in log.before().items():
            setattr(card, field, value)
        card.version += 1
        card.save(update_fields=SCHEDULE_FIELDS)
        log.delete()
        return card


def last_undoable(user) -> ReviewLog | None:
    return (
        ReviewLog.objects.filter(user=user, source=ReviewLog.Source.REVIEW)
        .select_related("card__question")
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def start_of_tomorrow(review_settings: ReviewSettings, now: datetime) -> datetime:
    local = now.astimezone(review_settings.tz)
    tomorrow = (local + timedelta(days=1)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=review_settings.tz).astimezone(timezone.utc)


def _change(user, card_id: int, version: int | None, **fields) -> Card:
    with transaction.atomic():
        card = Card.objects.select_for_update().get(pk=card_id, user=user)
        if version is not None and card.version != version:
            raise StaleCard
        Card.objects.filter(pk=card.pk).update(version=F("version") + 1, **fields)
        card.refresh_from_db()
        return card


def bury_card(user, card_id: int, *, version: int | None = None, now: datetime | None = None) -> Card:
    """Hide the card until the start of tomorrow in the user's time zone."""
    now = _as_utc(now)
    return _change(user, card_id, version, buried_until=start_of_tomorrow(settings_for(user), now))


def suspend_card(user, card_id: int, *, version: int | None = None) -> Card:
    return _change(user, card_id, version, suspended=True)


def unsuspend_card(user, card_id: int) -> Card:
    return _change(user, card_id, None, suspended=False, buried_until=None)


def change_time_zone(review_settings: ReviewSettings, time_zone: str) -> None:
    """Save a new time zone and re-day every review in it, so streak and heatmap follow."""
    from django.db.models.functions import TruncDate

    with transaction.atomic():
        review_settings.time_zone = time_zone
        review_settings.save(update_fields=["time_zone"])
        ReviewLog.objects.filter(user_id=review_settings.user_id).update(
            local_day=TruncDate("reviewed_at", tzinfo=review_settings.tz)
        )
