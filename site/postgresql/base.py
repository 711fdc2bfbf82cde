"""Django's PostgreSQL backend, whose health check (CONN_HEALTH_CHECKS) costs no round trip on a busy connection.

Django checks a persistent connection with a SELECT 1 before its first query in each request. Here
a connection that ran a query successfully less than RECENT seconds before is taken as healthy:
under load that saves a round trip per request, while an idle connection, the kind a database
restart or a firewall's timeout breaks unseen, is still checked. A connection that breaks within
those seconds fails the request that meets it, and Django drops it at the end of that request, as
it does without health checks.
"""

import time

from django.db.backends.postgresql import base

RECENT = 1.0  # seconds


def _note_success(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    context["connection"].succeeded_at = time.monotonic()
    return result


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.succeeded_at = None
        self.execute_wrappers.append(_note_success)

    def connect(self):
        self.succeeded_at = None
        super().connect()

    def close_if_health_check_failed(self):
        if self.succeeded_at is not None and time.monotonic() - self.succeeded_at < RECENT:
            return
        super().close_if_health_check_failed()
