"""Cache keys for each user's progress pages, and what moves them.

A key holds the user's progress version (read from the cards: every rating, undo, bury and
suspend bumps a card's version or adds a card; other apps add their parts, see
register_version_part), the review settings, the content version and
the minute, so every gunicorn worker sees a write as a miss without any shared signal.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import CharField, Count, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Concat

from prepsite import precompiled
from questions.caching import content_version

from .models import SETTINGS_FIELDS, Card, Interview, ReviewSettings

TIMEOUT = 120
# Other apps' shares of a user's version (progress never reads their tables), see register_version_part.
_version_parts: dict = {}


def register_version_part(name: str, annotations) -> None:
    """Let an app whose rows a progress page shows move the user's version: `annotations(now)` returns
    expressions over the user's row (OuterRef("pk")) that every write of those rows changes. Called
    from the app's AppConfig.ready, so they are in the one precompiled statement from the start."""
    _version_parts[name] = annotations


# The review settings' columns, read with the version by the pages that need both (one round trip).
_SETTINGS = "review_settings__"
_SETTINGS_COLUMNS = [_SETTINGS + name for name in SETTINGS_FIELDS]


def _versions(user_id: int, others: dict, *, with_settings: bool = False):
    # From the user's row, so a user without cards has a version too and the plan count is always read.
    # The cards are summed up in a subquery, not joined: the outer query then groups nothing, so each
    # other subquery runs once, not once per card.
    cards = Card.objects.filter(user_id=OuterRef("pk")).order_by().values("user_id")
    stamp = Concat(Count("pk"), Value(":"), Sum("version"), Value(":"), Max("pk"), Value(":"), Max("last_review"),
                   output_field=CharField())
    return (get_user_model().objects.filter(pk=user_id).values("pk", *(_SETTINGS_COLUMNS if with_settings else ()))
            .order_by()
            .annotate(cards=Subquery(cards.annotate(stamp=stamp).values("stamp")), **others,
                      plans=Interview.objects.applied_plans_count(OuterRef("pk"))))


def _version_query(user_id: int):
    return _versions(user_id, {})


def _version_and_settings_query(user_id: int):
    return _versions(user_id, {}, with_settings=True)


def _version_with_parts_query(user_id: int, now: datetime):
    return _versions(user_id, {"interviews": Interview.objects.count_of(OuterRef("pk")), **{
        f"{name}_{key}": expression for name, annotations in _version_parts.items()
        for key, expression in annotations(now).items()}}, with_settings=True)


def _split(row: dict) -> tuple[tuple, ReviewSettings | None]:
    """A version row's version (every value but the settings' columns), and the saved settings in it."""
    version = tuple(value for name, value in row.items() if not name.startswith(_SETTINGS))
    return version, ReviewSettings.from_row(row, _SETTINGS, plans_applied=row["plans"])


def progress_version(user) -> tuple:
    """One precompiled query on the user's cards: it changes whenever one of them is written or added.
    Its last value counts the user's interviews with a plan applied."""
    rows = precompiled.run("progress-version", _version_query, user.pk)
    return tuple(rows[0].values()) if rows else ()


def progress_state(user) -> tuple[tuple, ReviewSettings | None]:
    """progress_version, and the user's saved settings (None: none yet), in the same one query."""
    rows = precompiled.run("progress-version-and-settings", _version_and_settings_query, user.pk)
    return _split(rows[0]) if rows else ((), None)


def dashboard_version(user, now: datetime) -> tuple[tuple, bool, ReviewSettings | None]:
    """progress_version with the other apps' registered parts as of `now`, in the same one query, for
    the pages that show those apps' rows (the dashboard); whether the user has any interview date
    at all (the same query counts them, so a user with none needs no query for them); and the
    user's saved settings (None: none yet)."""
    rows = precompiled.run("progress-version-with-parts", _version_with_parts_query, user.pk, now)
    if not rows:
        return (), True, None
    version, saved = _split(rows[0])
    return version, rows[0]["interviews"] > 0, saved


def interviews_state(interviews) -> tuple:
    """Every field of the interviews a page shows, and their categories (as prefetched)."""
    fields = Interview._meta.concrete_fields
    return tuple((*(getattr(i, f.attname) for f in fields), sorted(c.pk for c in i.categories.all()))
                 for i in interviews)


def may_have_plan(version: tuple) -> bool:
    """False when the version says no interview has a plan: the active plan need not be read."""
    return not version or version[-1] > 0


def _settings_state(review_settings: ReviewSettings) -> tuple:
    return tuple(getattr(review_settings, f.attname) for f in ReviewSettings._meta.concrete_fields)


def user_key(name: str, user, review_settings: ReviewSettings, now: datetime, *parts, version=None) -> str:
    """Retrievability and due times move with the clock, so a key lives one minute at most.
    `version` is the user's progress_version when the caller has just read it."""
    state = (
        user.pk, progress_version(user) if version is None else version, _settings_state(review_settings),
        content_version(),
        now.replace(second=0, microsecond=0), parts,
    )
    return f"progress:{name}:" + hashlib.sha256(repr(state).encode()).hexdigest()


def cached(key: str, build):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
