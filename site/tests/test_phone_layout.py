"""Phones: no page scrolls sideways at 360 px, hints for keys stay off touch screens, swipes rate cards."""

import pytest
from playwright.sync_api import expect

from pagewalk import sign_in, site_pages, walk  # noqa: F401  (fixtures)
from progress.models import ReviewLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2}
TOUCH = {**PHONE, "has_touch": True, "is_mobile": True}

OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && getComputedStyle(el).position !== 'fixed')
    .filter(el => !el.closest('.table-scroll, pre, .highlight, .navbar-collapse:not(.show)'))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : ''));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide};
}"""


def test_no_page_scrolls_sideways_at_360px(walk, site_pages):
    too_wide: list[str] = []
    seen: set[str] = set()

    def visit(page, site_page):
        seen.add(site_page.name)
        size = page.evaluate(OVERFLOW)
        if size["scrollWidth"] > size["innerWidth"]:
            too_wide.append(f"{site_page.name}: {size['scrollWidth']} > {size['innerWidth']} ({size['wide']})")

    walk(visit, **PHONE)
    assert seen == {p.name for p in site_pages}
    assert not too_wide, "\n".join(too_wide)


def test_quiz_header_keeps_its_phrases_whole_on_a_phone(browser, live_server, site_pages):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    sign_in(page, "alice")
    page.goto(next(p.url for p in site_pages if p.name == "user-quiz-playing"))
    title = page.locator("#item-title")
    line_height = float(title.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert title.bounding_box()["height"] < line_height * 1.5, "the item title wrapped"
    context.close()


def test_key_hints_hidden_on_touch_screens(browser, live_server, site_pages):
    flashcards = next(p.url for p in site_pages if p.name == "anon-flashcards")
    for options, shown in ((TOUCH, False), ({"viewport": {"width": 1280, "height": 800}}, True)):
        context = browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        page.goto(flashcards)
        hint = page.locator("#answer kbd").first
        expect(hint).to_be_visible() if shown else expect(hint).to_be_hidden()
        swipe_hint = page.locator(".touch-hints").first
        expect(swipe_hint).to_be_hidden() if shown else expect(swipe_hint).to_be_visible()
        context.close()


def test_swipes_rate_review_cards_and_tap_targets_are_large(browser, live_server, site_pages):
    context = browser.new_context(base_url=live_server.url, **TOUCH)
    page = context.new_page()
    sign_in(page, "alice")
    page.goto("/review/")
    before = ReviewLog.objects.filter(user__username="alice", source="review").count()
    current = "[data-review-item]:visible"  # the session holds the next cards, hidden
    title = page.locator(f"{current} .question-title")
    first = title.inner_text()

    page.locator(f"{current} [data-reveal]").tap()
    expect(page.locator("#answer")).to_be_visible()
    for button in page.locator(f"{current} .rating-buttons .btn").all():
        assert button.bounding_box()["height"] >= 44

    with page.expect_response(lambda r: "/rate/" in r.url):
        _swipe(page, f"{current} [data-review-card]", dx=-160)  # left: Again
    expect(title).not_to_have_text(first)
    assert list(ReviewLog.objects.filter(user__username="alice", source="review")
                .order_by("-pk").values_list("rating", flat=True))[:1] == [1]

    second = title.inner_text()
    page.locator(f"{current} [data-reveal]").tap()
    with page.expect_response(lambda r: "/rate/" in r.url):
        _swipe(page, f"{current} [data-review-card]", dx=160)  # right: Good
    expect(title).not_to_have_text(second)
    ratings = list(ReviewLog.objects.filter(user__username="alice", source="review")
                   .order_by("-pk").values_list("rating", flat=True))
    assert ratings[:2] == [3, 1] and len(ratings) == before + 2
    context.close()


def test_swipe_moves_between_flashcards(browser, live_server, site_pages):
    context = browser.new_context(base_url=live_server.url, **TOUCH)
    page = context.new_page()
    page.goto(next(p.url for p in site_pages if p.name == "anon-flashcards"))
    page.goto(page.locator("#flashcard [rel=next]").get_attribute("href"))  # a card with Previous and Next
    targets = page.locator(".answer-hidden .btn, #flashcard nav .btn")
    assert targets.count() == 3  # Show answer, Previous, Next
    for target in targets.all():
        assert target.bounding_box()["height"] >= 44, target.inner_text()
    page.go_back()
    _swipe(page, ".card-face", dx=-160)  # left: next card
    expect(page.get_by_test_id("card-position")).to_contain_text("2 /", timeout=10_000)
    _swipe(page, ".card-face", dx=160)  # right: back
    expect(page.get_by_test_id("card-position")).to_contain_text("1 /", timeout=10_000)
    context.close()


def test_swipes_rate_a_revealed_flashcard(browser, live_server, site_pages):
    context = browser.new_context(base_url=live_server.url, **TOUCH)
    page = context.new_page()
    sign_in(page, "alice")
    page.goto(next(p.url for p in site_pages if p.name == "anon-flashcards") + "?reveal=1")
    expect(page.get_by_test_id("flashcard-rating")).to_be_visible()
    for button in page.locator("[data-testid=flashcard-rating] .btn").all():
        assert button.bounding_box()["height"] >= 44
    _swipe(page, ".card-face", dx=-160)  # left on a revealed card: Again
    expect(page.get_by_test_id("card-position")).to_contain_text("2 /", timeout=10_000)
    logs = ReviewLog.objects.filter(user__username="alice", source="flashcard")
    assert list(logs.values_list("rating", flat=True)) == [1]
    context.close()


def _swipe(page, selector: str, dx: int) -> None:
    """A one-finger horizontal swipe, as pointer events (what static/js/swipe.js listens to)."""
    box = page.locator(selector).first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 120)
    page.locator(selector).first.evaluate(
        """(el, [x, y, dx]) => {
          const opts = {bubbles: true, pointerType: 'touch', isPrimary: true, pointerId: 7};
          el.dispatchEvent(new PointerEvent('pointerdown', {...opts, clientX: x, clientY: y}));
          el.dispatchEvent(new PointerEvent('pointermove', {...opts, clientX: x + dx / 2, clientY: y + 4}));
          el.dispatchEvent(new PointerEvent('pointerup', {...opts, clientX: x + dx, clientY: y + 6}));
        }""",
        [x, y, dx],
    )
