import pytest
from playwright.sync_api import expect

from conftest import login
from quizzes.models import Attempt


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_timed_quiz_runs_out_and_shows_the_result(page, seed_set, user):
    login(page)
    page.goto("/quizzes/")
    page.fill("input[name=count]", "5")
    page.fill("input[name=seconds_per_item]", "3")  # 15 s for the whole quiz
    for kind in ("recall", "cloze"):
        page.uncheck(f"input[name=kinds][value={kind}]")
    page.check("input[name=feedback][value=immediate]")
    page.get_by_role("button", name="Start quiz").click()
    expect(page.locator("#countdown")).to_be_visible()
    # quiz.js, at the page's end, marks the countdown synced in the same run that binds the keys:
    # a key pressed before that is lost (under load the first "1" was)
    expect(page.locator("#countdown")).to_have_attribute("data-synced", "1")

    # Answer two items with the keyboard and the mouse; the feedback swaps in without a reload.
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator(".quiz-feedback")).to_be_visible()
    page.locator("#next-link").click()
    expect(page.locator("#item-title")).to_have_text("Item 2 of 5")
    page.locator("input[name=choice]").nth(1).check()
    page.get_by_role("button", name="Answer").click()
    expect(page.locator(".quiz-feedback")).to_be_visible()

    # Then wait: at zero the page hands the quiz in and the result appears without a click.
    expect(page.locator("#quiz-result")).to_be_visible(timeout=25_000)
    expect(page.locator("#review .quiz-review-item")).to_have_count(5)
    attempt = Attempt.objects.get()
    assert attempt.finish_reason == "timeout"
    assert attempt.items.filter(answered_at__isnull=False).count() == 2
    assert "/result/" in page.url
