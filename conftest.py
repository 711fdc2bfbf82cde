"""Fixtures shared by every app's tests."""

import itertools
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.html import escape
from django.utils.text import slugify
from playwright.sync_api import sync_playwright

from content.parser import parse
from questions.models import Category, Example, Question, QuestionSet

SEED = Path(__file__).resolve().parent / "content" / "sets" / "django-interview-questions.md"
TINY = Path(__file__).resolve().parent / "questions" / "tests" / "tiny-set.md"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the live server's ORM
# calls happen in another thread, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Production's PBKDF2 costs most of a second per user made or password checked; tests check
# behaviour, not the hash, and make hundreds of users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_set(db):
    """The shipped Django set, imported through the real parser and QuestionSet.objects.sync."""
    data = SEED.read_bytes()
    report = QuestionSet.objects.sync(parse(data, SEED.name))
    return QuestionSet.objects.get(pk=report.question_set_id)


@pytest.fixture
def tiny_set(db):
    """Ten questions in two categories, nine with a Python example (questions/tests/tiny-set.md),
    imported like the shipped set: for tests that need real content, not its wording."""
    return QuestionSet.objects.get(pk=QuestionSet.objects.sync(parse(TINY.read_bytes(), TINY.name)).question_set_id)


@pytest.fixture
def make_set(db):
    """A question set with the given title; its categories come from make_question."""

    def make(title="Test set", **fields) -> QuestionSet:
        fields.setdefault("slug", slugify(title))
        return QuestionSet.objects.create(title=title, **fields)

    return make


@pytest.fixture
def make_question(db, make_set):
    """One listed question, written directly: `make_question("Title", category__title="ORM",
    answer_md="- a\n- b\n- c", examples=["code"])`. Sets and categories are made on first use."""
    numbers = itertools.count(1)

    def make(title=None, *, category=None, category__title="General", question_set=None,
             answer_md="", examples=(), language="python", **fields) -> Question:
        number = next(numbers)
        if category is None:
            question_set = question_set or QuestionSet.objects.filter(slug="test-set").first() or make_set()
            category, _ = Category.objects.get_or_create(
                question_set=question_set, slug=slugify(category__title),
                defaults={"title": category__title, "position": question_set.categories.count()},
            )
        title = title or f"Question {number}"
        question = Question.objects.create(
            category=category, title=title, slug=slugify(title)[:100] or f"q-{number}", number=str(number),
            position=number, answer_md=answer_md, answer_html=f"<p>{escape(answer_md)}</p>", **fields,
        )
        Example.objects.bulk_create(
            Example(question=question, position=i, language=language, code=code,
                    highlighted_html=f"<pre><code>{escape(code)}</code></pre>")
            for i, code in enumerate(examples)
        )
        return question

    return make


@pytest.fixture
def user(db, django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.com", "correct-horse-battery")


@pytest.fixture
def other_user(db, django_user_model):
    return django_user_model.objects.create_user("mallory", "mallory@example.com", "correct-horse-battery")


@pytest.fixture
def signed_in(client, user):
    """The test client, signed in as `user`."""
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests skipped: no chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context; console errors fail the test at teardown."""
    context = browser.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript console errors: {errors}"


def login(page, username="alice", password="correct-horse-battery"):
    """Sign in through the real allauth form."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
