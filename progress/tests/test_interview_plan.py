"""An interview's forecast page, applying its plan, and the review queue and home page following the plan."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse

from progress import services
from progress.models import Card, Interview, ReviewLog, ReviewSettings, State, scheduler_for

from .conftest import CATEGORIES

pytestmark = pytest.mark.django_db
REVIEW = "/review/"


def plan_url(interview, action=""):
    return reverse(f"progress:interview_{action or 'plan'}", args=[interview.pk])


def in_days(n):
    return services.utc_now().date() + timedelta(days=n)


def due_card(user, question, *, overdue_hours, stability):
    now = services.utc_now()
    due = now - timedelta(hours=overdue_hours)
    return Card.objects.create(user=user, question=question, state=State.REVIEW, step=None, stability=stability,
                               difficulty=5.0, due=due, last_review=due - timedelta(days=stability), last_rating=3)


@pytest.fixture
def interview(user, questions):
    """Thirty days away, scoped to the last category ("Deployment"), the one a plain session reaches last."""
    interview = Interview.objects.create(user=user, title="Acme", on=in_days(30), scope="categories", target=0.9)
    interview.categories.set([questions[-1].category])
    return interview


def test_the_page_shows_the_forecast_chart_and_both_plans(signed_in, user, interview, questions,
                                                            django_assert_max_num_queries):
    due_card(user, questions[-1], overdue_hours=2, stability=4.0)
    ReviewSettings.objects.create(user=user, new_per_day=1)
    with django_assert_max_num_queries(12):
        response = signed_in.get(plan_url(interview))
    assert response.status_code == 200
    html = response.content.decode()
    plan = response.context["plan"]
    assert len(plan.current.readiness) == 31 and plan.current.new_per_day == 1
    assert plan.reachable and plan.recommended.final >= 0.9 and plan.recommended.new_per_day >= 1
    assert 'data-testid="readiness-chart"' in html and "<polyline" in html and 'class="target-line"' in html
    assert "Readiness by day as a table" in html and "Apply this plan" in html
    assert "20 s per review (not enough timed reviews" in html
    assert " style=" not in html and "<script>" not in html


def test_an_interview_today_and_an_edit_of_its_date_show_fresh_forecasts(signed_in, user, interview):
    assert len(signed_in.get(plan_url(interview)).context["plan"].current.readiness) == 31
    Interview.objects.filter(pk=interview.pk).update(on=in_days(0))
    response = signed_in.get(plan_url(interview))
    assert response.status_code == 200 and len(response.context["plan"].current.readiness) == 1


def test_someone_elses_or_a_past_interview_is_a_404(signed_in, user, other_user, interview):
    theirs = Interview.objects.create(user=other_user, on=in_days(5))
    past = Interview.objects.create(user=user, on=in_days(-2))
    for target in (theirs, past):
        assert signed_in.get(plan_url(target)).status_code == 404
        assert signed_in.post(plan_url(target, "apply_plan"), {"new_per_day": 3}).status_code == 404
    assert not Interview.objects.filter(plan_new_per_day__isnull=False).exists()


@pytest.mark.parametrize("data, message", [
    ({"new_per_day": ""}, "New questions a day"),
    ({"new_per_day": "-1"}, "New questions a day"),
    ({"new_per_day": "3", "retention": "0.5"}, "Desired retention"),
])
def test_a_bad_plan_is_a_422_with_a_message(signed_in, interview, data, message):
    response = signed_in.post(plan_url(interview, "apply_plan"), data)
    assert response.status_code == 422 and message in response.content.decode()
    interview.refresh_from_db()
    assert not interview.has_plan


def test_applying_and_ending_a_plan(signed_in, interview):
    response = signed_in.post(plan_url(interview, "apply_plan"), {"new_per_day": "4", "retention": "0.95"})
    assert response.status_code == 302
    interview.refresh_from_db()
    assert (interview.plan_new_per_day, interview.plan_retention) == (4, 0.95) and interview.plan_applied_at
    assert "Applied: 4 new questions a day at 95% retention" in signed_in.get(plan_url(interview)).content.decode()
    signed_in.post(plan_url(interview, "end_plan"))
    interview.refresh_from_db()
    assert not interview.has_plan


def test_the_queue_introduces_the_plans_questions_at_its_rate(signed_in, user, interview, questions,
                                                              django_assert_max_num_queries):
    ReviewSettings.objects.create(user=user, new_per_day=20)
    session = signed_in.get(REVIEW).context["session"]
    assert session.card.question.category.title == CATEGORIES[0] and session.new == 20
    interview.apply_plan(3, None, services.utc_now())
    with django_assert_max_num_queries(12):  # the review page's 10, plus the plan and its categories
        response = signed_in.get(REVIEW)
    session = response.context["session"]
    assert session.card.question.category.title == CATEGORIES[-1] and session.new == 3
    html = response.content.decode()
    assert "Following your plan for" in html and ">Acme</a>: 3 new a day from Deployment" in html
    # a narrowed session ignores the plan
    assert signed_in.get(REVIEW, {"category": questions[0].category_id}).context["session"].new == 10


def test_the_queue_shows_the_weakest_on_the_day_first_and_the_plan_ends_after_the_date(signed_in, user, interview,
                                                                                     questions):
    strong = due_card(user, questions[-1], overdue_hours=30, stability=60.0)
    weak = due_card(user, questions[-2], overdue_hours=1, stability=2.0)
    outside = due_card(user, questions[0], overdue_hours=50, stability=1.0)
    assert signed_in.get(REVIEW).context["session"].card == outside  # most overdue first, without a plan
    interview.apply_plan(2, None, services.utc_now())
    assert signed_in.get(REVIEW).context["session"].card == weak
    # as a Card method writes it: the version moves with the schedule
    Card.objects.filter(pk=weak.pk).update(due=services.utc_now() + timedelta(days=3), version=F("version") + 1)
    assert signed_in.get(REVIEW).context["session"].card == strong  # the scope's due cards before the others
    Interview.objects.filter(pk=interview.pk).update(on=in_days(-1))
    assert signed_in.get(REVIEW).context["session"].card == outside


@pytest.mark.parametrize("saved_settings", [False, True])  # saved settings count the applied plans as they are read
def test_a_raised_retention_schedules_the_scopes_cards_sooner(signed_in, user, interview, questions, saved_settings):
    if saved_settings:
        ReviewSettings.objects.create(user=user)
    card = due_card(user, questions[-1], overdue_hours=1, stability=10.0)
    interview.apply_plan(2, 0.97, services.utc_now())
    signed_in.post(reverse("progress:rate", args=[card.question_id]), {"rating": 3, "version": 0})
    log = ReviewLog.objects.get()
    expected, _ = scheduler_for(0.97).review_card(card.to_fsrs(), 3, review_datetime=log.reviewed_at)
    assert log.due_after == expected.due
    assert (log.due_after - log.reviewed_at).days < 10


def test_home_shows_todays_work_for_the_plan(signed_in, user, interview, questions, django_assert_max_num_queries):
    due_card(user, questions[-1], overdue_hours=1, stability=3.0)
    interview.apply_plan(5, None, services.utc_now())
    with django_assert_max_num_queries(11):
        html = signed_in.get("/").content.decode()
    assert "Acme: in 30 days" in html
    assert "Today's work for Acme: 1 due and 5 new (plan: 5 new a day)." in html
    # applying another rate moves the figure at once (the home page is never cached for a signed-in user)
    signed_in.post(plan_url(interview, "apply_plan"), {"new_per_day": "7"})
    assert "1 due and 7 new (plan: 7 new a day)" in signed_in.get("/").content.decode()
