"""The request type htmx views receive, and the one rule for choosing a fragment."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def fragment_for(request: HtmxHttpRequest, *targets: str) -> bool:
    """True when htmx asked to swap one of `targets` (no targets: any htmx request).

    A history-restore request wants the full page even though htmx sent it.
    """
    htmx = request.htmx
    if not htmx or htmx.history_restore_request:
        return False
    return not targets or htmx.target in targets
