"""The import page in a real browser: upload, preview, apply, find the questions on the site."""

import re

import pytest
from playwright.sync_api import expect

from conftest import login
from prepsite.jobs import run_pending

pytestmark = pytest.mark.browser

SET = """# Browser test set

## Networking

### 1. What does DNS resolve?
Names to addresses.

### 2. What is a TCP handshake?
SYN, SYN-ACK, ACK.

```text
client -> SYN -> server
```
"""


@pytest.fixture(autouse=True)
def _admin_favicon(page):
    # Django's own admin pages (the login page) declare no icon; Chrome's /favicon.ico 404 is not ours.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def _upload(page, data: bytes):
    page.set_input_files("input[name=file]", files=[{"name": "browser-set.md", "mimeType": "text/markdown", "buffer": data}])
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_url(re.compile(r"/admin/content/import/\d+/$"), timeout=15000)
    # The parse is a job: the page shows its progress, then turns into the preview by itself.
    expect(page.locator("#import-progress")).to_contain_text("Parsing and previewing")
    run_pending()
    expect(page.locator("#import-progress")).to_have_count(0, timeout=15000)


def test_staff_uploads_previews_applies_and_finds_the_questions(page, importer):
    login(page, "ivy", "correct-horse-battery")
    page.goto("/admin/questions/questionset/")
    page.get_by_role("link", name="Import from Markdown").click()
    expect(page.get_by_role("heading", name="Import a question set")).to_be_visible()

    _upload(page, SET.encode())
    expect(page.locator("#import-layout")).to_have_text("headings")
    expect(page.locator("#import-summary")).to_contain_text("2 created, 0 updated, 0 unchanged, 0 archived")
    expect(page.get_by_text("What is a TCP handshake?")).to_be_visible()

    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#import-progress")).to_contain_text("Applying", timeout=15000)
    expect(page.locator("#import-actions")).to_have_count(0)
    run_pending()
    expect(page.locator("#import-summary")).to_contain_text("Applied", timeout=15000)
    expect(page.locator("#import-actions")).to_have_count(0)
    page.get_by_role("link", name="view on the site").click()

    expect(page.get_by_role("heading", name="Browser test set", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile("What does DNS resolve")).click()
    expect(page.get_by_text("Names to addresses.")).to_be_visible()

    # The same file again: nothing to do.
    page.goto("/admin/content/import/")
    _upload(page, SET.encode())
    expect(page.locator("#import-summary")).to_contain_text("0 created, 0 updated, 2 unchanged")


def test_bad_file_is_answered_on_the_upload_page(page, importer):
    login(page, "ivy", "correct-horse-battery")
    page.goto("/admin/content/import/")
    page.set_input_files("input[name=file]", files=[{"name": "x.md", "mimeType": "text/markdown", "buffer": b"\xff\xfe\x00bad"}])
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing changed", timeout=15000)
    expect(page).to_have_url(re.compile(r"/admin/content/import/$"))
    # The form came back in place with its 422, which the browser logs; nothing else may be logged.
    assert all("422" in error for error in page.console_errors)
    page.console_errors.clear()


def test_non_staff_user_is_refused_the_import_page(page, user):
    login(page)
    page.goto("/admin/content/import/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.locator("input[name=file]")).to_have_count(0)
