"""The one rule for htmx fragments: a view returns its full page, the decorator picks the partial.

In the spirit of Luke Plant's `for_htmx`: the view always builds a `TemplateResponse`
of the whole page, and when htmx asks to swap a known target the decorator renders
only that partial (django-template-partials' `template.html#partial`). A history
restore asks for the whole page, so it gets it.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest, target: str | None = None) -> bool:
    """True when htmx asked to swap `target` (None: any target), never for a history restore."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def for_htmx(target: str | None = None, *, use_partial: str):
    """Render `use_partial` of the view's template when htmx swaps `target` (None: any).

    Decorators stack, one per target; the first that matches wins. Responses that are
    not TemplateResponses (redirects, 404s) pass through untouched.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if isinstance(response, TemplateResponse):
                # The same URL answers a page or a fragment, so caches must tell them apart.
                patch_vary_headers(response, ["HX-Request", "HX-Target"])
                name = response.template_name
                if isinstance(name, str) and "#" not in name and wants_fragment(request, target):
                    response.template_name = f"{name}#{use_partial}"
            return response

        return wrapped

    return decorator
