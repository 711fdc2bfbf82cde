"""Every page, loaded in Chromium with the Content-Security-Policy on, reports no violation."""

import pytest
from django.test import Client

from conftest import login
from test_fuzz import crawl

pytestmark = pytest.mark.browser


RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at line ${e.lineNumber}`));
"""


def visit_all(page, urls):
    violations = []
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        violations += [f"{url}: {text}" for text in page.evaluate("window.__csp")]
    return violations


def test_every_page_runs_under_the_csp(page, seed_set, django_user_model):
    staff = django_user_model.objects.create_user("stella", "stella@example.com", "correct-horse-battery",
                                                  is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    pages, _ = crawl(client, limit=120)
    question = seed_set.categories.first().questions.first()
    urls = sorted(set(pages.values())) + ["/admin/", "/admin/questions/question/",
                                           f"/admin/questions/question/{question.pk}/change/"]
    anonymous = ["/", seed_set.get_absolute_url(), question.get_absolute_url(), "/accounts/login/",
                 "/accounts/signup/", "/accounts/password/reset/"]
    page.context.add_init_script(RECORD_VIOLATIONS)
    violations = visit_all(page, anonymous)
    # The theme bootstrap moved to static/js/theme-init.js still runs before first paint.
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == "dark"
    login(page, "stella")
    assert page.get_by_test_id("signed-in-user").count() == 1
    pages_only = [url for url in urls if "html" in client.get(url).get("Content-Type", "")
                  and client.get(url).status_code == 200]
    violations += visit_all(page, pages_only)
    assert len(pages_only) > 20
    assert not violations, "\n".join(violations)
