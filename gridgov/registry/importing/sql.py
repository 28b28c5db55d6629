"""The raw SQL of the registry import: lookups by code in chunks, multi-row inserts (COPY on
PostgreSQL) and SQLite's cache and checkpoint settings during a large import."""

import contextlib
from collections.abc import Sequence

from django.db import connection

from gridgov.registry.models import Person, Residence


@contextlib.contextmanager
def big_cache():
    """A large import's indexes outgrow SQLite's default page cache; give it room meanwhile, and
    checkpoint the write-ahead log after each batch instead of in the middle of one."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size=-1000000")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(before)}")
            cursor.execute("PRAGMA wal_autocheckpoint=1000")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def chunks(items: list, size: int):
    """The items in slices small enough for one `IN (...)` list."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def house_places(codes: list[str]) -> dict[str, tuple[int, str]]:
    """Code → (id, area code) of the houses these codes name."""
    found = {}
    with connection.cursor() as cursor:
        for chunk in chunks(sorted(set(codes)), 900):
            marks = ", ".join(["%s"] * len(chunk))
            query = f"SELECT code, id, area_code FROM registry_house WHERE code IN ({marks})"  # noqa: S608
            cursor.execute(query, chunk)
            found.update({code: (pk, area) for code, pk, area in cursor.fetchall()})
    return found


def checkpoint() -> None:
    """Checkpoint SQLite's write-ahead log after a batch (outside a transaction)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def current_residences(pks: list[int]) -> set[tuple[int, int]]:
    """(person, house) of the residences not ended of these people."""
    current: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for chunk in chunks(pks, 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT person_id, house_id FROM registry_residence "  # noqa: S608
                f"WHERE until IS NULL AND person_id IN ({marks})",
                chunk,
            )
            current.update(cursor.fetchall())
    return current


def insert_people(fields: Sequence[str], params: list[tuple], new_rows: list[dict]) -> None:
    """New people with the prepared insert (COPY on PostgreSQL), `fields` in the order of each
    row of `params`; on SQLite each new row learns its id (`_pk`) from the insert."""
    table = connection.ops.quote_name(Person._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(
            Person._meta.get_field(c.removesuffix("_id") if c == "current_house_id" else c).column
        )
        for c in fields
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        _insert_rows(cursor, sql, table, columns, params)
        if connection.vendor == "sqlite" and new_rows:
            # One writer holds the lock, so the rows just inserted got consecutive ids.
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            for offset, r in enumerate(new_rows):
                r["_pk"] = last - len(new_rows) + 1 + offset


def insert_residences(rows: list[tuple]) -> None:
    """New residences: (person, house, relation, since, area code) rows."""
    table = connection.ops.quote_name(Residence._meta.db_table)
    columns = "person_id, house_id, relation, since, area_code"
    with connection.cursor() as cursor:
        _insert_rows(
            cursor,
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            table,
            columns,
            rows,
        )


def _insert_rows(cursor, sql: str, table: str, columns: str, rows: list[tuple]) -> None:
    """Many rows at once: PostgreSQL's COPY, else the prepared insert run for every row."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(sql, rows)
