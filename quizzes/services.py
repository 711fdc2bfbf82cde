"""Quiz workflows: starting an attempt, answering and grading items, finishing on time.

The server's clock decides: an answer that arrives after the deadline is refused and
closes the attempt, whatever the page's countdown showed.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from progress.models import Card, valid_time_zone
from progress.services import record_quiz_answer, settings_for, start_of_tomorrow
from questions.models import Question, QuestionSet

from .generation import Spec, generate
from .kinds import KINDS
from .models import Attempt, AttemptItem, FinishReason


class QuizError(Exception):
    """A request the quiz cannot honour; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


class TooLate(QuizError):
    def __init__(self, message: str):
        super().__init__(message, status=409)


class Finished(QuizError):
    def __init__(self, message: str = "This quiz is finished; its answers can no longer be changed."):
        super().__init__(message, status=409)


@dataclass
class Outcome:
    item: AttemptItem
    applied: bool  # False when the same answer had already been recorded (double post)
    finished: bool
    attempt: Attempt | None = None
    # Every item of the attempt (snapshots deferred), as they are after this request.
    items: list[AttemptItem] = field(default_factory=list)


def weak_question_ids(user, question_set: QuestionSet, now=None) -> list[int]:
    """Questions the user got wrong in a quiz, or whose card is weak (rated Again, or fading)."""
    now = now or timezone.now()
    in_set = {"question__category__question_set": question_set}
    wrong = set(
        AttemptItem.objects.filter(attempt__user=user, correct=False, **in_set).values_list("question_id", flat=True)
    )
    wrong |= set(Card.objects.of(user).weak(now).filter(**in_set).values_list("question_id", flat=True))
    wrong.discard(None)
    return sorted(wrong)


def due_question_ids(user, question_set: QuestionSet, now=None) -> list[int]:
    """The questions a review session would show now, by the user's own day."""
    now = now or timezone.now()
    day_ends = start_of_tomorrow(settings_for(user), now)
    return sorted(
        Card.objects.of(user).due_now(now, day_ends)
        .filter(question__category__question_set=question_set)
        .values_list("question_id", flat=True)
    )


def describe(question_set: QuestionSet, categories, kinds: list[str], preset: str = "") -> str:
    """A quiz's name says what it covers: "Weak spots · Django", "ORM, Views · Code cloze, Key point"."""
    if preset:
        return f"{preset} · {question_set.title}"[:200]
    cover = ", ".join(c.title for c in categories) or question_set.title
    labels = "all item types" if set(kinds) >= set(KINDS) else ", ".join(KINDS[k].label for k in kinds if k in KINDS)
    return f"{cover} · {labels}"[:200]


RECENT_QUIZZES = 20


def recently_asked(user, question_set: QuestionSet) -> dict[int, float]:
    """When each question was last asked in the user's recent quizzes of the set (a timestamp)."""
    recent = Attempt.objects.of(user).filter(question_set=question_set).order_by("-started_at").values("pk")
    rows = (AttemptItem.objects.filter(attempt__in=recent[:RECENT_QUIZZES], question__isnull=False)
            .values("question_id").annotate(last=Max("attempt__started_at")).values_list("question_id", "last"))
    return {pk: last.timestamp() for pk, last in rows}


def start_attempt(
    user,
    question_set: QuestionSet,
    *,
    count: int,
    kinds: list[str],
    seconds_per_item: int,
    feedback: str,
    title: str,
    category_ids: list[int] | None = None,
    question_ids: list[int] | None = None,
    seed: int | None = None,
) -> Attempt:
    """Generate the items and open the attempt; QuizError when the content yields none."""
    seed = secrets.randbits(48) if seed is None else seed
    spec = Spec(question_set.pk, seed, count, kinds, category_ids or None, question_ids,
                recent=recently_asked(user, question_set))
    items = generate(spec)
    if not items:
        raise QuizError("No quiz items can be made from this choice: pick more categories or item types.")
    now = timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.create(
            user=user,
            question_set=question_set,
            set_title=question_set.title,
            title=title[:200],
            seed=seed,
            config={
                "count": count,
                "kinds": kinds,
                "category_ids": category_ids or [],
                "question_ids": question_ids,
                "asked": len(items),
            },
            feedback=feedback,
            seconds_per_item=seconds_per_item,
            started_at=now,
            # The whole quiz shares one budget, so time saved on one item is there for the next.
            deadline=now + timedelta(seconds=seconds_per_item * len(items)),
        )
        AttemptItem.objects.bulk_create(
            AttemptItem(attempt=attempt, position=i, kind=item["kind"], question_id=item["question_id"], snapshot=item)
            for i, item in enumerate(items)
        )
    return attempt


