"""What a review session shows next, and how much is left.

Order: cards due (review cards due today, learning cards due now), most overdue first; then new
questions up to the daily limit; then learning cards due within the learn-ahead window (as Anki).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case, Count, Exists, Func, OuterRef, Q, Subquery, Sum, When, Window
from django.db.models.functions import Coalesce

from questions.models import Category, Question

from .models import Card, ReviewLog, ReviewSettings, State
from .services import start_of_today, start_of_tomorrow

LEARN_AHEAD = timedelta(minutes=20)
LEARNING_STATES = (State.LEARNING, State.RELEARNING)


@dataclass
class Scope:
    """An optional narrowing of the session to one set or one category."""

    set_slug: str = ""
    category: Category | None = None

    @property
    def query(self) -> dict:
        if self.category:
            return {"category": self.category.pk}
        if self.set_slug:
            return {"set": self.set_slug}
        return {}

    @property
    def label(self) -> str:
        if self.category:
            return f"{self.category.question_set.title} › {self.category.title}"
        return self.set_slug


@dataclass
class Session:
    card: Card | None
    new: int
    learning: int
    review: int
    next_due: datetime | None = None
    new_waiting: bool = False  # the daily limit holds new cards back until tomorrow
    extra: dict = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return self.new + self.learning + self.review


def _scoped_questions(user, scope: Scope):
    questions = Question.objects.listed()
    if scope.category:
        questions = questions.filter(category=scope.category)
    elif scope.set_slug:
        questions = questions.of_set(scope.set_slug)
    return questions


def _new_question_filters(user, scope: Scope, now: datetime, today):
    """(new questions queryset, subquery counting them, subquery counting cards introduced today)."""
    blocking = Card.objects.filter(user=user, question=OuterRef("pk")).filter(
        Q(last_review__isnull=False) | Q(suspended=True) | Q(buried_until__gt=now)
    )
    new_questions = _scoped_questions(user, scope).filter(~Exists(blocking))
    introduced = ReviewLog.objects.filter(user=user, local_day=today, last_review_before__isnull=True)
    return new_questions, _count(new_questions), _count(introduced)


def _count(queryset) -> Coalesce:
    # COUNT(*) as a scalar subquery: a plain Func, so Django adds no GROUP BY.
    return Coalesce(Subquery(queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")), 0)


@dataclass
class Counts:
    new: int
    learning: int
    review: int
    new_waiting: bool
    top: Card | None  # the most urgent reviewed card, see PRIORITY
    first_new: Question | None
    cards: object  # the scoped, active, reviewed cards QuerySet

    @property
    def remaining(self) -> int:
        return self.new + self.learning + self.review


DUE_NOW, LEARN_AHEAD_PRIORITY = 0, 1


def due_counts(user, review_settings: ReviewSettings, scope: Scope, now: datetime) -> Counts:
    """What is left today, and the most urgent card: one query when a card is due, two otherwise."""
    end_of_today = start_of_tomorrow(review_settings, now)
    learn_cutoff = now + LEARN_AHEAD
    today = now.astimezone(review_settings.tz).date()
    cards = Card.objects.of(user).reviewed().active(now).in_scope(
        set_slug=scope.set_slug if not scope.category else "", category_id=scope.category and scope.category.pk
    )
    review_q = Q(state=State.REVIEW, due__lt=end_of_today)
    learning_q = Q(state__in=LEARNING_STATES, due__lte=learn_cutoff)
    new_questions, available, introduced = _new_question_filters(user, scope, now, today)
    # Review cards are due by the day, learning steps by the minute; the outer due bound lets
    # the (user, due) index narrow the scan.
    top = (
        cards.filter(due__lt=max(end_of_today, learn_cutoff))
        .annotate(
            priority=Case(When(review_q | Q(due__lte=now), then=DUE_NOW), When(learning_q, then=LEARN_AHEAD_PRIORITY), default=2),
            n_review=Window(Sum(Case(When(review_q, then=1), default=0))),
            n_learning=Window(Sum(Case(When(learning_q, then=1), default=0))),
            new_available=available,
            introduced_today=introduced,
        )
        .select_related("question__category__question_set")
        .order_by("priority", "due", "pk")
        .first()
    )
    first_new = None
    if top is None or top.priority != DUE_NOW:
        first_new = (
            new_questions.annotate(
                new_available=Window(Count("pk")),
                introduced_today=introduced,
                card_pk=Subquery(Card.objects.filter(user=user, question=OuterRef("pk")).values("pk")),
            )
            .select_related("category__question_set")
            .order_by("category__question_set__title", "category__position", "position", "pk")
            .first()
        )
    source = top if top is not None else first_new
    new_left, new_waiting = 0, False
    if source is not None:
        allowance = max(0, review_settings.new_per_day - source.introduced_today)
        new_left = min(source.new_available, allowance)
        new_waiting = source.new_available > allowance
    learning, review = (top.n_learning, top.n_review) if top is not None else (0, 0)
    return Counts(new_left, learning, review, new_waiting, top, first_new, cards)


def build_session(user, review_settings: ReviewSettings, scope: Scope, now: datetime) -> Session:
    counts = due_counts(user, review_settings, scope, now)
    top = counts.top
    card = None
    if top is not None and top.priority == DUE_NOW:
        card = top
    elif counts.new and counts.first_new is not None:
        card = _card_for_new_question(user, counts.first_new, now)
    elif top is not None and top.priority == LEARN_AHEAD_PRIORITY:
        card = top
    session = Session(
        card=card, new=counts.new, learning=counts.learning, review=counts.review, new_waiting=counts.new_waiting
    )
    if card is None:
        session.next_due = counts.cards.order_by("due").values_list("due", flat=True).first()
    return session


def _card_for_new_question(user, question: Question, now: datetime) -> Card:
    """The question's card, created now: a question becomes a card when first studied."""
    from .services import get_or_create_card

    if question.card_pk:
        card = Card.objects.get(pk=question.card_pk)
    else:
        card = get_or_create_card(user, question, now, known_missing=True)
    card.question = question
    return card


def day_bounds(review_settings: ReviewSettings, now: datetime) -> tuple[datetime, datetime]:
    return start_of_today(review_settings, now), start_of_tomorrow(review_settings, now)
