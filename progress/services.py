"""Scheduling workflows: rating a card (from a review or a quiz), undo, bury, suspend.

Each is a thin wrapper that locks the card (a review rating on PostgreSQL writes in one guarded
statement instead) and calls the Card model, which rates, undoes and logs; fsrs does the arithmetic.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import fsrs
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, Subquery, prefetch_related_objects
from django.db.models.functions import TruncDate

from prepsite import precompiled
from questions.models import Question

from .models import SETTINGS_FIELDS, Card, Interview, ReviewLog, ReviewSettings, valid_time_zone


class StaleCard(Exception):
    """The card changed since the form was rendered (double post, another tab)."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)




def _settings_query(user_id: int):
    return (ReviewSettings.objects.filter(user_id=user_id).order_by("pk")
            .values(*SETTINGS_FIELDS, plans=Interview.objects.applied_plans_count(OuterRef("user_id")))[:1])


def _saved_settings(user) -> ReviewSettings | None:
    """The user's settings row, read on every review and dashboard request: a precompiled query,
    which also counts the user's applied plans (with none, the queue need not look for one)."""
    rows = precompiled.run("review-settings", _settings_query, user.pk)
    return ReviewSettings.from_row(rows[0], plans_applied=rows[0]["plans"]) if rows else None


_UNREAD = object()


def settings_for(user, browser_time_zone: str = "", *, save: bool = False, saved=_UNREAD) -> ReviewSettings:
    """The user's settings; an unset time zone takes the browser's.

    Without `save` nothing is written (GET requests): a user without settings gets unsaved defaults.
    `saved` is the user's settings row when the caller has just read it (None: there is none).
    """
    if saved is _UNREAD:
        saved = _saved_settings(user)
    if save:
        review_settings = saved or ReviewSettings.objects.get_or_create(user=user)[0]
    else:
        review_settings = saved or ReviewSettings(user=user)
    if not review_settings.time_zone and valid_time_zone(browser_time_zone):
        review_settings.time_zone = browser_time_zone
        if review_settings.pk:
            review_settings.save(update_fields=["time_zone"])
    return review_settings


def _as_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        raise ValueError("answered_at must be timezone-aware")
    return moment.astimezone(timezone.utc)


def _locked_card(user, question_id: int, now: datetime) -> Card:
    """The user's card for the question, locked; a new unsaved one (due now) when there is none.

    Question.DoesNotExist when there is no card and the question is not listed.
    """
    found = precompiled.instances("locked-card", _locked_card_query, user.pk, question_id)
    if found:
        return found[0]
    if not precompiled.run("listed-question", _listed_question_query, question_id):
        raise Question.DoesNotExist("No such question.")
    return Card(user_id=user.pk, question_id=question_id, due=now)


def _locked_card_query(user_id: int, question_id: int):
    return Card.objects.select_for_update().filter(user_id=user_id, question_id=question_id).order_by("pk")[:1]


def _listed_question_query(question_id: int):
    return Question.objects.listed().filter(pk=question_id).values("pk")[:1]


def _review(user, question_id: int, card: Card, rating: fsrs.Rating, **kwargs) -> ReviewLog:
    """card.review(), where a lost race to insert a new card rates the card that won instead."""
    if card.pk is not None:
        return card.review(rating, **kwargs)
    try:
        with transaction.atomic():  # a savepoint: a lost race must not spoil the outer transaction
            return card.review(rating, **kwargs)
    except IntegrityError:
        card = Card.objects.select_for_update().get(user_id=user.pk, question_id=question_id)
        return card.review(rating, **kwargs)


def rate_question(
    user,
    question_id: int,
    rating: fsrs.Rating | int,
    *,
    version: int | None,
    duration_ms: int = 0,
    now: datetime | None = None,
    review_settings: ReviewSettings | None = None,
    source: str = ReviewLog.Source.REVIEW,
) -> ReviewLog:
    """Rate the user's card for a question in a review session (or on a flashcard); a first rating creates the card.

    Raises Question.DoesNotExist for a question that is not listed, StaleCard when `version` is not
    the card's current one (the rating was already applied, or another tab moved on). The drill
    passes None: its own step row detects a replayed post.
    """
    now = _as_utc(now)
    review_settings = review_settings or settings_for(user, save=True)
    rating = fsrs.Rating(rating)
    options = {"now": now, "duration_ms": duration_ms, "source": source, "review_settings": review_settings}
    if version is not None and connection.vendor == "postgresql":
        log = _rate_guarded(user, question_id, version, rating, options)
        if log is not None:
            return log
    with transaction.atomic():
        card = _locked_card(user, question_id, now)
        if version is not None and card.version != version:
            raise StaleCard
        return _review(user, question_id, card, rating, **options)


def _rate_guarded(user, question_id: int, version: int, rating: fsrs.Rating, options: dict) -> ReviewLog | None:
    """The rating in two round trips at most and without a transaction: the card as the form saw it
    (a form for a new card saw none), then one statement that writes only if it is still so. None
    when there is no such card or question, or another request got there first: the locked path
    then sorts out which."""
    if version == 0:  # a card gets version 1 when first written
        card = Card(user_id=user.pk, question_id=question_id, due=options["now"])
    else:
        found = precompiled.instances("card", _card_query, user.pk, question_id)
        if not found:
            return None
        card = found[0]
        if card.version != version:
            raise StaleCard
    return card.review_if_unchanged(rating, **options)


