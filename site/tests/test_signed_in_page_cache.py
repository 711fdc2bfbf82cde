"""Signed-in pages cached by prepsite.pagecache: each response has its own working CSRF token,
and a pending message is never hidden behind a cached copy."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _get_new_csrf_string, _unmask_cipher_token
from django.test import Client

from prepsite.pagecache import masked_token

from questions.models import Category


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


def test_masked_tokens_are_djangos_format_and_unmask_to_the_secret(rf):
    request = rf.get("/")
    secret = _get_new_csrf_string()
    request.META["CSRF_COOKIE"] = secret
    tokens = [masked_token(request) for _ in range(300)]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert all(len(t) == 64 and set(t) <= set(CSRF_ALLOWED_CHARS) for t in tokens)
    assert {_unmask_cipher_token(t) for t in tokens} == {secret}
    assert len(set(tokens)) == len(tokens)
    masks = "".join(t[:32] for t in tokens)
    assert set(masks) == set(CSRF_ALLOWED_CHARS)  # every character drawn; none left out by the mapping

    fresh = rf.get("/")
    token = masked_token(fresh)  # no cookie yet: Django's get_token makes the secret
    assert _unmask_cipher_token(token) == fresh.META["CSRF_COOKIE"]
