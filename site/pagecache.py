"""Signed-in pages rendered once per state of everything they show; the CSRF token is filled in per request.

A view that read its reader's state marks its TemplateResponse with `cacheable(response, parts)`;
`parts` must hold every per-user value the page shows, so a write that changes the page changes
the key (nothing is invalidated, nothing goes stale). The base template's own per-user bits (the
username, the path, pending messages) are in the key or bypass the cache here. As an entry never
changes, a worker also keeps copies of pages it served (up to SIGNED_IN_PAGES_KEPT_LOCALLY, for
LOCAL_TIMEOUT seconds): a repeat load then costs no round trip to the shared cache.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from .csrf import masked_token
from django.template.response import TemplateResponse

from .localcopies import LocalCopies

TIMEOUT = 300
LOCAL_TIMEOUT = 60  # a copy outlives its shared entry by at most this
# Stands for the request's masked CSRF token in a cached page; any masked token of the
# visitor's secret is valid, so a fresh one per request keeps each response unique.
TOKEN_MARK = "csrf-token-filled-in-per-request-7d1b"


_local = LocalCopies()


def _get(key: str):
    hit = _local.get(key) if settings.SIGNED_IN_PAGES_KEPT_LOCALLY else None
    if hit is None:
        hit = cache.get(key)
        if hit is not None and settings.SIGNED_IN_PAGES_KEPT_LOCALLY:
            _local.put(key, hit, LOCAL_TIMEOUT, settings.SIGNED_IN_PAGES_KEPT_LOCALLY)
    return hit


def _set(key: str, page: tuple) -> None:
    cache.set(key, page, TIMEOUT)
    if settings.SIGNED_IN_PAGES_KEPT_LOCALLY:
        _local.put(key, page, LOCAL_TIMEOUT, settings.SIGNED_IN_PAGES_KEPT_LOCALLY)


def forget_local_copies(**kwargs) -> None:
    """setting_changed receiver: a page rendered under other settings is not the same page."""
    _local.clear()


def cacheable(response: TemplateResponse, *parts, fill=None) -> TemplateResponse:
    """`fill()` returns context that only rendering needs: a cache hit never calls it."""
    response.page_cache_parts = parts
    response.page_cache_fill = fill
    return response


def _filled(response):
    fill = getattr(response, "page_cache_fill", None)
    if fill is not None:
        response.context_data = {**(response.context_data or {}), **fill()}
    return response


def _pending_messages(request) -> bool:
    return "messages" in request.COOKIES or "_messages" in getattr(request, "session", {})


def cache_signed_in(view):
    """Outside for_htmx, so the key sees the partial it chose."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        parts = getattr(response, "page_cache_parts", None)
        if (parts is None or request.method != "GET" or not request.user.is_authenticated
                or _pending_messages(request) or response.status_code != 200):
            return _filled(response)
        raw = repr((request.user.pk, request.user.get_username(), request.get_full_path(),
                    response.template_name, parts))
        key = "signed-in-page:" + hashlib.sha256(raw.encode()).hexdigest()
        token = masked_token(request)
        hit = _get(key)
        if hit is not None:
            content, content_type, vary = hit
            fresh = HttpResponse(content.replace(TOKEN_MARK, token), content_type=content_type)
            if vary:
                fresh["Vary"] = vary
            return fresh
        _filled(response).context_data["csrf_token"] = token
        response.render()
        if not response.cookies and not response.has_header("HX-Trigger"):
            content = response.content.decode(response.charset)
            _set(key, (content.replace(token, TOKEN_MARK), response["Content-Type"], response.get("Vary", "")))
        return response

    return wrapper
