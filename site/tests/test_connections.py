"""prepsite.connections: a connection that just ran a query skips Django's SELECT 1; an idle one is checked."""

import os

import psycopg2
import pytest
from django.core.signals import request_finished, request_started
from django.db import InterfaceError, OperationalError, connection

from prepsite import connections

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="SQLite's connections are not kept between requests")


@pytest.fixture
def checks(monkeypatch):
    """The health checks Django runs on the default connection."""
    made = []
    is_usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: made.append(1) or is_usable())
    return made


def _request():
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    request_finished.send(sender=None)


@pytest.mark.django_db(transaction=True)
def test_a_busy_connection_is_checked_only_after_an_idle_spell(checks):
    connection.close()
    connection.ensure_connection()
    _request()
    assert len(checks) == 1, "a connection that served no request yet is checked"
    _request()
    _request()
    assert len(checks) == 1, "one that ended a request just now is not"
    connection.succeeded_at -= connections.RECENT
    _request()
    assert len(checks) == 2, "one idle for RECENT seconds is checked again"
    connection.succeeded_at -= connections.RECENT
    request_started.send(sender=None)  # a request that runs no query vouches for nothing
    request_finished.send(sender=None)
    _request()
    assert len(checks) == 3


@pytest.mark.django_db(transaction=True)
def test_a_connection_broken_just_after_a_request_fails_one_query_then_is_replaced(checks):
    connection.ensure_connection()
    _request()
    with psycopg2.connect(**connection.get_connection_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.get_backend_pid()])
    request_started.send(sender=None)
    with pytest.raises((OperationalError, InterfaceError)), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    request_finished.send(sender=None)
    assert connection.connection is None, "Django drops it at the end of that request"
    _request()
