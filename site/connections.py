"""Django's connection health check (CONN_HEALTH_CHECKS) without its round trip on a busy connection.

Django checks a persistent connection with a SELECT 1 before the first query of each request. A
connection that ended a request without an error less than RECENT seconds ago is taken as healthy:
under load that saves one round trip per request, and an idle connection, the kind a database
restart or a firewall's timeout breaks unseen, is still checked. A connection that breaks within
those seconds fails one query; Django then drops it at the end of that request, as without checks.
"""

import time

from django.db import connections

RECENT = 1.0  # seconds


def note_healthy(**kwargs) -> None:
    """request_finished, after Django's close_old_connections: it closed any connection that failed."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.errors_occurred:
            connection.healthy_at = now


def skip_recent_checks(**kwargs) -> None:
    """request_started, after Django's close_old_connections reset each connection's check."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and now - getattr(connection, "healthy_at", -RECENT) < RECENT:
            connection.health_check_done = True
