"""Monthly partitions of patrol_position on PostgreSQL (SQLite keeps one plain table).

The migration makes the table `PARTITION BY RANGE (fix_time)` with a default partition; the job
`patrol.ensure_partitions` creates this month's and the next months' partitions ahead of time,
and retention drops whole months that are past the cutoff.
"""

import datetime

from django.db import connection, transaction

TABLE = "patrol_position"


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def ensure_partitions(start: datetime.date, months: int = 3) -> list[str]:
    """Create the monthly partitions from `start`'s month on (rows already in the default
    partition for such a month are moved into it)."""
    if connection.vendor != "postgresql":
        return []
    made = []
    month = _month_start(start)
    for _i in range(months):
        following = _next_month(month)
        name = partition_name(month)
        # One transaction per month: in autocommit (the daily job) the temporary table would
        # go at the end of its own statement and the rows deleted from the default partition
        # would be lost; inside a caller's transaction (the migration) this is a savepoint.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                lo, hi = f"{month.isoformat()} 00:00:00+00", f"{following.isoformat()} 00:00:00+00"
                cursor.execute(
                    f"CREATE TEMP TABLE _moved ON COMMIT DROP AS SELECT * FROM {TABLE}_default "  # noqa: S608 (table names made here, values bound)
                    "WHERE fix_time >= %s AND fix_time < %s",
                    [lo, hi],
                )
                cursor.execute(
                    f"DELETE FROM {TABLE}_default WHERE fix_time >= %s AND fix_time < %s",  # noqa: S608
                    [lo, hi],
                )
                cursor.execute(
                    f'CREATE TABLE "{name}" PARTITION OF {TABLE} '
                    f"FOR VALUES FROM ('{lo}') TO ('{hi}')"
                )
                cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM _moved")  # noqa: S608 (table names made here, values bound)
                cursor.execute("DROP TABLE _moved")
                made.append(name)
        month = following
    return made


def drop_partitions_before(cutoff: datetime.datetime) -> int:
    """Drop the monthly partitions that end at or before the cutoff; the rows they held."""
    if connection.vendor != "postgresql":
        return 0
    removed = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [TABLE],
        )
        for (name,) in cursor.fetchall():
            suffix = name.removeprefix(TABLE + "_")
            if not (len(suffix) == 6 and suffix.isdigit()):
                continue
            month = datetime.date(int(suffix[:4]), int(suffix[4:]), 1)
            end = datetime.datetime.combine(_next_month(month), datetime.time.min, datetime.UTC)
            if end <= cutoff:
                cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608 (table names made here, values bound)
                removed += cursor.fetchone()[0]
                cursor.execute(f'DROP TABLE "{name}"')
    return removed
