"""The raw SQL of warnings: bulk inserts for a city-wide issue, with no model object per row."""

import datetime
import uuid

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

BATCH = 5000
# Parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMS = 30_000


def insert_select(model, columns: list[str], queryset: QuerySet) -> int:
    """INSERT INTO model (columns) SELECT …, skipping rows a unique constraint already holds
    (the first of several rows for one key wins: the queryset's order decides)."""
    sql, params = queryset.query.sql_with_params()
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c]) for c in columns)
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Append rows with multi-row INSERT statements (a few thousand rows each), skipping those a
    unique constraint already holds, as bulk_create(ignore_conflicts=True) would but without a
    model object per row. Columns not given get the field's default, prepared once."""
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
    group = "(" + ", ".join(["%s"] * (len(columns) + len(extra))) + ")"
    per_statement = max(1, MAX_PARAMS // (len(columns) + len(extra)))
    memo: dict = {}  # a city's rows share a handful of timestamps: prepare each once

    def prep(column: str, value):
        if not isinstance(value, datetime.datetime):
            return value
        key = (column, value)
        if key not in memo:
            memo[key] = fields[column].get_db_prep_save(value, connection)
        return memo[key]

    tail = tuple(defaults)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        _copy_then_insert(
            table,
            names,
            [tuple(prep(c, v) for c, v in zip(columns, row, strict=True)) + tail for row in rows],
        )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [
                value
                for row in chunk
                for value in (*(prep(c, v) for c, v in zip(columns, row, strict=True)), *tail)
            ]
            values = ", ".join([group] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values} "  # noqa: S608
                "ON CONFLICT DO NOTHING",
                params,
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
