"""Small queries run on every request with different ids: their SQL compiled once per process and database.

Building a small ORM query costs several times what running it does. The statement is compiled
from a values() QuerySet built with stand-in ids (and datetimes and dates); each call runs it with
the real values in their places and converts the values as the ORM would.

On PostgreSQL each statement is also prepared once per connection (PREPARE, then EXECUTE): the
server takes several times longer to plan a small query than to run it, and a prepared statement
is parsed once and, from its sixth run, planned once when a generic plan costs no more than the
custom ones (plan_cache_mode auto). That needs a session-level connection, not PgBouncer's
transaction mode.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import UTC, date, datetime

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models.query import get_related_populators

STAND_INS = (-7_000_001, -7_000_002, -7_000_003)
DATETIME_STAND_INS = tuple(datetime(1901, 2, 3, 4, 5, second, tzinfo=UTC) for second in range(1, 7))
DATE_STAND_INS = tuple(date(1901, 2, day) for day in range(1, 7))
_compiled: dict[tuple[str, str], tuple] = {}
_PLACEHOLDER = re.compile(r"%[s%]")
_STATEMENT = re.compile(r"(?:PREPARE|EXECUTE) (precompiled_[0-9a-f]+)_\d+")
_sql_of: dict[str, str] = {}
_raw: dict[str, tuple[str, str] | None] = {}
# A PREPARE the server refused because a guessed parameter type fits no operator or function: these
# statements run unprepared in this process.
_UNPREPARABLE_CODES = {"42883", "42P18", "42804", "42725"}
_unpreparable: set[str] = set()
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
                                     _prepare_statement(sql, params))
    return compiled


def _prepare_statement(sql: str, params) -> tuple[str, str] | None:
    """The statement's name (from its text: the same in every process and thread), and the rest of its
    PREPARE: the types of the stand-ins and constants, and the SQL with $n for each %s."""
    if not params:
        return None
    types = ", ".join(_PG_TYPES.get(type(value), "unknown") for value in params)
    return _named(f"{types}|{sql}", sql, f" ({types}) AS {_numbered(sql)}")


def _numbered(sql: str) -> str:
    """The SQL with $1, $2, ... for its %s placeholders, as PREPARE takes it."""
    positions = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: f"${next(positions)}" if m.group() == "%s" else m.group(), sql)


def _named(identity: str, sql: str, rest: str) -> tuple[str, str]:
    name = "precompiled_" + hashlib.sha256(identity.encode()).hexdigest()[:20]
    _sql_of[name] = sql
    return name, rest


def statement_sql(sql: str) -> str:
    """The ORM's SQL that a logged PREPARE or EXECUTE of a precompiled statement stands for; other SQL as it is."""
    found = _STATEMENT.match(sql)
    return _sql_of[found.group(1)] if found else sql


def _prepared(connection) -> dict:
    """This database connection's prepared statements by name and the failures of each; a new connection has none."""
    state = getattr(connection, "_precompiled_statements", None)
    if state is None or state["connection"] is not connection.connection:
        state = connection._precompiled_statements = {"connection": connection.connection, "as": {}, "failures": {}}
    return state


def _execute(compiled, stand_ins, ids) -> list:
    db, sql, params, names, compiler, converters, statement = compiled
    connection = connections[db]
    ops = connection.ops
    real = {_adapted(ops, stand_in): _adapted(ops, value) for stand_in, value in zip(stand_ins, ids)}
    values = [real.get(p, p) if isinstance(p, (int, str, datetime, date)) and not isinstance(p, bool) else p
              for p in params]
    with connection.cursor() as cursor:
        _run_statement(connection, cursor, statement, sql, values)
        rows = cursor.fetchall()
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return rows


def _run_statement(connection, cursor, statement, sql, values) -> None:
    if statement is None or connection.vendor != "postgresql" or statement[0] in _unpreparable:
        cursor.execute(sql, values)
    else:
        _execute_prepared(connection, cursor, statement, sql, values)


def _execute_prepared(connection, cursor, statement, sql, values) -> None:
    base, rest = statement
    state = _prepared(connection)
    arguments = f"({', '.join(['%s'] * len(values))})"
    name = state["as"].get(base)
    if name is not None:
        text = f"EXECUTE {name}{arguments}"
    else:  # PREPARE and the first EXECUTE in one round trip, logged as one query like any other
        name = f"{base}_{state['failures'].get(base, 0)}"
        text = f"PREPARE {name}{rest}; EXECUTE {name}{arguments}"
    try:
        cursor.execute(text, values)
    except DatabaseError as error:
        # Whether it is prepared, and still fits its tables (a migration may have changed a column's
        # type), is unknown: the next call prepares it again under another name.
        state["as"].pop(base, None)
        state["failures"][base] = state["failures"].get(base, 0) + 1
        if getattr(error.__cause__, "pgcode", None) in _UNPREPARABLE_CODES and text.startswith("PREPARE"):
            _unpreparable.add(base)
            if not connection.in_atomic_block:  # nothing to roll back: run it unprepared now
                cursor.execute(sql, values)
                return
        raise
    state["as"][base] = name


def execute(sql: str, params) -> list[tuple]:
    """The rows of hand-written SQL whose parameters' types the statement fixes itself (a CAST, or a
    comparison with a column), prepared once per connection on PostgreSQL like the compiled ones."""
    if sql not in _raw:
        _raw[sql] = _named(sql, sql, f" AS {_numbered(sql)}") if params else None
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        _run_statement(connection, cursor, _raw[sql], sql, params)
        return cursor.fetchall()


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
