"""Site-wide views that belong to no app."""

import secrets
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from .middleware import DATABASE_DOWN, service_unavailable


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_ok() -> bool:
    # The Redis cache swallows its errors, so a round trip is the only honest probe.
    token = secrets.token_hex(8)
    try:
        cache.set("healthz:probe", token, 10)
        return cache.get("healthz:probe") == token
    except Exception:
        return False


@require_GET
@never_cache
def healthz(request):
    database, shared_cache = _database_ok(), _cache_ok()
    body = {
        # Without the database nothing personal works: take this instance out of rotation.
        # Without the cache pages are slower but right, so the instance stays in.
        "status": "ok" if database and shared_cache else ("degraded" if database else "error"),
        "database": "ok" if database else "unavailable",
        "cache": "ok" if shared_cache else "unavailable",
    }
    return JsonResponse(body, status=200 if database else 503)


FAVICON = (settings.BASE_DIR / "static" / "favicon.svg").read_bytes()


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    # Browsers ask for /favicon.ico on every page, admin pages included.
    return HttpResponse(FAVICON, content_type="image/svg+xml")


def server_error(request):
    """handler500: a database outage met outside a view (saving the session, say) is a 503 too."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return service_unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))
