"""The whole queue's reads with precompiled statements equal the ORM's for the same moment."""

from datetime import timedelta

import pytest

from progress import services
from progress.models import Card, ReviewSettings, State, due_condition
from progress.queue import BATCH, LEARN_AHEAD, LEARNING_STATES, Scope, _counts_query, _ordered, build_session, due_counts


@pytest.mark.django_db
def test_precompiled_due_counts_equal_the_orms(user, questions):
    now = services.utc_now()
    settings = ReviewSettings(user=user, new_per_day=5, time_zone="Asia/Tokyo")
    for i, (state, due) in enumerate([(State.REVIEW, now - timedelta(days=1)), (State.REVIEW, now + timedelta(hours=3)),
                                      (State.LEARNING, now + timedelta(minutes=5)), (State.RELEARNING, now - timedelta(minutes=1)),
                                      (State.REVIEW, now + timedelta(days=4))]):
        Card.objects.create(user=user, question=questions[i], state=state, step=None if state == State.REVIEW else 0,
                            stability=3.0, difficulty=5.0, due=due, last_review=now - timedelta(days=2))
    for at in (now, now + timedelta(hours=5), now + timedelta(days=2)):
        counts = due_counts(user, settings, Scope(), at)
        end_of_today = counts.end_of_today
        learn_cutoff = at + timedelta(minutes=20)
        orm = list(_counts_query(user, Scope(), None, 6, at, end_of_today, learn_cutoff, max(end_of_today, learn_cutoff),
                                 at.astimezone(settings.tz).date()))[0]
        assert (counts.review, counts.learning, counts.due_now) == (orm["n_review"], orm["n_learning"], orm["n_due_now"])
        assert counts.new == min(orm["new_available"], 5)


@pytest.mark.django_db
def test_precompiled_first_new_question_is_the_orms(user, questions, django_assert_num_queries):
    from progress.queue import _first_new_query

    now = services.utc_now()
    settings = ReviewSettings(user=user, new_per_day=5)
    Card.objects.create(user=user, question=questions[0], state=State.REVIEW, stability=3.0, difficulty=5.0,
                        due=now + timedelta(days=3), last_review=now - timedelta(days=1))
    Card.objects.create(user=user, question=questions[1], due=now, buried_until=now + timedelta(hours=1))
    Card.objects.create(user=user, question=questions[2], due=now)  # shown before, never rated
    counts = due_counts(user, settings, Scope(), now)
    orm = _first_new_query(user, Scope(), None, now, now.astimezone(settings.tz).date()).first()
    assert counts.first_new.pk == orm.pk == questions[2].pk
    for name in ("new_available", "introduced_today", "card_pk", "title", "answer_html", "updated_at"):
        assert getattr(counts.first_new, name) == getattr(orm, name)
    with django_assert_num_queries(0):
        assert counts.first_new.category.question_set.title == orm.category.question_set.title


@pytest.mark.django_db
def test_whole_queue_session_reads_the_cards_the_orm_would(user, questions):
    """The whole queue's precompiled reads (first due card, learning ahead, next due time) pick what
    the scoped ORM queries pick, branch by branch."""
    now = services.utc_now()
    settings = ReviewSettings(user=user, new_per_day=0)
    due = Card.objects.create(user=user, question=questions[0], state=State.REVIEW, stability=3.0, difficulty=5.0,
                              due=now - timedelta(days=1), last_review=now - timedelta(days=4))
    learning = Card.objects.create(user=user, question=questions[1], state=State.LEARNING, step=0, stability=1.0,
                                   difficulty=5.0, due=now + timedelta(minutes=5), last_review=now - timedelta(minutes=5))
    later = Card.objects.create(user=user, question=questions[2], state=State.REVIEW, stability=9.0, difficulty=5.0,
                                due=now + timedelta(days=4), last_review=now - timedelta(days=5))

    counts = due_counts(user, settings, Scope(), now)
    orm = _ordered(counts.cards).filter(due_condition(now, counts.end_of_today)).first()
    assert build_session(user, settings, Scope(), now, counts).card.pk == orm.pk == due.pk

    Card.objects.filter(pk=due.pk).update(suspended=True)
    counts = due_counts(user, settings, Scope(), now)
    orm = _ordered(counts.cards).filter(state__in=LEARNING_STATES, due__lte=now + LEARN_AHEAD).first()
    session = build_session(user, settings, Scope(), now, counts)
    assert session.card.pk == orm.pk == learning.pk
    assert session.card.question.category.question_set_id == questions[1].category.question_set_id

    Card.objects.filter(pk=learning.pk).update(suspended=True)
    counts = due_counts(user, settings, Scope(), now)
    session = build_session(user, settings, Scope(), now, counts)
    assert session.card is None
    assert session.next_due == counts.cards.order_by("due").values_list("due", flat=True).first() == later.due


@pytest.mark.django_db
def test_session_holds_the_next_cards_in_queue_order(user, questions, django_assert_max_num_queries):
    """Due cards (most overdue first), then new questions in study order up to today's allowance,
    then learning cards ahead of time: BATCH at most, as the browser shows them one by one."""
    now = services.utc_now()
    settings = ReviewSettings(user=user, new_per_day=2)
    overdue = make_card(user, questions[10], State.REVIEW, now - timedelta(days=2))
    due = make_card(user, questions[11], State.REVIEW, now - timedelta(hours=1))
    ahead = make_card(user, questions[12], State.LEARNING, now + timedelta(minutes=5))
    make_card(user, questions[13], State.REVIEW, now + timedelta(days=3))  # not due today
    with django_assert_max_num_queries(4):
        session = build_session(user, settings, Scope(), now)
    assert [card.question_id for card in session.cards] == [overdue.question_id, due.question_id, questions[0].pk,
                                                           questions[1].pk, ahead.question_id]
    assert session.card.pk == overdue.pk and [card.pk for card in session.ahead][-1] == ahead.pk
    assert all(card.pk is None and card.is_new for card in session.ahead[1:3])  # created when first rated

    settings.new_per_day = 20
    session = build_session(user, settings, Scope(), now)
    assert len(session.cards) == BATCH
    assert [card.question_id for card in session.cards] == [overdue.question_id, due.question_id,
                                                           *(q.pk for q in questions[:BATCH - 2])]
    scoped = build_session(user, settings, Scope(category=questions[10].category), now)
    assert [card.question_id for card in scoped.cards] == [overdue.question_id, due.question_id,
                                                          *(q.pk for q in questions[14:14 + BATCH - 2])]


def make_card(user, question, state, due):
    return Card.objects.create(user=user, question=question, state=state, step=None if state == State.REVIEW else 0,
                               stability=3.0, difficulty=5.0, due=due, last_review=due - timedelta(days=1))
