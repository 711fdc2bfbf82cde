import re

import pytest
from playwright.sync_api import expect

from conftest import login
from progress import services
from progress.models import Card, ReviewLog
from progress.queue import BATCH
from questions.models import Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keyboard_only_review_session_then_dashboard(page, user, seed_set):
    login(page)
    page.goto("/review/")
    session = page.locator("#review-session")
    answer = page.locator("[data-review-item]:visible [data-answer]")
    title = page.locator("[data-review-item]:visible .question-title")
    first_title = title.inner_text()
    expect(answer).to_be_hidden()
    expect(page.get_by_test_id("count-new")).to_contain_text("20")

    page.keyboard.press("Space")
    expect(answer).to_be_visible()
    expect(page.locator("[data-review-item]:visible").get_by_test_id("interval-3")).to_have_text("<10m")
    expect(page.locator("[data-review-item]:visible").get_by_test_id("interval-4")).to_have_text("8d")

    with page.expect_response(lambda r: "/rate/" in r.url):
        page.keyboard.press("3")  # Good: the next card shows at once, the rating is posted meanwhile
    expect(title).not_to_have_text(first_title)
    expect(title).to_be_focused()
    expect(page.get_by_test_id("count-new")).to_contain_text("19")
    expect(page.get_by_test_id("count-learning")).to_contain_text("1")
    expect(answer).to_be_hidden()
    second_title = title.inner_text()
    url_after_first = page.url

    page.keyboard.press("Space")
    expect(answer).to_be_visible()
    with page.expect_response(lambda r: "/rate/" in r.url):
        page.keyboard.press("1")  # Again
    expect(title).not_to_have_text(second_title)
    expect(page.get_by_test_id("count-learning")).to_contain_text("2")
    assert page.url == url_after_first  # no reload
    assert ReviewLog.objects.count() == 2
    expect(session.locator("#review-undo input[name=log]")).to_have_value(str(ReviewLog.objects.latest("pk").pk))

    page.keyboard.press("u")  # undo the Again
    expect(session.get_by_text("Rating undone.")).to_be_visible()
    expect(title).to_have_text(second_title)
    expect(page.get_by_test_id("count-learning")).to_contain_text("1")
    assert list(ReviewLog.objects.values_list("rating", flat=True)) == [3]
    undone = Card.objects.get(question__title=second_title)
    assert undone.is_new

    page.goto("/progress/")
    expect(page.get_by_test_id("heatmap")).to_be_visible()
    expect(page.get_by_test_id("forecast")).to_be_visible()
    expect(page.get_by_test_id("reviews-today")).to_have_text("1")
    expect(page.get_by_test_id("streak")).to_have_text("1 day")
    expect(page.locator("#heatmap-svg-desc")).to_contain_text("1 review on 1 day")
    today = page.locator("rect[data-count]").last  # the chart ends with today
    expect(today).to_have_attribute("data-count", "1")


def test_the_next_cards_show_at_once_and_the_last_brings_the_next_batch(page, user, seed_set):
    login(page)
    page.goto("/review/")
    title = page.locator("[data-review-item]:visible .question-title")
    order = [t.strip() for t in page.locator(".question-title").all_inner_texts()]
    assert len(order) == BATCH
    for n, expected in enumerate(order):
        expect(title).to_have_text(expected)
        page.keyboard.press("Space")
        with page.expect_response(lambda r: "/rate/" in r.url) as rated:
            page.keyboard.press("3")
        assert rated.value.status == 200
        expect(page.get_by_test_id("count-new")).to_contain_text(str(20 - n - 1))
    expect(title).not_to_have_text(order[-1])  # the server's next batch
    assert ReviewLog.objects.count() == BATCH and Card.objects.filter(user=user).count() == BATCH
    shown = page.get_by_test_id("count-new").inner_text(), page.get_by_test_id("count-learning").inner_text()
    page.reload()
    assert (page.get_by_test_id("count-new").inner_text(), page.get_by_test_id("count-learning").inner_text()) == shown
    expect(page.get_by_test_id("count-learning")).to_contain_text(str(BATCH))


def test_undo_waits_for_the_last_of_overlapping_ratings(page, user, seed_set):
    """A rating sent while another is unanswered waits for it (hx-sync), and the first one's
    undo button is not shown meanwhile: it would undo a rating that is no longer the last."""
    login(page)
    page.goto("/review/")
    held = []
    page.route("**/rate/", lambda route: held.append(route))

    def wait_for_held(n):
        while len(held) < n:
            page.wait_for_timeout(20)

    for _ in range(2):
        page.keyboard.press("Space")
        page.keyboard.press("3")
    wait_for_held(1)
    page.wait_for_timeout(200)
    assert len(held) == 1  # the second waits in the browser's queue
    with page.expect_response(lambda r: "/rate/" in r.url):
        held[0].continue_()
    wait_for_held(2)
    expect(page.locator("#review-undo form")).to_have_count(0)
    with page.expect_response(lambda r: "/rate/" in r.url):
        held[1].continue_()
    expect(page.locator("#review-undo input[name=log]")).to_have_value(str(ReviewLog.objects.latest("pk").pk))
    assert ReviewLog.objects.count() == 2


def test_a_card_rated_elsewhere_meanwhile_brings_the_servers_session(page, user, seed_set):
    login(page)
    page.goto("/review/")
    title = page.locator("[data-review-item]:visible .question-title")
    second = page.locator(".question-title").nth(1).inner_text().strip()
    question = Question.objects.get(title=second)
    services.rate_question(user, question.pk, 3, version=0)  # another tab rates the second card
    page.keyboard.press("Space")
    page.keyboard.press("3")
    expect(title).to_have_text(second)  # shown at once, from the batch
    page.keyboard.press("Space")
    page.keyboard.press("4")
    expect(page.locator("#review-session").get_by_text("That card was already answered; here is the next one.")).to_be_visible()
    expect(page.locator("#live-status")).to_have_text("That card was already answered; here is the next one.")
    expect(title).not_to_have_text(second)
    assert ReviewLog.objects.filter(card__question=question).count() == 1


def test_anonymous_review_goes_to_login_and_back(page, user, seed_set):
    page.goto("/review/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/review/"))
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "correct-horse-battery")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator("[data-review-item]:visible .question-title")).to_be_visible()


def test_flashcard_reveal_then_key_3_rates_the_card(page, user, make_question):
    first = make_question("First card", category__title="ORM", answer_md="One.")
    make_question("Second card", category__title="ORM", answer_md="Two.")
    login(page)
    page.goto(f"/sets/{first.category.question_set.slug}/{first.category.slug}/cards/1/")
    page.keyboard.press("Space")  # htmx swaps in the answer, with the rating buttons under it
    expect(page.get_by_test_id("flashcard-rating")).to_be_visible()
    page.keyboard.press("3")
    expect(page.get_by_test_id("card-position")).to_have_text("2 / 2", timeout=10_000)
    log = ReviewLog.objects.get()
    assert (log.card.question_id, log.rating, log.source) == (first.pk, 3, "flashcard")
    assert Card.objects.get(question=first).last_rating == 3
