"""The raw SQL of warnings: bulk inserts for a city-wide issue, with no model object per row."""

import contextlib
import datetime
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet, Value
from django.utils import timezone


@contextlib.contextmanager
def set_based() -> Iterator[None]:
    """PostgreSQL: plan the block's statements without nested loops (hash joins instead), for
    the rest of the block only. A warning's rows were written in this transaction, so the planner
    has no statistics of them and takes the warning for one row: a join of its 33,000 receipts
    with themselves became a nested loop of 33,000 × 33,000 (minutes). Whole-set joins of a
    fan-out are right at any size. Elsewhere (SQLite) nothing changes."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_nestloop")
        before = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [before])


def insert_select(model, columns: list[str], queryset: QuerySet, *, new_keys: bool = False) -> int:
    """INSERT INTO model (columns) SELECT …, skipping rows a unique constraint already holds
    (the first of several rows for one key wins: the queryset's order decides).

    `new_keys`: the caller knows no row of the selection can meet a unique key (a warning's
    first rows, each key once): a plain insert, which PostgreSQL does in about half the time of
    one that must look for a conflict before every row. Were the caller wrong, the insert fails
    and the transaction with it; nothing is skipped silently."""
    sql, params = queryset.query.sql_with_params()
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c]) for c in columns)
    conflicts = "" if new_keys else " ON CONFLICT DO NOTHING"
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}{conflicts}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def insert_first_per_key(
    model, columns: list[str], queryset: QuerySet, *, key: str, order: list[str]
) -> int:
    """INSERT … SELECT of the first row of each `key` by `order`, into a table holding no row of
    the selection yet (a new warning's receipts). PostgreSQL picks the rows with DISTINCT ON and
    inserts them plainly, in key order; SQLite inserts all in order and lets the unique
    constraint skip the later rows of a key, which costs it nothing."""
    if connection.vendor == "postgresql":
        first = queryset.order_by(key, *order).distinct(key)
        return insert_select(model, columns, first, new_keys=True)
    return insert_select(model, columns, queryset.order_by(*order, key))


def insert_select_filled(
    model, values: dict[str, Any], queryset: QuerySet, *, new_keys: bool = False
) -> int:
    """INSERT INTO model … SELECT from `queryset`'s rows: each column named in `values` from its
    expression, every other column its field's default as a constant. Nothing comes back to
    Python: a city-wide warning's outbox rows are written by the database alone."""
    now = timezone.now()
    expressions: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in values:
            expressions[field.attname] = values[field.attname]
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        default = now if auto else field.get_default()
        expressions[field.attname] = Value(default, output_field=field)
    aliases = {f"filled_{name}": e for name, e in expressions.items()}
    rows = queryset.annotate(**aliases).order_by().values_list(*aliases)
    return insert_select(model, list(expressions), rows, new_keys=new_keys)


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Append rows, skipping those a unique constraint already holds, as
    bulk_create(ignore_conflicts=True) would but without a model object per row. Columns not
    given get the field's default, prepared once."""
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    extra, defaults = [], []
    now = timezone.now()
    for name, f in fields.items():
        if name in columns:
            continue
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        value = now if auto else f.get_default()
        extra.append(f.column)
        defaults.append(f.get_db_prep_save(value, connection))
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in [fields[c].column for c in columns] + extra)
    # Only datetime values need preparing (and a city's rows share a handful of them).
    timed = [i for i, c in enumerate(columns) if isinstance(fields[c], models.DateTimeField)]
    memo: dict = {}

    def prep(row: tuple) -> tuple:
        if not timed:
            return row + tail
        values = list(row)
        for i in timed:
            value = values[i]
            if isinstance(value, datetime.datetime):
                key = (i, value)
                if key not in memo:
                    memo[key] = fields[columns[i]].get_db_prep_save(value, connection)
                values[i] = memo[key]
        return (*values, *tail)

    tail = tuple(defaults)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        _copy_then_insert(table, names, [prep(row) for row in rows])
        return
    # SQLite: one prepared single-row statement run for every row (in C), rather than statements
    # of thousands of placeholders that must be built, rewritten and parsed.
    placeholders = ", ".join(["%s"] * (len(columns) + len(extra)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            [prep(row) for row in rows],
        )


def _copy_then_insert(table: str, names: str, rows: list[tuple]) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT … SELECT that skips conflicts
    (COPY itself cannot; a statement with 30,000 placeholders is slow to even parse)."""
    staging = connection.ops.quote_name(f"staging_{uuid.uuid4().hex[:12]}")
    with connection.cursor() as cursor:
        # Names only from the model's own metadata, quoted: no outside text reaches the SQL.
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {names} FROM {table} LIMIT 0")  # noqa: S608
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"DROP TABLE {staging}")
