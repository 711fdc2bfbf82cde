"""FSRS parameters fitted per user: the format fsrs and fsrs-rs-python share, the job, before/after, revert."""

import random
from datetime import date, timedelta

import fsrs
import fsrs_rs_python
import pytest
from django.urls import reverse

from prepsite.jobs import run_pending
from prepsite.models import Job
from progress import optimizer, services
from progress.models import Card, Rating, ReviewLog, ReviewSettings, State

SETTINGS = "/review/settings/"
POLL = {"HX-Request": "true", "HX-Target": "fit-progress"}


def test_fsrs_and_fsrs_rs_share_the_parameter_format():
    ours = fsrs.Scheduler(enable_fuzzing=False).parameters
    theirs = fsrs_rs_python.DEFAULT_PARAMETERS
    assert len(ours) == len(theirs) == 21
    assert list(theirs) == pytest.approx(list(ours), abs=1e-4)  # theirs are float32


def test_review_logs_become_one_item_per_review_on_a_later_day():
    day = date(2026, 1, 1)
    rows = [(1, day, 3), (1, day, 3), (1, day + timedelta(days=3), 1), (2, day, 4), (2, day + timedelta(days=9), 3)]
    items = optimizer.items_from_logs(rows)
    # the bindings expose a review only through its repr
    assert [repr(item.reviews) for item in items] == [
        "[FSRSReview { rating: 3, delta_t: 0 }, FSRSReview { rating: 3, delta_t: 0 }, FSRSReview { rating: 1, delta_t: 3 }]",
        "[FSRSReview { rating: 4, delta_t: 0 }, FSRSReview { rating: 3, delta_t: 9 }]",
    ]


def history(user, questions, *, reviews=440, seed=7):
    """A diligent learner: about 3% lapses at intervals the default scheduler would give."""
    rng = random.Random(seed)
    now = services.utc_now()
    settings_row, _ = ReviewSettings.objects.get_or_create(user=user)
    logs, per_card = [], reviews // len(questions)
    for question in questions:
        card = Card.objects.create(user=user, question=question, due=now)
        moment = now - timedelta(days=500)
        for _ in range(per_card):
            rating = Rating.AGAIN if rng.random() < 0.03 else Rating.GOOD
            logs.append(card.review(rating, now=moment, review_settings=settings_row))
            moment = min(card.due, moment + timedelta(days=rng.randint(5, 40)))
    return logs


@pytest.mark.django_db(transaction=True)
def test_fit_job_shows_progress_then_before_and_after_and_can_be_reverted(signed_in, user, questions,
                                                                           django_assert_max_num_queries):
    history(user, questions)
    assert ReviewLog.objects.count() >= optimizer.MIN_REVIEWS
    assert "Fit my parameters" in signed_in.get(SETTINGS).content.decode()
    response = signed_in.post(reverse("progress:fit_start"))
    assert response.status_code == 302
    job = Job.objects.get(kind=optimizer.KIND)
    signed_in.post(reverse("progress:fit_start"))  # a second click while it runs starts nothing
    assert Job.objects.filter(kind=optimizer.KIND).count() == 1
    with django_assert_max_num_queries(10):
        html = signed_in.get(SETTINGS).content.decode()
    assert 'id="fit-progress"' in html and 'hx-trigger="every 1s"' in html
    with django_assert_max_num_queries(5):
        fragment = signed_in.get(reverse("progress:fit_status", args=[job.pk]), headers=POLL)
    assert fragment.status_code == 200 and b"<html" not in fragment.content

    run_pending()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.failure
    assert signed_in.get(reverse("progress:fit_status", args=[job.pk]), headers=POLL)["HX-Redirect"] == SETTINGS
    review_settings = ReviewSettings.objects.get(user=user)
    fit = review_settings.fit
    assert fit["adopted"] == (fit["new"]["log_loss"] < fit["current"]["log_loss"])
    assert fit["adopted"], fit  # a learner who rarely forgets is predicted better by their own parameters
    assert len(review_settings.parameters) == 21 and review_settings.previous_parameters == []
    scheduler = review_settings.scheduler()
    assert scheduler.parameters == tuple(review_settings.parameters)  # fsrs accepts the fitted values as they are
    html = signed_in.get(SETTINGS).content.decode()
    assert "your fitted parameters" in html and 'data-testid="fit-figures"' in html and "Revert to previous" in html

    signed_in.post(reverse("progress:fit_revert"))
    review_settings.refresh_from_db()
    assert review_settings.parameters == [] and review_settings.previous_parameters is None
    assert review_settings.scheduler().parameters == fsrs.Scheduler().parameters


@pytest.mark.django_db
def test_too_few_reviews_start_nothing(signed_in, user, questions):
    history(user, questions[:2], reviews=20)
    assert 'disabled' in signed_in.get(SETTINGS).content.decode()
    signed_in.post(reverse("progress:fit_start"))
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_fit_over_its_time_limit_fails_with_a_reason_and_changes_nothing(signed_in, user, questions, monkeypatch):
    history(user, questions)
    monkeypatch.setattr(optimizer, "TIME_LIMIT", 0)
    signed_in.post(reverse("progress:fit_start"))
    run_pending()
    job = Job.objects.get(kind=optimizer.KIND)
    assert job.state == Job.State.FAILED and "longer than 0 seconds" in job.failure
    assert ReviewSettings.objects.get(user=user).parameters == []
    assert "The last fit failed: The fit took longer than 0 seconds" in signed_in.get(SETTINGS).content.decode()


@pytest.mark.django_db
def test_someone_elses_fit_job_is_a_404(signed_in, other_user):
    job = optimizer.start(other_user)
    assert signed_in.get(reverse("progress:fit_status", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_cards_rate_with_the_users_parameters(user, questions):
    parameters = list(fsrs.Scheduler().parameters)
    parameters[2] = 9.0  # a much higher initial stability after Good
    ReviewSettings.objects.create(user=user, parameters=parameters)
    log = services.rate_question(user, questions[0].pk, Rating.GOOD, version=0)
    assert log.state_after == State.LEARNING and log.stability_after == pytest.approx(9.0)
    quiz_log = services.record_quiz_answer(user, questions[1], correct=True)  # the quiz path reads them too
    assert quiz_log.stability_after == pytest.approx(9.0)
