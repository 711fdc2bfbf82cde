"""The read side of cards: due_now(), weak() and the SQL port of fsrs's retrievability."""

import random
from datetime import datetime, timedelta, timezone

import pytest

from progress.models import Card, Rating, ReviewSettings, State
from progress.retrievability import retrievability

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def review_card(user, question, *, due=NOW, state=State.REVIEW, stability=5.0, last_review=NOW - timedelta(days=3)):
    return Card.objects.create(user=user, question=question, state=state, step=None if state == State.REVIEW else 0,
                               stability=stability, difficulty=5.0, due=due, last_review=last_review)


def test_sql_retrievability_matches_fsrs_on_random_cards(user, make_question):
    rng = random.Random(11)
    settings = ReviewSettings(user=user)
    cards = [
        review_card(user, make_question(), stability=rng.choice([rng.uniform(0.01, 3), rng.uniform(3, 400)]),
                    last_review=NOW - timedelta(days=rng.uniform(0, 120), seconds=rng.randint(0, 86399)))
        for _ in range(40)
    ]
    # now, and at future dates (readiness on an interview date), including a fraction of a day ahead
    for at in (NOW, NOW + timedelta(days=7), NOW + timedelta(days=45, hours=13, minutes=7)):
        in_sql = dict(Card.objects.annotate(r=retrievability(at)).values_list("pk", "r"))
        for card in cards:
            assert in_sql[card.pk] == pytest.approx(card.retrievability(settings, at), rel=1e-9)


def test_due_now_counts_review_cards_by_the_day_and_learning_steps_by_the_minute(user, make_question):
    end_of_day = NOW + timedelta(hours=6)
    overdue = review_card(user, make_question(), due=NOW - timedelta(days=1))
    later_today = review_card(user, make_question(), due=NOW + timedelta(hours=2))
    learning_soon = review_card(user, make_question(), state=State.LEARNING, due=NOW + timedelta(minutes=5))
    suspended = review_card(user, make_question(), due=NOW - timedelta(days=1))
    Card.objects.filter(pk=suspended.pk).update(suspended=True)
    Card.objects.create(user=user, question=make_question(), due=NOW - timedelta(days=1))  # new: never due
    assert set(Card.objects.of(user).due_now(NOW)) == {overdue}
    assert set(Card.objects.of(user).due_now(NOW, end_of_day)) == {overdue, later_today}
    assert learning_soon not in Card.objects.of(user).due_now(NOW + timedelta(minutes=4), end_of_day)
    assert learning_soon in Card.objects.of(user).due_now(NOW + timedelta(minutes=5), end_of_day)


def test_weak_cards_were_rated_again_or_are_fading(user, other_user, make_question):
    fresh = review_card(user, make_question(), stability=100.0, last_review=NOW - timedelta(days=1))
    fading = review_card(user, make_question(), stability=1.0, last_review=NOW - timedelta(days=10))
    forgotten_once = review_card(user, make_question(), stability=100.0, last_review=NOW - timedelta(days=2))
    forgotten_once.review(Rating.AGAIN, now=NOW - timedelta(days=1))
    forgotten_once.review(Rating.GOOD, now=NOW)
    assert fresh.retrievability(ReviewSettings(user=user), NOW) > 0.95
    assert set(Card.objects.of(user).weak(NOW)) == {fading, forgotten_once}
    assert not Card.objects.of(other_user).weak(NOW).exists()
