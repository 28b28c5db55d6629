"""Monthly partitions of the positions table (PostgreSQL only)."""

import datetime

import pytest
from django.db import connection

from gridgov.patrol.models.tracks import Position
from gridgov.patrol.partitions import ensure_partitions, partition_name
from gridgov.patrol.services import tracks as services

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps one plain table"
)


def _partition_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM patrol_position WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row[0] if row else ""


@pytest.mark.django_db(transaction=True)
def test_ensure_partitions_in_autocommit_moves_default_rows(users):
    """The daily job runs outside any transaction (autocommit): the rows of a month that had
    no partition yet must move from the default partition into the new one, none lost."""
    session = services.start_session(actor=users["member_a"])
    when = datetime.datetime(2031, 3, 5, 2, 0, tzinfo=datetime.UTC)
    row = Position.objects.create(
        session=session,
        user_id=session.user_id,
        area_code=session.area_code,
        fix_time=when,
        lat=34.7,
        lon=113.6,
    )
    assert _partition_of(row.pk) == "patrol_position_default"
    assert connection.get_autocommit()
    made = ensure_partitions(datetime.date(2031, 3, 1), months=1)
    assert made == [partition_name(datetime.date(2031, 3, 1))]
    assert list(Position.objects.filter(pk=row.pk).values_list("fix_time", "lat")) == [(when, 34.7)]
    assert _partition_of(row.pk) == "patrol_position_203103"
    assert ensure_partitions(datetime.date(2031, 3, 1), months=1) == []
