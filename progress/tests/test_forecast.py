"""The readiness forecast: its FSRS arithmetic against fsrs, its plan search, and its agreement with the dashboard."""

from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from progress import forecast, planning, services
from progress.forecast import CardState, Model, plan, simulate
from progress.models import Card, Interview, Rating, ReviewLog, ReviewSettings
from progress.stats import interview_figures

UTC = timezone.utc


def test_model_follows_fsrs_through_learning_review_lapse_and_relearning():
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    model = Model(scheduler.parameters, 0.9)
    t = datetime(2026, 1, 1, 9, tzinfo=UTC)
    card, _ = scheduler.review_card(fsrs.Card(card_id=1), fsrs.Rating.Good, review_datetime=t)
    card, _ = scheduler.review_card(card, fsrs.Rating.Good, review_datetime=t + timedelta(minutes=10))
    s, d = model.first_day()
    assert (s, d) == pytest.approx((card.stability, card.difficulty))
    assert (card.due - t).days == model.interval(s)
    for rating in (fsrs.Rating.Good, fsrs.Rating.Good, fsrs.Rating.Again):
        at = card.due
        r = model.recall((at - card.last_review).days, s)
        assert r == pytest.approx(scheduler.get_card_retrievability(card, at))
        card, _ = scheduler.review_card(card, rating, review_datetime=at)
        if rating == fsrs.Rating.Again:
            s, d = model.forget_stability(d, s, r), model.difficulty(d, 1)
        else:
            s, d = model.recall_stability(d, s, r), model.difficulty(d, 3)
            assert (card.due - at).days == model.interval(s)
        assert (s, d) == pytest.approx((card.stability, card.difficulty))
    card, _ = scheduler.review_card(card, fsrs.Rating.Good, review_datetime=card.due)  # the relearning step
    assert model.short_term(s, 3) == pytest.approx(card.stability)


def test_unseen_questions_count_zero_until_introduced():
    sim = simulate([], unseen=10, days=20)
    idle = sim.run(0)
    assert idle.readiness == [0.0] * 21 and idle.final == 0.0 and sum(idle.reviews) == 0
    run = sim.run(2)
    assert run.new[:6] == [2, 2, 2, 2, 2, 0] and run.readiness[0] == 0.0
    assert run.readiness[1] > 0 and run.final > 0.8
    assert run.reviews[0] == 4  # two learning steps each


def test_the_plan_is_the_least_new_count_that_reaches_the_target_a_week_ahead():
    cards = [CardState(stability=3.0, difficulty=6.0, last_review=-2.0, due=1.0) for _ in range(20)]
    sim = simulate(cards, unseen=60, days=30)
    assert sim.final(0) < sim.final(5)
    result = plan(sim, new_per_day=1, target=0.85)
    assert result.reachable and result.recommended.final >= 0.85 > result.current.final
    least = -(-60 // (30 - forecast.LEAD_DAYS))  # every question introduced a week before the date
    n = result.recommended.new_per_day
    assert n >= least and all(sim.final(k) < 0.85 for k in range(least, n))
    assert sum(result.recommended.new[: 30 - forecast.LEAD_DAYS]) == 60
    assert result.recommended.minutes_per_day > 0


def test_an_unreachable_target_is_said_so():
    result = plan(simulate([], unseen=100, days=30), new_per_day=10, target=0.99)
    assert not result.reachable and result.recommended.final >= result.current.final


def test_an_interview_today_has_one_point():
    card = CardState(stability=10.0, difficulty=5.0, last_review=-3.0, due=4.0)
    result = plan(simulate([card], unseen=5, days=0, now=0.3), new_per_day=3, target=0.9)
    assert len(result.current.readiness) == 1 and result.current.reviews == [] and result.current.minutes_per_day == 0
    assert result.current.final == pytest.approx(Model(forecast.DEFAULT_PARAMETERS, 0.9).recall(3, 10.0) / 6)


def test_a_suspended_card_only_decays():
    card = CardState(stability=10.0, difficulty=5.0, last_review=-1.0, due=5.0, frozen=True)
    run = simulate([card], unseen=0, days=30).run(0)
    assert sum(run.reviews) == 0 and run.readiness[0] == run.final == pytest.approx(Model(forecast.DEFAULT_PARAMETERS, 0.9).recall(31, 10.0))


@pytest.mark.django_db
def test_todays_point_is_the_readiness_the_dashboard_shows(user, make_question):
    questions = [make_question() for _ in range(6)]
    now = services.utc_now()
    review_settings = ReviewSettings.objects.create(user=user, time_zone="Europe/Berlin")
    for i, q in enumerate(questions[:4]):
        card = Card(user=user, question=q, due=now)
        card.review(Rating.GOOD if i % 2 else Rating.AGAIN, now=now - timedelta(days=10 + i), review_settings=review_settings)
        card.review(Rating.GOOD, now=card.due, review_settings=review_settings)
    interview = Interview.objects.create(user=user, on=review_settings.local_day(now) + timedelta(days=21))
    sim = planning.interview_simulation(user, review_settings, interview, now)
    run = sim.run(review_settings.new_per_day)
    [figures] = interview_figures(user, review_settings, [interview], now)
    assert sim.total == figures.total == 6 and sim.unseen == 2
    assert run.readiness[0] == pytest.approx(figures.readiness, abs=1e-6)
    assert len(run.readiness) == 22 and run.final > run.readiness[0]


@pytest.mark.django_db
def test_pace_is_the_median_of_timed_reviews_else_the_stated_default(user, make_question):
    assert planning.seconds_per_review(user) == (forecast.DEFAULT_SECONDS_PER_REVIEW, False)
    q = make_question()
    now = services.utc_now()
    card = Card(user=user, question=q, due=now)
    for i in range(25):
        card.review(Rating.GOOD, now=now - timedelta(days=100 - i), duration_ms=8000 if i % 3 else 30000)
    assert ReviewLog.objects.count() == 25
    assert planning.seconds_per_review(user) == (8.0, True)
