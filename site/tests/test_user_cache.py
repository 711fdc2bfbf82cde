"""The cached signed-in user (prepsite.auth) never outlives a change to the user."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

HOME = "/"


@pytest.fixture(autouse=True)
def user_cache(settings):
    settings.AUTH_USER_CACHE_TIMEOUT = 60
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
