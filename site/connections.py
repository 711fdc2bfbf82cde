"""Django's connection health check (CONN_HEALTH_CHECKS) without its round trip on a busy connection.

Django checks a persistent connection with a SELECT 1 before the first query of each request. A
connection that ran a query successfully less than RECENT seconds ago is taken as healthy: under
load that saves one round trip per request, while an idle connection, the kind a database restart
or a firewall's timeout breaks unseen, is still checked. One that breaks within those seconds fails
one query, and Django drops it at the end of that request, as it does without health checks.
"""

import time

from django.db import connections

RECENT = 1.0  # seconds


def _note_success(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    context["connection"].succeeded_at = time.monotonic()
    return result


def watch(sender, connection, **kwargs) -> None:
    """connection_created: time each successful query on this connection (the wrapper stays for its next ones)."""
    connection.succeeded_at = None
    if _note_success not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _note_success)


def skip_recent_checks(**kwargs) -> None:
    """request_started, after Django's close_old_connections asked each connection for a check."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        succeeded_at = getattr(connection, "succeeded_at", None)
        if connection.connection is not None and succeeded_at is not None and now - succeeded_at < RECENT:
            connection.health_check_done = True
