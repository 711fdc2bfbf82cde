"""Mastered and readiness from histories built by hand: never "recall now", unseen questions count."""

from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest

from progress import stats
from progress.models import MASTERED_STABILITY_DAYS, Card, Rating, ReviewSettings

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
IN_A_WEEK = NOW + timedelta(days=7)


def rated(user, question, *ratings_at) -> Card:
    """A card rated (rating, moment) after (rating, moment), through Card.review."""
    card = Card(user=user, question=question, due=ratings_at[0][1])
    for rating, moment in ratings_at:
        card.review(rating, now=moment)
    return card


def recall(card: Card, at: datetime) -> float:
    return fsrs.Scheduler(enable_fuzzing=False).get_card_retrievability(Card.objects.get(pk=card.pk).to_fsrs(), at)


def old_success(user, question) -> Card:
    """Good, then Good on each due date, until stability reaches 21 days: months of history."""
    moment = NOW - timedelta(days=400)
    card = rated(user, question, (Rating.GOOD, moment))
    while card.stability < MASTERED_STABILITY_DAYS:
        moment = card.due
        card.review(Rating.GOOD, now=moment)
    assert moment < NOW - timedelta(days=7)
    return card


def figures(user, on=None):
    settings = ReviewSettings.objects.get_or_create(user=user)[0]
    return stats.dashboard(user, settings, NOW, readiness_on=on)["overall"]


@pytest.mark.django_db
def test_fresh_failure_is_not_mastered_and_readiness_is_its_recall_in_a_week(user, make_question):
    card = rated(user, make_question(), (Rating.AGAIN, NOW - timedelta(minutes=1)))
    overall = figures(user)
    assert card.retrievability(ReviewSettings(user=user), NOW) > 0.99  # "recall now" would say 100%
    assert overall.mastered == 0 and overall.mastery == 0.0
    assert overall.readiness == pytest.approx(recall(card, IN_A_WEEK), rel=1e-9)
    assert overall.readiness < 0.6


@pytest.mark.django_db
def test_again_then_hard_a_minute_ago_is_not_mastered(user, make_question):
    card = rated(user, make_question(), (Rating.AGAIN, NOW - timedelta(minutes=3)), (Rating.HARD, NOW - timedelta(minutes=1)))
    overall = figures(user)
    assert overall.mastered == 0
    assert overall.readiness == pytest.approx(recall(card, IN_A_WEEK), rel=1e-9)


@pytest.mark.django_db
def test_fresh_success_is_not_mastered_yet(user, make_question):
    card = rated(user, make_question(), (Rating.GOOD, NOW - timedelta(minutes=1)))
    overall = figures(user)
    assert card.stability < MASTERED_STABILITY_DAYS
    assert overall.mastered == 0
    assert overall.readiness == pytest.approx(recall(card, IN_A_WEEK), rel=1e-9)


@pytest.mark.django_db
def test_old_success_is_mastered(user, make_question):
    card = old_success(user, make_question())
    overall = figures(user)
    assert card.last_rating == Rating.GOOD
    assert (overall.mastered, overall.mastery) == (1, 1.0)
    assert overall.readiness == pytest.approx(recall(card, IN_A_WEEK), rel=1e-9)


@pytest.mark.django_db
def test_a_lapse_after_mastery_unmasters_even_with_stability_left(user, make_question):
    card = old_success(user, make_question())
    card.review(Rating.HARD, now=NOW - timedelta(minutes=1))
    assert card.stability >= MASTERED_STABILITY_DAYS  # Hard keeps it stable, but it is not a pass
    assert figures(user).mastered == 0


@pytest.mark.django_db
def test_unseen_questions_count_as_zero(user, make_question):
    questions = [make_question() for _ in range(4)]
    known = old_success(user, questions[0])
    failed = rated(user, questions[1], (Rating.AGAIN, NOW - timedelta(minutes=1)))
    overall = figures(user)
    assert overall.total == 4 and overall.new == 2
    assert overall.mastered == 1 and overall.mastery == 0.25
    assert overall.readiness == pytest.approx((recall(known, IN_A_WEEK) + recall(failed, IN_A_WEEK)) / 4, rel=1e-9)


@pytest.mark.django_db
def test_readiness_on_an_interview_date_is_recall_at_the_start_of_that_day(user, make_question):
    ReviewSettings.objects.create(user=user, time_zone="Asia/Tokyo")
    card = old_success(user, make_question())
    on = date(2026, 4, 20)
    morning = datetime(2026, 4, 20, tzinfo=ReviewSettings.objects.get(user=user).tz)
    overall = figures(user, on)
    assert overall.readiness == pytest.approx(recall(card, morning), rel=1e-9)
    assert overall.readiness < figures(user).readiness  # further away, lower recall


@pytest.mark.django_db
def test_undo_restores_the_previous_last_rating(user, make_question):
    card = old_success(user, make_question())
    log = card.review(Rating.AGAIN, now=NOW)
    assert card.last_rating == Rating.AGAIN
    card.undo(log)
    assert Card.objects.get(pk=card.pk).last_rating == Rating.GOOD


@pytest.mark.django_db
def test_dashboard_states_the_rules(signed_in, user, make_question):
    rated(user, make_question(), (Rating.GOOD, datetime.now(timezone.utc) - timedelta(minutes=1)))
    html = signed_in.get("/progress/").content.decode()
    assert "stability of 21 days or more and a last rating of Good or Easy" in html
    assert "predicted chance of recalling a question in 7 days" in html
    assert "unseen ones counting as zero" in html
    assert "now" not in html.split('data-testid="readiness-rule"')[1].split("</span>")[0]
