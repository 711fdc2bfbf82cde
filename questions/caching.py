"""Whole-response caching of public pages for anonymous visitors.

Anonymous pages carry no CSRF token (base.html leaves it out when `public_page` is set)
and no per-user content, so one rendered copy serves everyone. The key includes a
content version read from the database (at most every VERSION_TTL seconds per process,
and at once in the process that saved content), so a re-import anywhere reaches every
worker within seconds, and a cache hit costs no query at all.
"""

import copy
import hashlib
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse

from prepsite.localcopies import LocalCopies
from prepsite.middleware import has_nul

from .models import AuthoredItem, Category, KeyPoints, Question, QuestionSet

# One round trip: imports stamp imported_at; admin edits and deletions move updated_at or a count.
VERSION_SQL = "SELECT " + ", ".join(
    f"(SELECT {expression} FROM {model._meta.db_table})"
    for model, expressions in (
        (QuestionSet, ("COUNT(*)", "MAX(imported_at)", "MAX(updated_at)")),
        (Category, ("COUNT(*)", "MAX(updated_at)")),
        (Question, ("COUNT(*)", "MAX(updated_at)")),
        (AuthoredItem, ("COUNT(*)", "MAX(id)")),  # a quiz supplement's import re-creates its rows
        (KeyPoints, ("COUNT(*)", "MAX(updated_at)")),  # an editor's key points feed drills and quiz items
    )
    for expression in expressions
)
TIMEOUT = 300
# The only query parameters the cached views read; any other (utm_source, fbclid, a cache
# buster) cannot change the page, so it must not split the cache.
KNOWN_PARAMETERS = frozenset({"q", "page", "status", "study", "reveal"})
VERSION_TTL = 2.0
_version: tuple[float, str] | None = None


def content_version() -> str:
    global _version
    now = time.monotonic()
    if _version is None or now >= _version[0]:
        try:
            with connection.cursor() as cursor:
                cursor.execute(VERSION_SQL)
                _version = (now + VERSION_TTL, ":".join(str(value) for value in cursor.fetchone()))
        except DatabaseError:
            # Database down: keep serving the pages cached under the last version seen.
            if _version is None:
                raise
            _version = (now + VERSION_TTL, _version[1])
    return _version[1]


def forget_content_version(**kwargs) -> None:
    """Signal receiver: content changed in this process, so re-read the version now."""
    global _version
    _version = None
    _local.clear()
    _known_paths.clear()


def forget_whole_responses(**kwargs) -> None:
    """setting_changed receiver: a stored response carries the headers of the settings it was made under."""
    global _generation
    _generation += 1
    forget_content_version()


def _cacheable(request) -> bool:
    # A pending flash message ("You have signed out.") belongs to one visitor only.
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES
    )


def cache_path(request) -> str:
    """The path with only the known query parameters, in a fixed order."""
    known = sorted((name, value) for name, values in request.GET.lists() if name in KNOWN_PARAMETERS
                   for value in values)
    return request.path + ("?" + urlencode(known) if known else "")


def cache_anonymous(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        request.anonymous_page = True  # AnonymousPageMiddleware may keep the whole response
        htmx = request.headers.get("HX-Request", "") + "|" + request.headers.get("HX-Target", "") + "|" + (
            request.headers.get("HX-History-Restore-Request", "")
        )
        raw = f"{content_version()}|{cache_path(request)}|{htmx}"
        key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = _two_level_get(key)
        if hit is not None:
            content, content_type, vary = hit
            response = HttpResponse(content, content_type=content_type)
            if vary:
                response["Vary"] = vary
            return response
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False):
            page = (response.content, response["Content-Type"], response.get("Vary", ""))
            cache.set(key, page, TIMEOUT)
            _local_put(key, page, TIMEOUT)
        return response

    return wrapper


LOCAL_MAX = 512
_local = LocalCopies()
_local_version: str | None = None


def _local_get(key: str):
    """This process's copy of a value under a content-versioned key. A new content version empties
    the copies; an entry also lives no longer than in the shared cache."""
    global _local_version
    version = content_version()
    if version != _local_version:
        _local.clear()
        _local_version = version
    return _local.get(key)


def _local_put(key: str, value, timeout: int) -> None:
    _local.put(key, value, timeout, LOCAL_MAX)


