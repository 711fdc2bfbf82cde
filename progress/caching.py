"""Cache keys for each user's progress pages, and what moves them.

A key holds the user's progress version (read from the cards: every rating, undo, bury and
suspend bumps a card's version or adds a card), the review settings, the content version and
the minute, so every gunicorn worker sees a write as a miss without any shared signal.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from prepsite import precompiled
from questions.caching import content_version

from .models import Card, ReviewSettings

TIMEOUT = 120


def _version_query(user_id: int):
    return (Card.objects.filter(user_id=user_id).values("user_id").order_by()
            .annotate(n=Count("*"), versions=Sum("version"), last_pk=Max("pk"), latest=Max("last_review")))


def progress_version(user) -> tuple:
    """One precompiled query on the user's cards: it changes whenever one of them is written or added."""
    rows = precompiled.run("progress-version", _version_query, user.pk)
    return tuple(rows[0].values()) if rows else ()


def _settings_state(review_settings: ReviewSettings) -> tuple:
    return tuple(getattr(review_settings, f.attname) for f in ReviewSettings._meta.concrete_fields)


def user_key(name: str, user, review_settings: ReviewSettings, now: datetime, *parts) -> str:
    """Retrievability and due times move with the clock, so a key lives one minute at most."""
    state = (
        user.pk, progress_version(user), _settings_state(review_settings), content_version(),
        now.replace(second=0, microsecond=0), parts,
    )
    return f"progress:{name}:" + hashlib.sha256(repr(state).encode()).hexdigest()


def cached(key: str, build):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
