"""The Anki deck of a large set is built by a job, shown in progress, then downloaded; small sets stay instant."""

import pytest
from django.core.cache import cache

from prepsite.jobs import run_pending
from prepsite.models import Job
from questions import export_views
from questions.export_files import AnkiExport
from questions.models import Question

pytestmark = pytest.mark.django_db(transaction=True)
POLL = {"HX-Request": "true", "HX-Target": "export-progress"}


@pytest.fixture
def large(settings, tiny_set):
    settings.EXPORT_JOB_THRESHOLD = 5  # the tiny set has more listed questions than this
    cache.clear()
    return tiny_set


def test_a_large_set_is_built_by_a_job_then_downloaded(client, large, django_assert_max_num_queries):
    url = f"/sets/{large.slug}/export.apkg"
    response = client.get(url)
    assert response.status_code == 202 and "Build the deck" in response.content.decode()
    assert not Job.objects.exists()  # a GET starts nothing
    assert client.post(url)["Location"] == url
    response = client.get(url)
    assert response.status_code == 202 and b"<html" in response.content
    page = response.content.decode()
    assert 'id="export-progress"' in page and 'hx-trigger="every 1s"' in page and "reload it" in page
    assert client.post(url).status_code == 302
    assert Job.objects.filter(kind="export").count() == 1  # one build for every visitor
    with django_assert_max_num_queries(8):
        fragment = client.get(url, headers=POLL)
    assert fragment.status_code == 202 and b"<html" not in fragment.content

    run_pending()
    export = AnkiExport.objects.get()
    assert export.job.state == "done" and export.size == len(export.data) > 0
    assert client.get(url, headers=POLL)["HX-Redirect"] == url
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response.content == bytes(export.data)
    assert f'filename="{large.slug}.apkg"' in response["Content-Disposition"]


def test_a_changed_set_gets_a_new_deck(client, large):
    url = f"/sets/{large.slug}/export.apkg"
    client.post(url)
    run_pending()
    first = AnkiExport.objects.get()
    question = Question.objects.of_set(large.slug).first()
    question.title = "A retitled question?"
    question.save()
    assert client.get(url).status_code == 202
    client.post(url)
    assert AnkiExport.objects.get().pk != first.pk and Job.objects.filter(kind="export").count() == 2


def test_a_failed_build_says_why_and_can_be_tried_again(client, large, settings, monkeypatch):
    settings.JOB_RETRY_DELAYS = []
    monkeypatch.setattr(export_views.exporters, "to_apkg", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    url = f"/sets/{large.slug}/export.apkg"
    client.post(url)
    run_pending()
    page = client.get(url).content.decode()
    assert "Failed: OSError: disk full" in page and "Try again" in page and "hx-trigger" not in page
    monkeypatch.undo()
    settings.EXPORT_JOB_THRESHOLD = 5
    assert client.post(url).status_code == 302
    run_pending()
    assert client.get(url).content[:2] == b"PK"


def test_a_small_set_downloads_at_once(client, tiny_set, settings):
    settings.EXPORT_JOB_THRESHOLD = 10_000
    response = client.get(f"/sets/{tiny_set.slug}/export.apkg")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert not Job.objects.exists() and not AnkiExport.objects.exists()
