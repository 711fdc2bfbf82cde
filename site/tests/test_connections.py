"""prepsite.postgresql: a connection that just ran a query skips Django's SELECT 1; an idle one is checked."""

import os
from contextlib import closing

import psycopg2
import pytest
from django.db import InterfaceError, OperationalError, connection, connections

from prepsite.postgresql import base

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="the backend is PostgreSQL's")


@pytest.fixture
def checks(monkeypatch):
    """The health checks Django runs on the default connection."""
    made = []
    is_usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: made.append(1) or is_usable())
    return made


def _request():
    """What a request does to the connection: Django asks for a check at its start, then a query runs."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@pytest.mark.django_db(transaction=True)
def test_a_busy_connection_is_checked_only_after_an_idle_spell(checks):
    assert isinstance(connections["default"], base.DatabaseWrapper)
    connection.close()
    connection.ensure_connection()
    _request()
    assert len(checks) == 1, "a connection that ran no query yet is checked"
    _request()
    _request()
    assert len(checks) == 1, "one that ran a query just now is not"
    connection.succeeded_at -= base.RECENT
    _request()
    assert len(checks) == 2, "one idle for RECENT seconds is checked again"


@pytest.mark.django_db(transaction=True)
def test_a_connection_broken_just_after_a_query_fails_that_request_then_is_replaced(checks):
    connection.close()
    _request()
    with closing(psycopg2.connect(**connection.get_connection_params())) as other, other.cursor() as cursor:
        other.autocommit = True
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.get_backend_pid()])
    connection.close_if_unusable_or_obsolete()
    with pytest.raises((OperationalError, InterfaceError)), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    connection.close_if_unusable_or_obsolete()  # the request's end: Django finds it broken and drops it
    assert connection.connection is None
    _request()
