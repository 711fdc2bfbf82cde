"""Small queries run on every request with different ids: their SQL compiled once per process and database.

Building a small ORM query costs several times what running it does. The statement is compiled
from a values() QuerySet built with stand-in ids (and datetimes and dates); each call runs it with
the real values in their places and converts the values as the ORM would.

On PostgreSQL each statement is also prepared once per connection (PREPARE, then EXECUTE): the
server plans a small query in several times what it takes to run it, and a prepared statement is
planned once. That needs a session-level connection; PgBouncer's transaction mode would not keep it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from django.db import connections
from django.db.models.query import get_related_populators

STAND_INS = (-7_000_001, -7_000_002, -7_000_003)
DATETIME_STAND_INS = tuple(datetime(1901, 2, 3, 4, 5, second, tzinfo=UTC) for second in range(1, 7))
DATE_STAND_INS = tuple(date(1901, 2, day) for day in range(1, 7))
_compiled: dict[tuple[str, str], tuple] = {}
_PLACEHOLDER = re.compile(r"%[s%]")
_STATEMENT = re.compile(r"(?:PREPARE|EXECUTE) (precompiled_\d+)_\d+")
_sql_of: dict[str, str] = {}
# The parameter types PREPARE is told; "unknown" lets the server infer one from the statement.
_PG_TYPES = {bool: "boolean", int: "bigint", float: "double precision", str: "unknown", datetime: "timestamptz",
             date: "date"}


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


def _compiled_for(name: str, build, stand_ins) -> tuple:
    key = (name, build.__module__)
    compiled = _compiled.get(key)
    if compiled is None:
        queryset = build(*stand_ins)
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info and annotation_col_map
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column[0] for column in compiler.select[:compiler.col_count]])
        compiled = _compiled[key] = (queryset.db, sql, tuple(params), names, compiler, converters,
                                     _prepare_statement(len(_compiled), sql, params))
    return compiled


def _prepare_statement(number: int, sql: str, params) -> tuple[str, str] | None:
    """The statement's name, and the rest of its PREPARE: the types of the stand-ins and constants, and
    the SQL with $n for each %s."""
    if not params:
        return None
    positions = iter(range(1, len(params) + 1))
    body = _PLACEHOLDER.sub(lambda m: f"${next(positions)}" if m.group() == "%s" else m.group(), sql)
    types = ", ".join(_PG_TYPES.get(type(value), "unknown") for value in params)
    name = f"precompiled_{number}"
    _sql_of[name] = sql
    return name, f" ({types}) AS {body}"


def statement_sql(sql: str) -> str:
    """The ORM's SQL that a logged PREPARE or EXECUTE of a precompiled statement stands for; other SQL as it is."""
    found = _STATEMENT.match(sql)
    return _sql_of[found.group(1)] if found else sql


def _prepared(connection) -> dict:
    """The names prepared on this database connection; a new connection starts with none."""
    state = getattr(connection, "_precompiled_statements", None)
    if state is None or state["connection"] is not connection.connection:
        state = connection._precompiled_statements = {"connection": connection.connection, "names": set(), "epoch": 0}
    return state


def _execute(compiled, stand_ins, ids) -> list:
    db, sql, params, names, compiler, converters, statement = compiled
    connection = connections[db]
    ops = connection.ops
    real = {_adapted(ops, stand_in): _adapted(ops, value) for stand_in, value in zip(stand_ins, ids)}
    values = [real.get(p, p) if isinstance(p, (int, str, datetime, date)) and not isinstance(p, bool) else p
              for p in params]
    with connection.cursor() as cursor:
        if statement is None or connection.vendor != "postgresql":
            cursor.execute(sql, values)
        else:
            state = _prepared(connection)
            name = f"{statement[0]}_{state['epoch']}"
            execute = f"EXECUTE {name}({', '.join(['%s'] * len(values))})"
            if name in state["names"]:
                cursor.execute(execute, values)
            else:
                try:  # one round trip, so the first call counts as one query like every other
                    cursor.execute(f"PREPARE {name}{statement[1]}; {execute}", values)
                except Exception:
                    # Whether PREPARE took is unknown: the next call prepares under another name.
                    state["epoch"] += 1
                    raise
                state["names"].add(name)
        rows = cursor.fetchall()
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return rows


def run(name: str, build, *ids) -> list[dict]:
    """The rows of `build(*stand_ins)` (a values() QuerySet) with `ids` in place of the stand-ins.
    An id may be an int, an aware datetime compared with a DateTimeField, or a date with a DateField."""
    stand_ins = _stand_ins(ids)
    compiled = _compiled_for(name, build, stand_ins)
    names = compiled[3]
    return [dict(zip(names, row)) for row in _execute(compiled, stand_ins, ids)]


def instances(name: str, build, *ids) -> list:
    """The model instances of `build(*stand_ins)` (a QuerySet, select_related and annotations allowed),
    made as Django's ModelIterable makes them."""
    stand_ins = _stand_ins(ids)
    compiled = _compiled_for(name, build, stand_ins)
    db, compiler = compiled[0], compiled[4]
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, db)
    objects = []
    for row in _execute(compiled, stand_ins, ids):
        obj = model.from_db(db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for attr_name, position in (annotation_col_map or {}).items():
            setattr(obj, attr_name, row[position])
        objects.append(obj)
    return objects
