"""The cached signed-in user (prepsite.auth) never outlives a change to the user."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

HOME = "/"


@pytest.fixture(autouse=True, params=["django.contrib.sessions.backends.cached_db", "prepsite.sessions"])
def user_cache(request, settings):
    """Each test runs with the user's copy read on its own and fetched with the session (production's)."""
    settings.AUTH_USER_CACHE_TIMEOUT = 60
    settings.SESSION_ENGINE = request.param
    cache.clear()


def _user_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)
    return sum('FROM "auth_user"' in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_the_user_is_read_once(signed_in):
    assert _user_queries(signed_in) == 1
    assert _user_queries(signed_in) == 0


@pytest.mark.django_db
def test_a_password_change_elsewhere_signs_the_old_session_out(signed_in, user):
    signed_in.get(HOME)
    user.set_password("another-horse-battery")
    user.save()
    assert b'data-testid="signed-in-user"' not in signed_in.get(HOME).content


@pytest.mark.django_db
def test_a_deactivated_or_deleted_user_is_signed_out(signed_in, user, client, django_user_model):
    signed_in.get(HOME)
    user.is_active = False
    user.save()
    assert b'data-testid="signed-in-user"' not in signed_in.get(HOME).content
    other = django_user_model.objects.create_user("bob", "bob@example.com", "correct-horse-battery")
    client.force_login(other)
    client.get(HOME)
    other.delete()
    assert b'data-testid="signed-in-user"' not in client.get(HOME).content


@pytest.mark.django_db
def test_a_renamed_user_shows_at_once(signed_in, user):
    signed_in.get(HOME)
    user.username = "alice-renamed"
    user.save()
    assert b"alice-renamed" in signed_in.get(HOME).content


@pytest.mark.django_db
def test_the_session_and_the_user_copy_come_in_one_round_trip(settings, signed_in, user, monkeypatch):
    if settings.SESSION_ENGINE != "prepsite.sessions":
        pytest.skip("prepsite.sessions only")
    signed_in.get(HOME)  # this worker learns which copy the session names
    calls, inside = [], []
    real_get, real_get_many = cache.get, cache.get_many

    def get(key, *args, **kwargs):
        if not inside:
            calls.append(("get", key))
        return real_get(key, *args, **kwargs)

    def get_many(keys, *args, **kwargs):  # the in-memory cache's get_many calls get() for each key
        calls.append(("get_many", list(keys)))
        inside.append(1)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    assert b'data-testid="signed-in-user"' in signed_in.get(HOME).content
    reads = [(name, keys) for name, keys in calls if "auth-user" in str(keys)]
    assert len(reads) == 1 and reads[0][0] == "get_many" and any("session" in key for key in reads[0][1]), calls


@pytest.mark.django_db
def test_once_read_the_user_replaces_its_lazy_stand_in(rf, signed_in, user):
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.utils.functional import SimpleLazyObject

    from prepsite.auth import CachedUserAuthenticationMiddleware

    request = rf.get(HOME)
    request.COOKIES.update({name: morsel.value for name, morsel in signed_in.cookies.items()})
    SessionMiddleware(lambda r: None).process_request(request)
    CachedUserAuthenticationMiddleware(lambda r: None).process_request(request)
    lazy = request.user
    assert isinstance(lazy, SimpleLazyObject)
    assert lazy.pk == user.pk and lazy.is_authenticated
    assert request.user == user and type(request.user) is type(user)
