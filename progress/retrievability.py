"""fsrs's retrievability as an SQL expression, so the database can filter and sum it.

fsrs (`Scheduler.get_card_retrievability`) is the one definition; this port exists for speed on the
dashboard and in `Card.objects.weak()`; test_card_queries checks it against fsrs on random cards.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import fsrs
from django.db.models import F, FloatField, Func, Q, Value
from django.db.models.functions import Floor, Greatest, NullIf, Power
from django.db.models.lookups import LessThanOrEqual


class Epoch(Func):
    """Seconds since 1970 of a datetime column, computed by the database.

    Reading 10,000 floats is far cheaper than parsing 10,000 datetimes in Python (SQLite).
    """

    output_field = FloatField()
    # date_part() is double precision already; EXTRACT() goes through numeric, several times slower
    template = "date_part('epoch', %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra)


@lru_cache(maxsize=64)
def decay_factor(parameters: tuple[float, ...] | None = None) -> tuple[float, float]:
    """fsrs's DECAY and FACTOR, derived from the parameters (None: fsrs's defaults) exactly as
    fsrs.Scheduler does.

    They depend on the parameters only, not on the desired retention.
    """
    decay = -(parameters or fsrs.Scheduler(enable_fuzzing=False).parameters)[20]
    return decay, 0.9 ** (1 / decay) - 1


def elapsed_days(now: datetime, column: str = "last_review") -> Greatest:
    """Whole days since the last review, as fsrs counts them (timedelta.days, at least 0)."""
    return Greatest(Value(0.0), Floor((Value(now.timestamp()) - Epoch(column)) / Value(86400.0)))


def retrievability(now: datetime, prefix: str = "", parameters: tuple[float, ...] | None = None) -> Power:
    """R = (1 + FACTOR · elapsed_days / stability) ^ DECAY, for the user's `parameters` (None: defaults).

    NULL for a card without stability, which fsrs counts as 0 (SUM skips it).
    """
    decay, factor = decay_factor(parameters)
    return Power(
        Value(1.0) + Value(factor) * elapsed_days(now, prefix + "last_review") / NullIf(prefix + "stability", Value(0.0)),
        Value(decay),
        output_field=FloatField(),
    )


def at_least(threshold: float, now: datetime, prefix: str = "") -> Q:
    """Retrievability now at or above `threshold`, without computing POWER().

    R falls as d/S grows (DECAY < 0), so R >= t exactly when d <= S · (t^(1/DECAY) - 1) / FACTOR.
    """
    decay, factor = decay_factor()
    ratio = (threshold ** (1 / decay) - 1) / factor
    return Q(LessThanOrEqual(elapsed_days(now, prefix + "last_review"), Value(ratio) * F(prefix + "stability")))
