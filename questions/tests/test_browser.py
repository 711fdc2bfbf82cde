"""What only a browser shows: highlighting and copying, keyboard flashcards, live search, accounts, theme.

Every test runs with the root conftest's `page`, which fails on any JavaScript console error.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import login
from prepsite.jobs import run_pending
from questions.models import Category, Example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def category(seed_set):
    return Category.objects.listed().filter(question_set=seed_set).order_by("position").first()


def test_home_category_question_highlighted_code_and_copy(page, seed_set, category):
    page.goto("/")
    page.get_by_role("link", name=re.compile(category.title)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(category.title)
    question = category.questions.listed().order_by("position")[1]
    page.locator(f'a[href="{question.get_absolute_url()}"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(question.get_absolute_url()) + "$"))

    figure = page.locator("figure.code-example").first
    expect(figure.locator("figcaption")).to_contain_text("python")
    keyword = figure.locator(".highlight .k").first  # a Pygments keyword token
    expect(keyword).to_be_visible()
    colour = keyword.evaluate("el => getComputedStyle(el).color")
    plain = figure.locator("pre").evaluate("el => getComputedStyle(el).color")
    assert colour != plain, "keywords should be coloured by the Pygments stylesheet"

    button = figure.get_by_role("button", name=re.compile("Copy"))
    button.click()
    expect(button).to_have_text("Copied!")
    expected = Example.objects.filter(question=question).order_by("position").first().code
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == expected.strip()


def test_flashcards_space_arrows_and_reload(page, seed_set, category):
    count = category.questions.listed().count()
    page.goto(f"/sets/{seed_set.slug}/{category.slug}/cards/1/")
    page.evaluate("window.__noReload = true")
    position = page.get_by_test_id("card-position")
    expect(position).to_have_text(f"1 / {count}")
    expect(page.locator("#answer.answer-hidden")).to_be_visible()

    page.keyboard.press("Space")
    expect(page.locator("section#answer")).to_be_visible()

    page.keyboard.press("ArrowRight")
    expect(position).to_have_text(f"2 / {count}")
    expect(page).to_have_url(re.compile(r"/cards/2/$"))
    expect(page.locator("#answer.answer-hidden")).to_be_visible()
    page.keyboard.press("j")
    expect(position).to_have_text(f"3 / {count}")
    page.keyboard.press("k")
    expect(position).to_have_text(f"2 / {count}")
    assert page.evaluate("window.__noReload") is True, "moving between cards must not reload the page"

    page.reload()
    expect(page.get_by_test_id("card-position")).to_have_text(f"2 / {count}")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("card-position")).to_have_text(f"1 / {count}")
    page.go_back()
    expect(page.get_by_test_id("card-position")).to_have_text(f"2 / {count}")


def test_study_mode_space_reveals_answer(page, seed_set, category):
    question = category.questions.listed().order_by("position")[1]
    page.goto(question.get_absolute_url() + "?study=1")
    expect(page.locator("figure.code-example")).to_have_count(0)
    page.keyboard.press("Space")
    expect(page.locator("figure.code-example").first).to_be_visible()
    expect(page.locator("figure.code-example .copy-button").first).to_be_visible()


def test_search_as_you_type_without_page_load(page, seed_set):
    page.goto("/search/")
    page.evaluate("window.__noReload = true")
    page.get_by_label("Search titles, answers and code").press_sequentially("middlew", delay=30)
    results = page.locator("#search-results .search-results li")
    expect(results.first).to_be_visible()
    expect(results.first.locator("mark").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=middlew"))
    assert page.evaluate("window.__noReload") is True
    page.get_by_label("Search titles, answers and code").fill("xylophonequartz")
    expect(page.locator("#search-results")).to_contain_text("No questions match")


def test_sign_up_log_out_log_in(page, seed_set):
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "carol@example.com")
    page.fill("input[name=username]", "carol")
    page.fill("input[name=password1]", "a-long-unusual-passphrase")
    page.fill("input[name=password2]", "a-long-unusual-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))  # verification is mandatory
    run_pending()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/confirm-email/" in line)
    page.goto(link[link.index("/accounts/"):].strip())
    page.get_by_role("button", name="Confirm").click()
    login(page, "carol", "a-long-unusual-passphrase")
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("carol")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_test_id("signed-in-user")).to_have_count(0)

    login(page, "carol@example.com", "a-long-unusual-passphrase")
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("carol")


def test_bookmark_and_note_inline(page, seed_set, category, user):
    question = category.questions.listed().order_by("position")[0]
    login(page)
    page.goto(question.get_absolute_url())
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name=re.compile("Bookmark")).click()
    expect(page.get_by_role("button", name=re.compile("Bookmarked"))).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name=re.compile("Add a note")).click()
    page.get_by_role("textbox", name="Your note").fill("Django is batteries included")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note .note-text")).to_have_text("Django is batteries included")
    assert page.evaluate("window.__noReload") is True
    page.goto("/bookmarks/")
    expect(page.locator("#bookmark-list")).to_contain_text("batteries included")
    page.get_by_role("button", name=re.compile("Remove bookmark")).click()
    expect(page.locator("#bookmark-list li")).to_have_count(0)


def test_dark_mode_toggle_survives_reload(page, seed_set, category):
    question = category.questions.listed().order_by("position")[1]
    page.emulate_media(color_scheme="light")
    page.goto(question.get_absolute_url())
    html = page.locator("html")
    expect(html).to_have_attribute("data-bs-theme", "light")
    page.get_by_role("button", name="Switch to dark theme").click()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    assert page.locator("#pygments-dark").get_attribute("media") == "all"
    assert page.locator("#pygments-light").get_attribute("media") == "not all"
    background = page.locator(".highlight").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(13, 17, 23)"  # the dark code background (github-dark)
    page.keyboard.press("t")
    expect(html).to_have_attribute("data-bs-theme", "light")


def test_no_console_errors_on_any_page(page, seed_set, category, user):
    question = category.questions.listed().order_by("position")[0]
    paths = [
        "/",
        seed_set.get_absolute_url(),
        category.get_absolute_url(),
        question.get_absolute_url(),
        question.get_absolute_url() + "?study=1",
        f"/sets/{seed_set.slug}/{category.slug}/cards/1/",
        "/search/",
        "/search/?q=orm",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    login(page)
    for path in [question.get_absolute_url(), "/bookmarks/", category.get_absolute_url() + "?status=bookmarked",
                 f"/questions/{question.pk}/note/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    assert page.console_errors == []
