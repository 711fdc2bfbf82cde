"""Every page of the site with the data that fills it, for the page-walking browser tests.

A helper module, not a conftest: site/tests is no package, and a second "conftest" module would
shadow the root one. Test modules import the fixtures they use."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from content.parser import parse
from prepsite.models import Job
from progress import optimizer
from progress.models import Interview, ReviewSettings
from progress.services import settings_for, suspend_card, utc_now
from questions.imports import create_record
from questions.models import Bookmark, Question, QuestionSet
from questions.supplement import apply_supplement
from quizzes import drill as drills
from quizzes import services

PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SitePage:
    name: str
    url: str
    who: str  # "anonymous", "alice" or "ivy" (staff who may import)


@pytest.fixture
def site_pages(seed_set, user, django_user_model):
    """Pages for anonymous visitors, a signed-in learner with history, and the admin import."""
    supplement = ROOT / "content" / "quizzes" / "django-interview-questions.md"
    apply_supplement(supplement.read_bytes(), supplement.name)
    devlovers_md = ROOT / "content" / "sets" / "django-devlovers-en.md"
    devlovers = QuestionSet.objects.get(
        pk=QuestionSet.objects.sync(parse(devlovers_md.read_bytes(), devlovers_md.name)).question_set_id)
    # A DevLovers question with prose, code and an "Also in" link to the seed set.
    prose = Question.objects.listed().of_set(devlovers.slug).get(
        title="How does caching work in Django? Main caching approaches.")
    importer = django_user_model.objects.create_user("ivy", "ivy@example.com", PASSWORD, is_staff=True)
    importer.user_permissions.add(
        Permission.objects.get(codename="import_questionset", content_type__app_label="questions"),
        Permission.objects.get(codename="view_questionset"),
    )

    questions = list(Question.objects.listed().of_set(seed_set.slug).order_by("category__position", "position"))
    question = next(q for q in questions if q.examples.exists())
    category = question.category
    Bookmark.objects.create(user=user, question=question)
    suspend_card(user, questions[-2].pk)
    # A fit still running: its own page and the generic job page.
    fit_job = Job.objects.create(kind=optimizer.KIND, task_path="progress.optimizer.fit_parameters", user=user,
                                 state=Job.State.RUNNING, progress=40, stage="Fitting 512 reviews")

    done = services.start_attempt(user, seed_set, count=6, kinds=["code_question", "cloze", "key_point"],
                                  seconds_per_item=60, feedback="immediate", title="Finished quiz", seed=3)
    for item in done.items.order_by("position"):
        choices = item.snapshot.get("choices") or []
        if choices:
            services.answer(user, done.pk, item.number, [choices[0]["id"]], "")
    services.finish(done)
    playing = services.start_attempt(user, seed_set, count=5, kinds=["code_question", "cloze", "key_point"],
                                     seconds_per_item=600, feedback="immediate", title="Open quiz", seed=4)

    interview = Interview.objects.create(user=user, title="Walk interview", on=date.today() + timedelta(days=20),
                                         plan_new_per_day=4)

    # An import that replaces the seed set with one answer edited and the last question gone: the preview
    # shows updated, archived and a diff; a second upload is still parsing (its progress page).
    seed_md = (ROOT / "content" / "sets" / "django-interview-questions.md").read_text(encoding="utf-8")
    edited = seed_md.replace("encourages rapid development", "encourages rapid, secure development", 1).rsplit("\n### ", 1)[0] + "\n"
    preview = create_record(edited.encode(), "django-interview-questions.md", importer, seed_set, background=False)
    parsing = create_record(seed_md.encode(), "django-interview-questions.md", importer, seed_set)

    now = utc_now()
    in_category = drills.scope_of(user, question=None, category=category.pk, set_slug="", due=False, now=now)
    open_drill = drills.start(user, in_category, count=3, minutes=2, now=now)
    done_drill = drills.start(user, in_category, count=3, minutes=1, now=now)
    for position in range(3):
        drills.save(user, done_drill.pk, position, covered=[0] if position else [], rating=None, duration_ms=30_000,
                    now=now)

    # The settings page after a fit (set last: the steps above save the settings row whole).
    review_settings = settings_for(user)
    figures = {"log_loss": 0.3412, "rmse": 0.0521}
    ReviewSettings.objects.filter(pk=review_settings.pk).update(fit={
        "at": "2026-01-05T10:00:00+00:00", "reviews": 512, "seconds": 3.1, "default": figures,
        "current": figures, "new": {"log_loss": 0.3207, "rmse": 0.0433}, "adopted": True,
    })
    cards = f"/sets/{seed_set.slug}/{category.slug}/cards/1/"
    public = [
        ("home", "/"), ("set", seed_set.get_absolute_url()), ("category", category.get_absolute_url()),
        ("question", question.get_absolute_url()), ("flashcards", cards), ("search", "/search/?q=select_related"),
        ("set-flashcards", f"/sets/{seed_set.slug}/all-cards/1/"), ("second-set", devlovers.get_absolute_url()),
        ("second-set-question", prose.get_absolute_url()),
    ]
    pages = [SitePage(f"anon-{name}", url, "anonymous") for name, url in public]
    pages += [SitePage("anon-login", "/accounts/login/", "anonymous"),
              SitePage("anon-signup", "/accounts/signup/", "anonymous"),
              SitePage("anon-password-reset", "/accounts/password/reset/", "anonymous"),
              SitePage("anon-sources", "/about/sources/", "anonymous")]
    pages += [SitePage(f"user-{name}", url, "alice") for name, url in public]
    pages += [
        SitePage("user-bookmarks", "/bookmarks/", "alice"),
        SitePage("user-review", "/review/", "alice"),
        SitePage("user-review-answer", "/review/?reveal=1", "alice"),
        SitePage("user-flashcard-answer", cards + "?reveal=1", "alice"),
        SitePage("user-progress", "/progress/", "alice"),
        SitePage("user-review-settings", "/review/settings/", "alice"),
        SitePage("user-fit-status", f"/review/settings/fit/{fit_job.pk}/", "alice"),
        SitePage("user-job", f"/jobs/{fit_job.pk}/", "alice"),
        SitePage("user-suspended", "/review/suspended/", "alice"),
        SitePage("user-interviews", "/progress/interviews/", "alice"),
        SitePage("user-interview-edit", f"/progress/interviews/{interview.pk}/", "alice"),
        SitePage("user-interview-plan", f"/progress/interviews/{interview.pk}/plan/", "alice"),
        SitePage("user-quizzes", "/quizzes/", "alice"),
        SitePage("user-quiz-playing", f"/quizzes/{playing.pk}/", "alice"),
        SitePage("user-quiz-result", f"/quizzes/{done.pk}/result/", "alice"),
        SitePage("user-quiz-history", "/quizzes/history/", "alice"),
        SitePage("user-drill-start", f"/drill/new/?category={category.pk}", "alice"),
        SitePage("user-drill-step", f"/drill/{open_drill.pk}/", "alice"),
        SitePage("user-drill-reveal", f"/drill/{open_drill.pk}/?reveal=1", "alice"),
        SitePage("user-drill-summary", f"/drill/{done_drill.pk}/summary/", "alice"),
        SitePage("admin-import", "/admin/content/import/", "ivy"),
        SitePage("admin-import-preview", preview.get_absolute_url(), "ivy"),
        SitePage("admin-import-parsing", parsing.get_absolute_url(), "ivy"),
        SitePage("admin-import-history", "/admin/content/import/history/", "ivy"),
    ]
    return pages


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def walk(browser, live_server, site_pages):
    """walk(visit, **context_options) opens every page, one browser context per user."""
    return lambda visit, **options: _walk(browser, live_server, site_pages, visit, **options)


def _walk(browser, live_server, site_pages, visit, **context_options):
    by_user: dict[str, list[SitePage]] = {}
    for site_page in site_pages:
        by_user.setdefault(site_page.who, []).append(site_page)
    for who, pages in by_user.items():
        context = browser.new_context(base_url=live_server.url, **context_options)
        # Chrome asks for /favicon.ico on Django admin's own login page; that 404 is not ours.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        try:
            page = context.new_page()
            if who != "anonymous":
                sign_in(page, who)
            for site_page in pages:
                response = page.goto(site_page.url)
                assert response.status == 200, f"{site_page.name}: {site_page.url} answered {response.status}"
                page.wait_for_load_state("networkidle")
                visit(page, site_page)
        finally:
            context.close()