def _card_query(user_id: int, question_id: int):
    return Card.objects.filter(user_id=user_id, question_id=question_id).order_by("pk")[:1]


def quiz_rating(correct: bool, duration_ms: int = 0, seconds_per_item: int | None = None) -> fsrs.Rating:
    """Wrong → Again; right → Good, or Hard when slower than half the item's time budget."""
    if not correct:
        return fsrs.Rating.Again
    if seconds_per_item and duration_ms > seconds_per_item * 500:
        return fsrs.Rating.Hard
    return fsrs.Rating.Good


def record_quiz_answer(
    user,
    question,
    *,
    correct: bool,
    duration_ms: int = 0,
    seconds_per_item: int | None = None,
    answered_at: datetime | None = None,
    rating: fsrs.Rating | int | None = None,
) -> ReviewLog:
    """Feed a quiz answer into the schedule: with the user's own `rating` (self-graded recall),
    else rated by quiz_rating().

    Called on every quiz answer, so it is kept to three statements: the locked card (with the
    user's settings in the same query), its update and the log; a first answer inserts the card
    already rated instead of updating it.
    """
    rating = fsrs.Rating(rating) if rating is not None else quiz_rating(correct, duration_ms, seconds_per_item)
    now = _as_utc(answered_at)
    of_user = ReviewSettings.objects.filter(user_id=OuterRef("user_id"))
    with transaction.atomic():
        card = (
            Card.objects.select_for_update()
            .filter(user_id=user.pk, question_id=question.pk)
            .annotate(
                settings_retention=Subquery(of_user.values("desired_retention")),
                settings_time_zone=Subquery(of_user.values("time_zone")),
                settings_parameters=Subquery(of_user.values("parameters")),
            )
            .first()
        )
        if card is not None:
            stored = (card.settings_retention, card.settings_time_zone, card.settings_parameters)
        else:
            stored = ReviewSettings.objects.filter(user_id=user.pk).values_list(
                "desired_retention", "time_zone", "parameters").first()
            card = Card(user_id=user.pk, question_id=question.pk, due=now)
        review_settings = _unsaved_settings(user, *(stored or (None, None, None)))
        return _review(user, question.pk, card, rating, now=now, duration_ms=duration_ms,
                       source=ReviewLog.Source.QUIZ, review_settings=review_settings)


def _unsaved_settings(user, desired_retention: float | None, time_zone: str | None, parameters) -> ReviewSettings:
    """The settings as read along with the card; created (once per user) when there are none yet."""
    if desired_retention is None:
        return settings_for(user, save=True)
    return ReviewSettings(user_id=user.pk, desired_retention=desired_retention, time_zone=time_zone,
                          parameters=parameters or [])


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
        card.undo(log)
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


def _change(user, question_id: int, version: int | None, now: datetime, **fields) -> Card:
    """Lock (or create) the user's card for the question and set `fields` on it."""
    with transaction.atomic():
        card = _locked_card(user, question_id, now)
        if version is not None and card.version != version:
            raise StaleCard
        for name, value in fields.items():
            setattr(card, name, value)
        card.version += 1
        if card.pk is None:
            try:
                with transaction.atomic():
                    card.save(force_insert=True)
            except IntegrityError:  # created by a concurrent request: it has moved on
                raise StaleCard from None
        else:
            card.save(update_fields=[*fields, "version"])
        return card


def bury_card(user, question_id: int, *, version: int | None = None, now: datetime | None = None) -> Card:
    """Hide the question's card until the start of tomorrow in the user's time zone."""
    now = _as_utc(now)
    return _change(user, question_id, version, now, buried_until=start_of_tomorrow(settings_for(user), now))


def suspend_card(user, question_id: int, *, version: int | None = None) -> Card:
    return _change(user, question_id, version, utc_now(), suspended=True)


def unsuspend_card(user, card_id: int) -> Card:
    """Bring a suspended card back (by the card's id: only existing cards are ever suspended)."""
    with transaction.atomic():
        card = Card.objects.select_for_update().select_related("question").get(pk=card_id, user=user)
        card.suspended, card.buried_until = False, None
        card.version += 1
        card.save(update_fields=["suspended", "buried_until", "version"])
        return card


def change_time_zone(review_settings: ReviewSettings, time_zone: str) -> None:
    """Save a new time zone and re-day every review in it, so streak and heatmap follow."""
    with transaction.atomic():
        review_settings.time_zone = time_zone
        review_settings.save(update_fields=["time_zone"] if review_settings.pk else None)
        ReviewLog.objects.filter(user_id=review_settings.user_id).update(
            local_day=TruncDate("reviewed_at", tzinfo=review_settings.tz)
        )


def _interviews_query(user_id: int, today):
    return (Interview.objects.filter(user_id=user_id).filter(Q(on__gte=today) | Q(outcome=""))
            .select_related("question_set").order_by("on", "pk"))


def interviews_for(user, today) -> tuple[list[Interview], list[Interview]]:
    """The user's upcoming interviews (nearest first), and past ones not yet told how they went.
    Precompiled: the dashboard reads them on every load; their categories are one more query, if any."""
    rows = precompiled.instances("interviews-for", _interviews_query, user.pk, today)
    if rows:
        prefetch_related_objects(rows, "categories")
    upcoming, awaiting = [], []
    for interview in rows:
        (upcoming if interview.on >= today else awaiting).append(interview)
    return upcoming, awaiting[::-1]
