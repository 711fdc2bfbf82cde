"""Shared cache on Redis, and pages that keep answering when Redis or the database is down."""

import logging
import sys
from contextlib import contextmanager
from unittest import mock

import pytest
import redis
from django.core.cache import cache, caches
from django.db import OperationalError, connection
from django.test import override_settings

from prepsite import views
from questions import caching

CLOSED_PORT_CACHE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/5",  # the discard port: nothing listens there
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}
LIVE_REDIS_CACHE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/5",
        "KEY_PREFIX": "prep-test",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
    }
}


@contextmanager
def database_down():
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        yield


def redis_available() -> bool:
    try:
        return redis.Redis.from_url("redis://127.0.0.1:6379/5", socket_connect_timeout=0.3).ping()
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def fresh_page_cache():
    cache.clear()
    caching.forget_content_version()
    yield
    caching.forget_content_version()


@pytest.mark.django_db
@override_settings(CACHES=CLOSED_PORT_CACHE, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=True,
                   DJANGO_REDIS_LOGGER="prepsite.cache")
def test_pages_answer_and_log_while_redis_is_down(client, user, seed_set, caplog):
    with caplog.at_level(logging.ERROR, logger="prepsite.cache"):
        assert client.get("/").status_code == 200
        assert client.get(seed_set.get_absolute_url()).status_code == 200
        client.force_login(user)
        assert client.get("/progress/").status_code == 200
        health = client.get("/healthz")
    assert any(record.name == "prepsite.cache" for record in caplog.records)
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


@pytest.mark.django_db
@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
@override_settings(CACHES=LIVE_REDIS_CACHE)
def test_live_redis_holds_pages_and_rate_limits(client, seed_set):
    assert client.get("/").status_code == 200
    assert client.get("/healthz").json()["cache"] == "ok"
    for _ in range(3):
        client.post("/accounts/login/", {"login": "nobody", "password": "wrong"})
    shared = caches["default"]
    assert shared.keys("page:*") and shared.keys("allauth:rl:*")
    shared.clear()


@pytest.mark.django_db
def test_cached_anonymous_page_survives_database_outage(client, seed_set):
    url = seed_set.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    caching._version = (0.0, caching._version[1])  # due for a re-read, which will fail
    with database_down():
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content


@pytest.mark.django_db
def test_uncached_page_during_outage_is_a_styled_503(signed_in, seed_set):
    with database_down():
        response = signed_in.get("/progress/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    assert b"Back in a moment" in response.content and b"css/error.css" in response.content


@pytest.mark.django_db
def test_anonymous_page_never_cached_during_outage_is_503(client, seed_set):
    with database_down():
        response = client.get(seed_set.get_absolute_url())
    assert response.status_code == 503


def test_outage_outside_a_view_is_503_not_500(rf):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = views.server_error(rf.get("/"))
    assert response.status_code == 503 and response["Retry-After"]
    try:
        raise ValueError("a bug")
    except ValueError:
        assert sys.exc_info()[0] is ValueError
        assert views.server_error(rf.get("/")).status_code == 500


@pytest.mark.django_db
def test_healthz_names_the_database(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "cache": "ok"}


@pytest.mark.django_db
def test_personal_pages_are_private_no_store(client, user, seed_set):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(user)
    for url in ["/", "/progress/", seed_set.get_absolute_url()]:
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


def test_nul_byte_is_refused_with_400(client):
    response = client.get("/search/", {"q": "a\x00b"})
    assert response.status_code == 400