def close_if_expired(attempt: Attempt, now=None) -> bool:
    """Finalize an attempt whose deadline has passed; True when it is (now) finished."""
    if attempt.finished_at:
        return True
    if attempt.is_expired(now):
        attempt.finalize(FinishReason.TIMEOUT, now)
        return True
    return False


def finish(attempt: Attempt, now=None) -> None:
    """The user hands in early (or the countdown reached zero)."""
    if close_if_expired(attempt, now):
        return
    attempt.finalize(FinishReason.SUBMITTED, now)


def _pick(items: list[AttemptItem], number: int) -> AttemptItem:
    if not 1 <= number <= len(items):
        raise QuizError(f"This quiz has no item {number}.")
    return items[number - 1]


def _late_message(attempt: Attempt, now) -> str:
    late = max(0, round((now - attempt.deadline).total_seconds()))
    name = settings_for(attempt.user).time_zone
    zone = valid_time_zone(name)
    # The server runs on UTC: a clock time is only shown in the user's own time zone.
    ended = f"the quiz ended at {attempt.deadline.astimezone(zone):%H:%M:%S} ({name}) and " if zone else ""
    return (
        f"Time is up: {ended}this answer arrived {late} s after the deadline, so it was not counted. "
        "The quiz has been finished."
    )


def _check_open(attempt: Attempt, now) -> None:
    if attempt.finished_at:
        raise Finished()
    if attempt.is_expired(now):
        raise TooLate(_late_message(attempt, now))


def _on_time(user, attempt_id: int, now, work) -> Outcome:
    """Run `work` on the user's attempt, locked, in a transaction; a late request closes the
    attempt after the rollback. Attempt.DoesNotExist for someone else's attempt."""
    locked = None
    try:
        with transaction.atomic():
            locked = Attempt.objects.select_for_update().get(pk=attempt_id, user=user)
            locked.user = user
            # The navigation needs no snapshots; the item answered loads its own.
            items = list(AttemptItem.objects.filter(attempt=locked).defer("snapshot").order_by("position"))
            return work(locked, items)
    except TooLate:
        locked.finalize(FinishReason.TIMEOUT, now)
        raise


def parse_response(item: AttemptItem, choices: list[str], text: str) -> dict:
    """The posted answer, validated against the item's own choices; QuizError when tampered."""
    snap = item.snapshot
    text = (text or "").strip()
    if item.self_graded:
        if len(text) > 10_000:
            raise QuizError("The answer is too long (10,000 characters at most).")
        return {"text": text}
    valid = {c["id"] for c in snap.get("choices") or []}
    choices = [c for c in choices if c != ""]
    unknown = [c for c in choices if c not in valid]
    if unknown:
        raise QuizError(f"“{unknown[0][:20]}” is not one of the options of item {item.number}.")
    if len(set(choices)) != len(choices):
        raise QuizError("The same option was sent twice.")
    if text and snap.get("typing"):
        if len(text) > 200:
            raise QuizError("The typed answer is too long.")
        return {"text": text}
    if not choices:
        raise QuizError("Pick an option" + (" or type the identifier." if snap.get("typing") else "."))
    if len(choices) > 1 and not snap.get("multiple"):
        raise QuizError(f"Item {item.number} takes a single option.")
    return {"choices": choices}


def grade(item: AttemptItem, response: dict) -> bool | None:
    snap = item.snapshot
    if item.self_graded:
        return None
    if "text" in response:
        return response["text"].strip() == snap.get("answer_text")
    return sorted(response["choices"]) == sorted(snap.get("key") or [])


def _feed_schedule(attempt: Attempt, item: AttemptItem, rating: int | None = None) -> None:
    if item.question_id is None or item.correct is None:
        return
    record_quiz_answer(
        attempt.user,
        Question(pk=item.question_id),  # only its id is needed; saves a query per answer
        correct=item.correct,
        duration_ms=item.duration_ms,
        seconds_per_item=attempt.seconds_per_item,
        answered_at=item.answered_at,
        rating=rating,
    )


def answer(user, attempt_id: int, number: int, choices: list[str], text: str, now=None) -> Outcome:
    """Record the answer to one item, once; raises TooLate/Finished/QuizError."""
    now = now or timezone.now()

    def work(attempt: Attempt, items: list[AttemptItem]) -> Outcome:
        item = _pick(items, number)
        if item.answered_at is not None:
            return Outcome(item, applied=False, finished=attempt.is_finished, attempt=attempt, items=items)
        _check_open(attempt, now)
        response = parse_response(item, choices, text)
        correct = grade(item, response)
        started = item.shown_at or _last_action(attempt, items)
        duration = max(0, int((now - started).total_seconds() * 1000))
        # The attempt's row lock serializes answers; the guard still covers SQLite, which has no row locks.
        updated = AttemptItem.objects.filter(pk=item.pk, answered_at__isnull=True).update(
            answered_at=now, response=response, correct=correct, duration_ms=duration
        )
        if not updated:
            item.refresh_from_db(fields=["answered_at", "response", "correct", "duration_ms"])
            return Outcome(item, applied=False, finished=False, attempt=attempt, items=items)
        item.answered_at, item.response, item.correct, item.duration_ms = now, response, correct, duration
        _feed_schedule(attempt, item)
        return Outcome(item, applied=True, finished=_finish_when_done(attempt, items, now), attempt=attempt,
                       items=items)

    return _on_time(user, attempt_id, now, work)


