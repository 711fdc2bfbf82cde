"""Signed-in pages rendered once per state of everything they show; the CSRF token is filled in per request.

A view that read its reader's state marks its TemplateResponse with `cacheable(response, parts)`;
`parts` must hold every per-user value the page shows, so a write that changes the page changes
the key (nothing is invalidated, nothing goes stale). The base template's own per-user bits (the
username, the path, pending messages) are in the key or bypass the cache here.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.response import TemplateResponse

TIMEOUT = 300
# Stands for the request's masked CSRF token in a cached page; any masked token of the
# visitor's secret is valid, so a fresh one per request keeps each response unique.
TOKEN_MARK = "csrf-token-filled-in-per-request-7d1b"


_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
_N = len(CSRF_ALLOWED_CHARS)
_UNBIASED = 256 - 256 % _N  # random bytes below this fall evenly on the characters


def masked_token(request) -> str:
    """django.middleware.csrf.get_token: the same format and side effect, but the mask's 32 characters
    come from one os.urandom call, not 32 (Django's way cost a tenth of a cached page)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or len(secret) != CSRF_SECRET_LENGTH:
        return get_token(request)  # no cookie yet: Django makes one
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: the cookie's expiry is renewed
    mask = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask += [byte % _N for byte in secrets.token_bytes(48) if byte < _UNBIASED]
    mask = mask[:CSRF_SECRET_LENGTH]
    return "".join(CSRF_ALLOWED_CHARS[m] for m in mask) + "".join(
        CSRF_ALLOWED_CHARS[(_INDEX[char] + m) % _N] for char, m in zip(secret, mask))


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
        hit = cache.get(key)
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
            cache.set(key, (content.replace(token, TOKEN_MARK), response["Content-Type"], response.get("Vary", "")),
                      TIMEOUT)
        return response

    return wrapper
