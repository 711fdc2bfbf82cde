"""A learner sets an interview date, reads its forecast chart, applies the plan, and the review queue follows it."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from conftest import login
from progress.models import Interview

from .conftest import CATEGORIES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_set_a_date_see_the_forecast_apply_the_plan_and_review_its_questions_first(page, user, questions):
    login(page)
    page.goto("/progress/interviews/")
    page.get_by_label("Name").fill("Acme onsite")
    page.locator("#id_on").fill((date.today() + timedelta(days=21)).isoformat())
    page.get_by_label("Chosen categories").check()
    page.get_by_label(CATEGORIES[-1]).check()  # the category a plain session reaches last
    page.get_by_role("button", name="Add date").click()
    expect(page.get_by_text("Interview date saved")).to_be_visible()

    page.get_by_role("link", name="Forecast and plan").click()
    chart = page.get_by_test_id("readiness-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(2)
    recommended = page.get_by_test_id("recommended-new").inner_text()
    page.get_by_role("button", name="Apply this plan").click()
    expect(page.get_by_test_id("plan-applied")).to_contain_text(f"Applied: {recommended} new question")
    assert Interview.objects.get().plan_new_per_day == int(recommended)

    page.goto("/review/")
    expect(page.get_by_test_id("count-new")).to_contain_text(recommended)
    expect(page.locator("[data-review-item]:visible .question-title")).to_contain_text(CATEGORIES[-1])
    expect(page.get_by_test_id("plan-note")).to_contain_text("Following your plan for Acme onsite")
