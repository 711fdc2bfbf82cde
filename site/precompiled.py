"""Small queries run on every request with different ids: their SQL compiled once per process and database.

Building a small ORM query costs several times what running it does. The statement is compiled
from a values() QuerySet built with stand-in ids (and datetimes and dates); each call runs it with
the real values in their places and converts the values as the ORM would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connections

STAND_INS = (-7_000_001, -7_000_002, -7_000_003)
DATETIME_STAND_INS = tuple(datetime(1901, 2, 3, 4, 5, second, tzinfo=UTC) for second in range(1, 7))
DATE_STAND_INS = tuple(date(1901, 2, day) for day in range(1, 7))
_compiled: dict[tuple[str, str], tuple] = {}


def _stand_ins(values) -> tuple:
    """A distinct stand-in of the same kind for each value: ints, then datetimes, then dates, in order."""
    kinds = {int: iter(STAND_INS), datetime: iter(DATETIME_STAND_INS), date: iter(DATE_STAND_INS)}
    return tuple(next(kinds[datetime if isinstance(v, datetime) else date if isinstance(v, date) else int])
                 for v in values)


def _adapted(ops, value):
    """A value as the ORM puts it among a statement's parameters (a datetime field's lookups adapt it)."""
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    return value


def run(name: str, build, *ids) -> list[dict]:
    """The rows of `build(*stand_ins)` (a values() QuerySet) with `ids` in place of the stand-ins.
    An id may be an int, an aware datetime compared with a DateTimeField, or a date with a DateField."""
    stand_ins = _stand_ins(ids)
    queryset = None
    key = (name, build.__module__)
    compiled = _compiled.get(key)
    if compiled is None:
        queryset = build(*stand_ins)
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column[0] for column in compiler.select[:compiler.col_count]])
        compiled = _compiled[key] = (queryset.db, sql, tuple(params), names, compiler, converters)
    db, sql, params, names, compiler, converters = compiled
    ops = connections[db].ops
    real = {_adapted(ops, stand_in): _adapted(ops, value) for stand_in, value in zip(stand_ins, ids)}
    values = [real.get(p, p) if isinstance(p, (int, str, datetime, date)) and not isinstance(p, bool) else p
              for p in params]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row)) for row in rows]
