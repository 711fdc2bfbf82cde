"""Site-wide middleware: refuse NUL bytes, answer 503 while the database is down, keep personal pages out of caches."""

import logging

from django.contrib.auth import SESSION_KEY
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def service_unavailable(request=None) -> HttpResponse:
    # Rendered without the request: the context processors would query the database that is down.
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


class RejectNulBytesMiddleware:
    """No field of this site can hold a NUL byte, and PostgreSQL refuses them in text: say 400 up front."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return HttpResponseBadRequest("Request refused: it contains a NUL byte.", content_type="text/plain")
        return self.get_response(request)


def _has_nul(querydict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in querydict.lists())


class DatabaseUnavailableMiddleware:
    """A view that meets a database outage answers a styled 503 with Retry-After instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.warning("Database unavailable on %s: %s", request.path, exception)
            return service_unavailable(request)
        return None


class PrivateCacheMiddleware:
    """Pages for a signed-in visitor must not be kept by browsers' back-forward caches or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    try:
        return SESSION_KEY in session
    except DatabaseError:
        return False
