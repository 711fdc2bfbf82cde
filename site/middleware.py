"""Site-wide middleware: refuse NUL bytes, answer 503 while the database is down, keep personal pages out of caches,
and the CSP header built once."""

import logging

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from django.conf import settings
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
        if "\x00" in request.path or has_nul(request.GET) or (request.method == "POST" and has_nul(request.POST)):
            return HttpResponseBadRequest("Request refused: it contains a NUL byte.", content_type="text/plain")
        return self.get_response(request)


def has_nul(querydict) -> bool:
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


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the site-wide header built once: it rebuilt the same string per response.

    A response with its own policy (csp_update and friends) or a page that used a nonce still gets one built.
    """

    _PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
                     "_csp_replace_ro", "_csp_exempt", "_csp_exempt_ro")

    def __init__(self, get_response):
        super().__init__(get_response)
        self._headers = None

    def process_response(self, request, response):
        if (settings.DEBUG or getattr(request, "_csp_nonce", None) is not None
                or any(hasattr(response, a) for a in self._PER_RESPONSE)):
            return super().process_response(request, response)
        if self._headers is None:
            built = super().process_response(request, HttpResponse())
            self._headers = [(name, built[name]) for name in (HEADER, HEADER_REPORT_ONLY) if name in built]
        else:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        for name, value in self._headers:
            if name not in response:
                response[name] = value
        return response
