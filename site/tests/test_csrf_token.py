"""prepsite.csrf.masked_token: a token Django accepts, fresh per call, and no cookie sent again."""

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _get_new_csrf_string, _unmask_cipher_token
from django.test import Client, RequestFactory

from prepsite import csrf


def _request_with_secret(secret):
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret
    return request


def test_the_token_unmasks_to_the_visitors_secret_and_differs_each_time():
    secret = _get_new_csrf_string()
    request = _request_with_secret(secret)
    tokens = {csrf.masked_token(request) for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS) for token in tokens)
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META


def test_the_mask_draws_every_character_evenly(monkeypatch):
    # Bytes 248..255 would favour the first eight characters: they are drawn again, not folded in.
    monkeypatch.setattr(csrf.os, "urandom", lambda n: bytes(range(n)))
    assert csrf._mask() == list(range(32))
    monkeypatch.setattr(csrf.os, "urandom", lambda n: bytes([250] * 10 + [7] * (n - 10)))
    assert csrf._mask() == [7] * 32


def test_a_visitor_without_a_secret_gets_one_and_its_cookie():
    request = RequestFactory().get("/")
    token = csrf.masked_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]


@pytest.mark.django_db
def test_a_stored_signed_in_page_sends_no_cookie_the_browser_has(user, seed_set):
    question = seed_set.categories.first().questions.first()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(question.get_absolute_url())
    assert settings.CSRF_COOKIE_NAME in client.cookies
    stored = client.get(question.get_absolute_url())
    assert stored.context is None, "served from the signed-in page cache"
    assert settings.CSRF_COOKIE_NAME not in stored.cookies
