"""The raw SQL of warnings: bulk inserts for a city-wide issue, with no model object per row."""

import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

BATCH = 5000


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
    """Append rows in one statement per batch, skipping those a unique constraint already holds
    (as bulk_create(ignore_conflicts=True) would, without building a model object per row: a
    city's 30,000 receipts and SMS rows go in well under a second). Columns not given get the
    field's default, prepared once."""
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
    marks = ", ".join(["%s"] * (len(columns) + len(extra)))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT DO NOTHING"
    )
    memo: dict = {}  # a city's rows share a handful of timestamps: prepare each once

    def prep(column: str, value):
        if not isinstance(value, datetime.datetime):
            return value
        key = (column, value)
        if key not in memo:
            memo[key] = fields[column].get_db_prep_save(value, connection)
        return memo[key]

    tail = tuple(defaults)
    prepared = [tuple(prep(c, v) for c, v in zip(columns, row, strict=True)) + tail for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), BATCH):
            cursor.executemany(sql, prepared[start : start + BATCH])
