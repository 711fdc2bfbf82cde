"""What a review session shows next, and how much is left.

Order: cards due (review cards due today, learning cards due now), most overdue first; then new
questions up to the daily limit; then learning cards due within the learn-ahead window (as Anki).

An interview plan (applied to the nearest planned date, until that date) changes the whole-queue
session: its scope's due cards come first, lowest predicted recall on the date leading, and new
questions come from its scope only, at its daily rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q, Subquery, Window, prefetch_related_objects
from django.db.models.functions import Coalesce

from prepsite import precompiled
from questions.models import Category, Question

from .models import Card, Interview, ReviewLog, ReviewSettings, State, due_condition
from .retrievability import retrievability
from .services import start_of_tomorrow
from .stats import readiness_moment

LEARN_AHEAD = timedelta(minutes=20)
# Cards sent with the session after the current one: the browser shows each next card as soon as
# one is rated, and only the last one's rating asks the server for the session again.
AHEAD = 4
BATCH = 1 + AHEAD
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
    def querystring(self) -> str:
        return urlencode(self.query)

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
    ahead: list[Card] = field(default_factory=list)  # the cards after `card`, in order (see AHEAD)

    @property
    def remaining(self) -> int:
        return self.new + self.learning + self.review

    @property
    def cards(self) -> list[Card]:
        return [self.card, *self.ahead] if self.card is not None else []


def _scoped_questions(scope: Scope, plan: Interview | None = None):
    questions = Question.objects.listed()
    if scope.category:
        questions = questions.filter(category=scope.category)
    elif scope.set_slug:
        questions = questions.of_set(scope.set_slug)
    elif plan is not None:
        questions = questions.filter(plan.questions_q())
    return questions


def active_plan(user, review_settings: ReviewSettings, scope: Scope, now: datetime) -> Interview | None:
    """The plan the whole-queue session follows: the nearest upcoming interview with one applied."""
    if scope.query or review_settings.plans_applied == 0:
        return None
    found = precompiled.instances("active-plan", _plan_query, user.pk, review_settings.local_day(now))
    if not found:
        return None
    prefetch_related_objects(found, "categories")
    return found[0]


def _plan_query(user_id: int, today):
    return Interview.objects.filter(user_id=user_id).planned(today).select_related("question_set")[:1]


def plan_key(plan: Interview | None) -> tuple:
    """What a cached queue figure depends on in a plan (applying or ending one moves it)."""
    return () if plan is None else (plan.pk, plan.on, plan.plan_new_per_day, plan.plan_applied_at, plan.scope,
                                    plan.question_set_id)


def _new_question_filters(user, scope: Scope, now: datetime, today, plan: Interview | None = None):
    """(new questions, today's first reviews of new cards)."""
    blocking = Card.objects.filter(user=user, question=OuterRef("pk")).filter(
        Q(last_review__isnull=False) | Q(suspended=True) | Q(buried_until__gt=now)
    )
    new_questions = _scoped_questions(scope, plan).filter(~Exists(blocking))
    introduced = ReviewLog.objects.filter(user=user, local_day=today, last_review_before__isnull=True)
    return new_questions, introduced


def _capped_count(queryset, cap: int) -> Func:
    """COUNT of at most `cap` rows: the database stops looking once it has found enough."""
    return Func(
        Subquery(queryset.order_by().values("pk")[:cap]),
        template="(SELECT COUNT(*) FROM %(expressions)s AS capped)",
        output_field=IntegerField(),
    )


def _count(queryset) -> Coalesce:
    # COUNT(*) as a scalar subquery: a plain Func, so Django adds no GROUP BY.
    return Coalesce(Subquery(queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")), 0)


@dataclass
class Counts:
    new: int
    learning: int
    review: int
    new_waiting: bool
    due_now: int
    end_of_today: datetime
    new_questions: list[Question]  # read only when nothing is due now: the first BATCH in study order
    user: object
    scope: Scope
    now: datetime
    plan: Interview | None = None

    @cached_property
    def cards(self):
        """The scoped, active, reviewed cards QuerySet (built only when asked: building it costs)."""
        return scoped_cards(self.user, self.scope, self.now)

    @property
    def remaining(self) -> int:
        return self.new + self.learning + self.review

    @property
    def first_new(self) -> Question | None:
        return self.new_questions[0] if self.new_questions else None


def scoped_cards(user, scope: Scope, now: datetime):
    return Card.objects.of(user).reviewed().active(now).in_scope(
        set_slug=scope.set_slug if not scope.category else "", category_id=scope.category and scope.category.pk
    )


def _counts_query(user, scope: Scope, plan: Interview | None, cap: int, now: datetime, end_of_today: datetime,
                  learn_cutoff: datetime, horizon: datetime, today):
    """One row (grouped by user) when anything is due before `horizon`; it carries the new-card figures
    too, so a session with a due card needs no new-question query."""
    new_questions, introduced_logs = _new_question_filters(user, scope, now, today, plan)
    return (
        scoped_cards(user, scope, now).filter(due__lt=horizon)
        .values("user")
        .annotate(
            n_review=Count("pk", filter=Q(state=State.REVIEW, due__lt=end_of_today)),
            n_learning=Count("pk", filter=Q(state__in=LEARNING_STATES, due__lte=learn_cutoff)),
            n_due_now=Count("pk", filter=due_condition(now, end_of_today)),
            new_available=_capped_count(new_questions, cap),
            introduced_today=_count(introduced_logs),
        )
        .order_by()[:1]
    )


def _first_new_query(user, scope: Scope, plan: Interview | None, now: datetime, today):
    """The first new question in study order, with the new-card figures and its card's id if any."""
    new_questions, introduced_logs = _new_question_filters(user, scope, now, today, plan)
    return (
        new_questions.annotate(
            new_available=Window(Count("pk")),
            introduced_today=_count(introduced_logs),
            card_pk=Subquery(Card.objects.filter(user=user, question=OuterRef("pk")).values("pk")),
        )
        .select_related("category__question_set")
        .order_by("category__question_set__title", "category__position", "position", "pk")
    )


def due_counts(user, review_settings: ReviewSettings, scope: Scope, now: datetime, plan: Interview | None = None) -> Counts:
    """What is left today; reads only (the (user, due) index narrows the card scan).

    With a `plan` (see active_plan), new questions come from its scope at its daily rate."""
    end_of_today = start_of_tomorrow(review_settings, now)
    learn_cutoff = now + LEARN_AHEAD
    today = now.astimezone(review_settings.tz).date()
    new_per_day = plan.plan_new_per_day if plan is not None else review_settings.new_per_day
    # The counter shows min(available, allowance) and allowance <= the daily limit, so counting
    # past limit + 1 would be wasted work.
    cap = new_per_day + 1
    times = (now, end_of_today, learn_cutoff, max(end_of_today, learn_cutoff), today)
    if scope.query or plan is not None:
        rows = list(_counts_query(user, scope, plan, cap, *times))
    else:  # the common whole queue: its statement compiled once per daily limit (building it cost ~1 ms)
        rows = precompiled.run(f"due-counts:{cap}", lambda user_id, *stand_ins: _counts_query(
            user_id, Scope(), None, cap, *stand_ins), user.pk, *times)
    counts = rows[0] if rows else {"n_review": 0, "n_learning": 0, "n_due_now": 0}
    new_questions = []
    if not counts["n_due_now"]:
        new_questions = _new_questions(user, scope, plan, now, today)
    if new_questions:
        available_n, introduced_n = new_questions[0].new_available, new_questions[0].introduced_today
    else:
        available_n, introduced_n = counts.get("new_available", 0), counts.get("introduced_today", 0)
    allowance = max(0, new_per_day - introduced_n)
    new_left = min(available_n, allowance)
    new_waiting = available_n > allowance
    return Counts(
        new_left, counts["n_learning"], counts["n_review"], new_waiting, counts["n_due_now"], end_of_today, new_questions, user,
        scope, now, plan,
    )


def _new_questions(user, scope: Scope, plan: Interview | None, now: datetime, today) -> list[Question]:
    """The first BATCH new questions in study order (each with the new-card figures)."""
    if scope.query or plan is not None:
        return list(_first_new_query(user, scope, plan, now, today)[:BATCH])
    # The common whole queue: its statement compiled once (building it cost ~1 ms).
    return precompiled.instances("first-new", lambda user_id, *stand_ins: _first_new_query(
        user_id, Scope(), None, *stand_ins)[:BATCH], user.pk, now, today)


def build_session(user, review_settings: ReviewSettings, scope: Scope, now: datetime, counts: Counts | None = None) -> Session:
    """The current card and up to AHEAD cards after it, in queue order, and what is left today."""
    counts = counts or due_counts(user, review_settings, scope, now)
    # The common whole queue reads with statements compiled once (building each cost ~1 ms).
    whole = counts.plan is None and not scope.query
    cards = []
    if counts.due_now and whole:
        cards = precompiled.instances("first-due", _first_due_query, user.pk, now, counts.end_of_today)
    elif counts.due_now:
        due = _ordered(counts.cards).filter(due_condition(now, counts.end_of_today))
        if counts.plan is not None:
            cards = _weakest_on_the_day(due, counts.plan, review_settings, now)
        cards = _more(cards, due[:BATCH])
    if len(cards) < BATCH and counts.new:
        questions = counts.new_questions
        if not questions:  # counts read none: something was due
            questions = _new_questions(user, scope, counts.plan, now, now.astimezone(review_settings.tz).date())
        cards = _more(cards, _cards_for_new_questions(user, questions[:counts.new], now))
    # Learning cards due now are among the due ones: look ahead only for those that are not.
    if len(cards) < BATCH and counts.learning > sum(card.is_learning for card in cards):
        if whole:
            learning = precompiled.instances("first-learning", _first_learning_query, user.pk, now, now + LEARN_AHEAD)
        else:
            learning = _ordered(counts.cards).filter(state__in=LEARNING_STATES, due__lte=now + LEARN_AHEAD)[:BATCH]
        cards = _more(cards, learning)
    session = Session(
        card=cards[0] if cards else None, ahead=cards[1:], new=counts.new, learning=counts.learning,
        review=counts.review, new_waiting=counts.new_waiting,
    )
    if not cards and whole:
        session.next_due = _first([row["due"] for row in precompiled.run("next-due", _next_due_query, user.pk, now)])
    elif not cards:
        session.next_due = counts.cards.order_by("due").values_list("due", flat=True).first()
    return session


def _more(cards: list[Card], more) -> list[Card]:
    """`cards`, then those of `more` not among them, up to BATCH."""
    seen = {card.question_id for card in cards}
    return [*cards, *(card for card in more if card.question_id not in seen)][:BATCH]


def _first(found: list):
    return found[0] if found else None


def _ordered(cards):
    # Walking the (user, due) index in order finds the most overdue card without sorting.
    return cards.select_related("question__category__question_set").order_by("due", "pk")


def _first_due_query(user_id: int, now: datetime, end_of_today: datetime):
    return _ordered(scoped_cards(user_id, Scope(), now)).filter(due_condition(now, end_of_today))[:BATCH]


def _first_learning_query(user_id: int, now: datetime, cutoff: datetime):
    return _ordered(scoped_cards(user_id, Scope(), now)).filter(state__in=LEARNING_STATES, due__lte=cutoff)[:BATCH]


def _next_due_query(user_id: int, now: datetime):
    return scoped_cards(user_id, Scope(), now).order_by("due").values("due")[:1]


def _weakest_on_the_day(due, plan: Interview, review_settings: ReviewSettings, now: datetime) -> list[Card]:
    """The plan's due cards with the lowest predicted recall on the interview date, up to BATCH."""
    at = readiness_moment(review_settings, now, plan.on)
    in_scope = plan.questions_q("question__")
    return list(due.filter(in_scope).annotate(recall_on_day=retrievability(at, "", review_settings.fsrs_parameters))
                .order_by("recall_on_day", "due", "pk")[:BATCH])


def _cards_for_new_questions(user, questions: list[Question], now: datetime) -> list[Card]:
    """Each question's card; an unsaved new one when it has none: a card is created when first rated."""
    card_pks = [q.card_pk for q in questions if q.card_pk]
    saved = Card.objects.in_bulk(card_pks) if card_pks else {}
    cards = []
    for question in questions:
        card = saved.get(question.card_pk) or Card(user=user, question=question, due=now)
        card.question = question
        cards.append(card)
    return cards


def learning_after(outcomes: dict, now: datetime) -> dict[int, bool]:
    """Per rating, whether the card it leaves (stats.outcomes) counts among today's learning cards,
    as due_counts counts them: a learning step due within the learn-ahead window."""
    return {rating: after.state.value in LEARNING_STATES and after.due <= now + LEARN_AHEAD
            for rating, after in outcomes.items()}
