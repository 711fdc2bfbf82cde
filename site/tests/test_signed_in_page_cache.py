"""Signed-in pages cached by prepsite.pagecache: each response has its own working CSRF token,
and a pending message is never hidden behind a cached copy."""

import re

import pytest
from django.contrib.messages import constants
from django.core.cache import cache
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.test import Client

from prepsite import pagecache
from questions.models import Category, Question


@pytest.fixture
def question(seed_set):
    category = Category.objects.listed().filter(question_set=seed_set).order_by("position").first()
    return category.questions.listed().with_category()[0]


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_a_cached_page_carries_a_fresh_working_token(user, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = question.get_absolute_url()
    first = client.get(url)
    again = client.get(url)
    assert again.context is None, "the second load is served from the cache"
    html = again.content.decode()
    assert "csrf-token-filled-in-per-request" not in html
    assert _token(html) != _token(first.content.decode())
    assert f'"X-CSRFToken": "{_token(html)}"' in html
    posted = client.post(f"/questions/{question.pk}/bookmark/", {"csrfmiddlewaretoken": _token(html)})
    assert posted.status_code in (200, 302)
    assert "★ Bookmarked" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_pending_message_shows(signed_in, question):
    url = question.get_absolute_url()
    signed_in.get(url)
    storage = CookieStorage(HttpRequest())
    storage.add(constants.INFO, "A message for this visitor")
    response = HttpResponse()
    storage.update(response)
    signed_in.cookies["messages"] = response.cookies["messages"].value
    assert "A message for this visitor" in signed_in.get(url).content.decode()


@pytest.mark.django_db
def test_a_worker_serves_its_own_copy_with_a_fresh_token_until_a_write_moves_the_key(settings, user, question,
                                                                                    monkeypatch):
    settings.SIGNED_IN_PAGES_KEPT_LOCALLY = 8
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = question.get_absolute_url()
    first = client.get(url).content.decode()
    shared_reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: shared_reads.append(key) or real_get(key, *args, **kwargs))
    again = client.get(url)
    assert again.context is None and not [key for key in shared_reads if key.startswith("signed-in-page:")]
    html = again.content.decode()
    assert _token(html) != _token(first)
    client.post(f"/questions/{question.pk}/bookmark/", {"csrfmiddlewaretoken": _token(html)})
    assert "★ Bookmarked" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_worker_keeps_at_most_the_set_number_of_pages(settings, signed_in, seed_set):
    settings.SIGNED_IN_PAGES_KEPT_LOCALLY = 2
    for question in Question.objects.listed().with_category()[:5]:
        assert signed_in.get(question.get_absolute_url()).status_code == 200
        assert 1 <= len(pagecache._local) <= 2
