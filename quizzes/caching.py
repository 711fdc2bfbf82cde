"""What the quiz start form reads from the content, cached per content version (an import or an edit moves it)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from questions.caching import content_version
from questions.models import QuestionSet

from .kinds import unavailable

TIMEOUT = 300


def _cached(name: str, parts, build):
    key = f"quiz:{name}:" + hashlib.sha256(repr((content_version(), parts)).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def first_set() -> QuestionSet | None:
    """The set the form offers first; None is kept as a miss, so an empty site is asked each time."""
    return _cached("first-set", (), lambda: QuestionSet.objects.order_by("title").first())


def unavailable_kinds(question_set: QuestionSet, category_ids=()) -> dict[str, str]:
    return _cached("unavailable", (question_set.pk, sorted(category_ids)),
                   lambda: unavailable(question_set, category_ids))