def _two_level_get(key: str):
    """This process's copy, else the shared cache's (then copied here)."""
    hit = _local_get(key)
    if hit is None:
        hit = cache.get(key)
        if hit is not None:
            _local_put(key, hit, TIMEOUT)
    return hit


def content_cached(name: str, parts, build, timeout: int = TIMEOUT):
    """A value built from the content alone, once per content version, kept in this process as well
    as in the shared cache. Callers must not mutate what they get."""
    key = f"{name}:" + hashlib.sha256(repr((content_version(), parts)).encode()).hexdigest()
    hit = _local_get(key)
    if hit is not None:
        return hit[0]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    _local_put(key, (value,), timeout)
    return value


def shared_question(set_slug: str, category_slug: str, slug: str, build):
    """The parts of a question page that are the same for every reader (the question with its
    category and set, its neighbours), built once per content version; `build` raises Http404.
    The question is a copy: the view sets the reader's status on it."""
    question, neighbours = content_cached("question", (set_slug, category_slug, slug), build)
    return copy.copy(question), neighbours


_generation = 0
_known_paths: set[str] = set()


def _htmx_part(request) -> str:
    headers = request.headers
    return (headers.get("HX-Request", "") + "|" + headers.get("HX-Target", "") + "|"
            + headers.get("HX-History-Restore-Request", ""))


def stored_response(request) -> tuple[bytes, list] | None:
    """The whole response stored for this anonymous request, as (content, headers), or None."""
    # Only a path this process has stored is looked up: any other costs nothing here.
    if request.path not in _known_paths or not _eligible(request):
        return None
    key = _key(request)
    return _two_level_get(key) if key is not None else None


def _eligible(request) -> bool:
    """Not for a request the stack would refuse or redirect before any view (an unknown host is
    caught by _key), nor for a visitor with a session or a pending flash message."""
    cookies = request.COOKIES
    return not (request.method != "GET" or settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies
                or (settings.SECURE_SSL_REDIRECT and not request.is_secure())
                or "\x00" in request.path or has_nul(request.GET))


def _key(request) -> str | None:
    try:
        host = request.get_host()
        version = content_version()
    except (DisallowedHost, DatabaseError):
        return None
    raw = f"{_generation}|{version}|{request.scheme}|{host}|{cache_path(request)}|{_htmx_part(request)}"
    return "response:" + hashlib.sha256(raw.encode()).hexdigest()


class AnonymousPageMiddleware:
    """First in the stack: stores the whole response of a public page made for a visitor with no
    session and no flash message, its headers as the rest of the stack made them, and serves it
    again without running that stack (AnonymousPageApplication serves it before Django's handler).

    Only responses that went through `cache_anonymous` as cacheable are kept, under the same
    content version as the page cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hit = stored_response(request)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if (getattr(request, "anonymous_page", False) and response.status_code == 200 and not response.cookies
                and not getattr(response, "streaming", False) and _eligible(request)):
            key = _key(request)
            if key is not None:
                stored = (response.content, list(response.items()))
                cache.set(key, stored, TIMEOUT)
                _local_put(key, stored, TIMEOUT)
                if len(_known_paths) >= LOCAL_MAX:
                    _known_paths.clear()
                _known_paths.add(request.path)
        return response


class AnonymousPageApplication:
    """WSGI: a stored anonymous response is served before Django's handler runs, as a caching proxy
    in front of the site would serve it: no signals, no middleware, no response object.
    Anything else goes to the site."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # A session cookie's name anywhere in the header sends the request on without building one
        # here: the site builds its own, and a signed-in page is never served from this store.
        if (environ.get("REQUEST_METHOD") == "GET" and _known_paths
                and settings.SESSION_COOKIE_NAME not in environ.get("HTTP_COOKIE", "")):
            try:
                hit = stored_response(WSGIRequest(environ))
            except Exception:  # a request Django would refuse (too many fields, say): the site answers it
                hit = None
            if connection.errors_occurred:
                # A version read failed here, outside any request: drop a broken connection now, as
                # the handler does after a request, or every later read would fail on it too.
                connection.close_if_unusable_or_obsolete()
            if hit is not None:
                content, headers = hit
                start_response("200 OK", headers)
                return [content]
        return self.application(environ, start_response)
