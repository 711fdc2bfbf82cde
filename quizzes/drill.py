"""The "answer out loud" drill: which questions a drill asks, each one's key points, the rating rule.

It lives in quizzes because the key points are the quiz items' (quizzes.text); like a quiz it asks
progress to record the rating (progress.services.rate_question, source "drill") and never writes
progress' tables itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from progress.models import Card, Rating, ReviewLog
from progress.services import rate_question, settings_for, start_of_tomorrow
from questions.models import Category, Question, QuestionSet

from .models import Drill, DrillStep
from .text import key_points

MINUTES = (1, 2, 3)
DEFAULT_MINUTES = 2
COUNTS = (3, 5, 10)
DEFAULT_COUNT = 5
MAX_DURATION_MS = 60 * 60 * 1000  # longer than an hour is a tab left open, not speaking time
SHORTCUT_POINTS = 9  # the digits 1–9 toggle the first nine points

AGAIN_BELOW, HARD_BELOW, EASY_FROM = 0.40, 0.70, 0.90
RULE = ("Under 40 % of the points covered: Again; under 70 %: Hard; 90 % or more within the time: Easy; "
        "otherwise Good. With no points to tick: Good within the time, else Hard.")


def suggest_rating(covered: int, total: int, duration_ms: int, seconds: int) -> Rating:
    """The rating the share of key points covered and the time used suggest (RULE)."""
    in_time = duration_ms <= seconds * 1000
    if total == 0:
        return Rating.GOOD if in_time else Rating.HARD
    share = covered / total
    if share < AGAIN_BELOW:
        return Rating.AGAIN
    if share < HARD_BELOW:
        return Rating.HARD
    if share >= EASY_FROM and in_time:
        return Rating.EASY
    return Rating.GOOD


def points_for(question: Question) -> list[str]:
    """The editor's key points when the admin set some, else those generated from the answer.

    `question` comes with key_points_override selected (or prefetched) and, for the generated
    list, its examples prefetched.
    """
    try:
        override = question.key_points_override.points
    except Question.key_points_override.RelatedObjectDoesNotExist:
        override = []
    if override:
        return override
    return [p.text for p in key_points(question.answer_md, tuple(e.code for e in question.examples.all()))]


@dataclass
class Scope:
    title: str
    questions: QuerySet  # listed questions, in the order asked


def scope_of(user, *, question: int | None, category: int | None, set_slug: str, due: bool,
             now: datetime) -> Scope | None:
    """What a drill started with these parameters asks; None when a named question, category
    or set does not exist (or nothing is named)."""
    listed = Question.objects.listed()
    if question is not None:
        q = listed.with_category().filter(pk=question).first()
        return q and Scope(q.title, listed.filter(pk=q.pk))
    found_category = found_set = None
    if category is not None:
        found_category = Category.objects.select_related("question_set").filter(pk=category).first()
        if found_category is None:
            return None
    elif set_slug:
        found_set = QuestionSet.objects.filter(slug=set_slug).first()
        if found_set is None:
            return None
    if due:
        day_ends = start_of_tomorrow(settings_for(user), now)
        cards = Card.objects.of(user).due_now(now, day_ends).in_scope(
            set_slug=found_set.slug if found_set else "", category_id=found_category and found_category.pk)
        where = f" · {found_category.title if found_category else found_set.title}" if (found_category or found_set) else ""
        # Most overdue first, as the review session orders them.
        due_at = Card.objects.filter(user=user, question=OuterRef("pk")).values("due")[:1]
        return Scope(f"Due for review{where}", listed.filter(pk__in=cards.values("question_id"))
                     .annotate(card_due=Subquery(due_at)).order_by("card_due", "pk"))
    if found_category:
        return Scope(f"{found_category.question_set.title} › {found_category.title}",
                     listed.filter(category=found_category).order_by("position", "pk"))
    if found_set:
        # A set's questions in random order: a drill of the first five every time would never reach the rest.
        return Scope(found_set.title, listed.filter(category__question_set=found_set).order_by("?"))
    return None


def start(user, scope: Scope, *, count: int, minutes: int, now: datetime) -> Drill | None:
    """A new drill of the scope's first `count` questions; None when the scope has none."""
    questions = list(scope.questions.only("pk")[:count])
    if not questions:
        return None
    return Drill.start(user, questions, title=scope.title, seconds=minutes * 60, now=now)


def elapsed_ms(step: DrillStep, now: datetime) -> int:
    if step.started_at is None:
        return 0
    return max(0, min(int((now - step.started_at).total_seconds() * 1000), MAX_DURATION_MS))


def save(user, drill_id: int, position: int, *, covered: list[int], rating: int | None, duration_ms: int,
         now: datetime) -> tuple[Drill, DrillStep] | None:
    """Record the current step of the user's drill and rate its question; None when `position`
    is no longer the current step (saved already: a double post or another tab).

    Drill.DoesNotExist for a foreign drill or a step it does not have. A question archived since
    the drill began is not rated (archived questions leave the schedule), but the step is saved.
    """
    with transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=drill_id, user=user)
        step = (drill.steps.select_related("question__key_points_override")
                .prefetch_related("question__examples").filter(position=position).first())
        if step is None:
            raise Drill.DoesNotExist
        if step.saved_at is not None:
            return None
        points = points_for(step.question)
        covered = [i for i in covered if i < len(points)]
        duration_ms = min(duration_ms, elapsed_ms(step, now))
        if rating is None:
            rating = suggest_rating(len(set(covered)), len(points), duration_ms, drill.seconds)
        if not step.question.archived:
            rate_question(user, step.question_id, rating, version=None, duration_ms=duration_ms, now=now,
                          source=ReviewLog.Source.DRILL)
        drill.save_step(step, points=points, covered=covered, rating=int(rating), duration_ms=duration_ms, now=now)
        return drill, step


@dataclass
class Missed:
    text: str
    question: Question
    times: int  # in all the user's drills of this question


def missed_most(user, steps: list[DrillStep], limit: int = 10) -> list[Missed]:
    """The points this drill missed, most often missed over all the user's drills first."""
    questions = {step.question_id: step.question for step in steps}
    history = (DrillStep.objects.filter(drill__user=user, question_id__in=list(questions), saved_at__isnull=False)
               .values_list("question_id", "points", "covered"))
    times: Counter = Counter()
    for question_id, points, covered in history:
        ticked = set(covered)
        times.update((question_id, point) for i, point in enumerate(points) if i not in ticked)
    missed = [Missed(point, step.question, times[(step.question_id, point)]) for step in steps for point in step.missed]
    missed.sort(key=lambda m: -m.times)  # stable: ties keep the drill's order
    return missed[:limit]