def mark_recall(user, attempt_id: int, number: int, verdict: str, now=None, rating: int | None = None) -> Outcome:
    """The user's own mark for a recall item, after seeing the model answer; their rating, when
    given, is what the schedule records (else right is Good, wrong is Again)."""
    now = now or timezone.now()
    if verdict not in ("right", "wrong"):
        raise QuizError("Mark the answer as right or wrong.")

    def work(attempt: Attempt, items: list[AttemptItem]) -> Outcome:
        item = _pick(items, number)
        if not item.self_graded:
            raise QuizError(f"Item {item.number} is graded automatically.")
        if item.answered_at is None:
            raise QuizError(f"Write your answer to item {item.number} before marking it.")
        if item.correct is not None:
            return Outcome(item, applied=False, finished=attempt.is_finished, attempt=attempt, items=items)
        _check_open(attempt, now)
        if not AttemptItem.objects.filter(pk=item.pk, correct__isnull=True).update(correct=verdict == "right"):
            item.refresh_from_db(fields=["correct"])
            return Outcome(item, applied=False, finished=False, attempt=attempt, items=items)
        item.correct = verdict == "right"
        _feed_schedule(attempt, item, rating)
        return Outcome(item, applied=True, finished=_finish_when_done(attempt, items, now), attempt=attempt,
                       items=items)

    return _on_time(user, attempt_id, now, work)


def _finish_when_done(attempt: Attempt, items: list[AttemptItem], now) -> bool:
    if any(i.correct is None for i in items):
        return False
    attempt.finalize(FinishReason.COMPLETED, now, items=items)
    return True


def _last_action(attempt: Attempt, items: list[AttemptItem]):
    """When an item reached by a link (a GET, which records nothing) started: the user's last
    answer or move in the attempt, else its start."""
    times = [t for i in items for t in (i.answered_at, i.shown_at) if t is not None]
    return max([attempt.started_at, *times])


def mark_shown(item: AttemptItem, now=None) -> None:
    """Start the item's answer time; only a POST that moves to it calls this."""
    if item.shown_at is None:
        now = now or timezone.now()
        AttemptItem.objects.filter(pk=item.pk, shown_at__isnull=True).update(shown_at=now)
        item.shown_at = now


def retry_missed(attempt: Attempt, seed: int | None = None) -> Attempt:
    """A new attempt asking again the items this one got wrong or left open, choices reshuffled."""
    missed = [item for item in attempt.items.all() if not item.correct]
    if not missed:
        raise QuizError("Nothing to retry: every item of this quiz was answered right.")
    seed = secrets.randbits(48) if seed is None else seed
    rng = random.Random(seed)
    snapshots = []
    for item in missed:
        snap = dict(item.snapshot)
        if snap.get("choices"):
            key_texts = {c["text"] for c in snap["choices"] if c["id"] in set(snap.get("key") or [])}
            texts = [c["text"] for c in snap["choices"]]
            rng.shuffle(texts)
            snap["choices"] = [{"id": "abcdefgh"[i], "text": t} for i, t in enumerate(texts)]
            snap["key"] = [c["id"] for c in snap["choices"] if c["text"] in key_texts]
        snapshots.append((item.question_id, snap))
    now = timezone.now()
    with transaction.atomic():
        retry = Attempt.objects.create(
            user=attempt.user,
            question_set=attempt.question_set,
            set_title=attempt.set_title,
            title=f"Retry of missed items ({attempt.title})"[:200],
            seed=seed,
            config={"retry_of": attempt.pk, "asked": len(snapshots), "kinds": attempt.config.get("kinds", [])},
            feedback=attempt.feedback,
            seconds_per_item=attempt.seconds_per_item,
            started_at=now,
            deadline=now + timedelta(seconds=attempt.seconds_per_item * len(snapshots)),
        )
        AttemptItem.objects.bulk_create(
            AttemptItem(attempt=retry, position=i, kind=snap["kind"], question_id=question_id, snapshot=snap)
            for i, (question_id, snap) in enumerate(snapshots)
        )
    return retry
