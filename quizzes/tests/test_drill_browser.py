import re

import pytest
from playwright.sync_api import expect

from conftest import login
from progress.models import ReviewLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "- Rows are fetched lazily\n- Filters chain without a query\n- Slicing adds LIMIT\n- len() evaluates it\n- Caching keeps the rows"


def test_keyboard_only_drill_of_three_questions_then_dashboard(page, user, make_question):
    questions = [make_question(f"Querysets, part {n}", category__title="ORM", answer_md=ANSWER) for n in range(3)]
    login(page)
    page.goto(questions[0].category.get_absolute_url())
    page.wait_for_load_state()
    page.keyboard.press("d")
    expect(page).to_have_url(re.compile(r"/drill/new/\?category="))
    page.wait_for_load_state()
    page.keyboard.press("Enter")
    expect(page.locator(".question-title")).to_have_text(questions[0].title)
    expect(page.locator("[data-timer-text]")).to_contain_text("left")  # the countdown runs
    url = page.url

    # (digits to press, the suggestion they give, the rating saved): 3/5 Hard, 5/5 Easy, 1/5 Again.
    plan = [("123", "Hard", 2), ("12345", "Easy", 4), ("4", "Again", 1)]
    for number, (digits, suggestion, _) in enumerate(plan):
        expect(page.locator(".question-title")).to_have_text(questions[number].title)
        page.keyboard.press("Space")
        expect(page.locator("[data-drill-form]")).to_be_visible()
        for digit in digits:
            page.keyboard.press(digit)
        expect(page.locator("input[name=covered]:checked")).to_have_count(len(digits))
        expect(page.locator("[data-suggestion-line] [data-suggestion]")).to_have_text(suggestion)
        page.keyboard.press("Enter")
        if number < 2:
            expect(page.locator(".drill-step .alert-success")).to_contain_text(f"as {suggestion}")
            assert page.url == url  # htmx swapped the step in place
    expect(page.get_by_role("heading", name="Drill summary")).to_be_visible()
    expect(page.locator(".drill-missed li")).to_have_count(6)  # 2 + 0 + 4 points missed
    expect(page.locator(".drill-missed li").first).to_contain_text(f"len() evaluates it — {questions[0].title}")
    assert [(log.card.question_id, log.rating, log.source) for log in ReviewLog.objects.order_by("pk")] == [
        (q.pk, rating, "drill") for q, (_, _, rating) in zip(questions, plan)]

    page.keyboard.press("p")
    expect(page.get_by_test_id("reviews-today")).to_have_text("3")
