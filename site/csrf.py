"""A masked CSRF token for a page filled in per request, as django.middleware.csrf.get_token makes one,
at a fraction of its cost: one read of the system's randomness instead of one per character."""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
_BASE = len(CSRF_ALLOWED_CHARS)
_UNBIASED = 256 - 256 % _BASE  # a byte at or above this would favour the first characters: drawn again


def _mask() -> list[int]:
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask += [byte % _BASE for byte in os.urandom(CSRF_SECRET_LENGTH + 8) if byte < _UNBIASED]
    return mask[:CSRF_SECRET_LENGTH]


def masked_token(request) -> str:
    """Without a secret yet, Django's get_token makes one and sends its cookie; with one, the cookie
    the browser holds is not sent again (get_token would, to renew its year-long expiry)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        return get_token(request)
    mask = _mask()
    chars = CSRF_ALLOWED_CHARS
    return "".join([chars[m] for m in mask]) + "".join(
        [chars[(m + _INDEX[c]) % _BASE] for m, c in zip(mask, secret)])
