"""Site-wide views that belong to no app."""

import secrets
import sys
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from .htmx import for_htmx
from .middleware import DATABASE_DOWN, service_unavailable
from .models import Job


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


@require_GET
@for_htmx(target="job-progress", use_partial="job-progress")
def job(request, pk):
    """A job's progress; the fragment polls itself until the job is done or failed."""
    found = get_object_or_404(Job, pk=pk)
    if not (request.user.is_staff or (found.user_id and found.user_id == request.user.pk)):
        raise Http404("No such job.")
    return TemplateResponse(request, "prepsite/job.html", {"job": found})


@require_GET
def admin_login(request):
    """The admin signs in through allauth's login, with its rate limits, never a second password form."""
    target = request.GET.get("next", "")
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(target)
        # Like Django's own admin login: a page saying so, not an error (the signed-in visit is legitimate).
        return TemplateResponse(request, "prepsite/admin_refused.html")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
