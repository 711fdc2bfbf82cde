"""Helpers for the apps' tests of whole-page caches."""

import re


def without_tokens(content: bytes) -> str:
    """A page without its CSRF tokens, which differ on every response."""
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", content.decode())


def served_from_cache(repeat, first) -> bool:
    """Whether `repeat` is `first` replayed by a whole-page cache: no template ran, and the page
    is the same but for its CSRF tokens."""
    return repeat.context is None and without_tokens(repeat.content) == without_tokens(first.content)
