"""Every report writes one page per index of the case and timeline tables, so an index another
one already serves is gone (on both databases: the migration drops them by name)."""

import pytest
from django.db import connection


def indexes_on(table: str) -> dict[tuple[str, ...], str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        tuple(c["columns"]): name
        for name, c in constraints.items()
        if c["index"] and not c["primary_key"] and not c["unique"]
    }


@pytest.mark.django_db
def test_single_column_indexes_served_by_a_composite_are_dropped():
    case_indexes = indexes_on("cases_case")
    event_indexes = indexes_on("cases_caseevent")
    assert ("category_id", "created_at", "lon", "lat") in case_indexes
    assert ("category_id", "lon", "lat") not in case_indexes  # replaced (migration 0013)
    assert ("department_id", "status") in case_indexes  # partial: see below
    assert ("action", "time") in event_indexes
    assert ("category_id",) not in case_indexes
    assert ("department_id",) not in case_indexes
    assert ("action",) not in event_indexes
    # the look-ups that still need their own index keep it
    assert ("reporter_id",) in case_indexes and ("created_at",) in case_indexes


def index_names_on(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


@pytest.mark.django_db
def test_scope_columns_keep_only_their_composite_and_on_postgresql_a_prefix_index():
    """case.area_code, case.level_code and caseevent.area_code are read through composites on
    SQLite (a scope is a range there); PostgreSQL keeps the `_like` index its LIKE prefixes need."""
    for table, columns in (
        ("cases_case", ["area_code", "level_code"]),
        ("cases_caseevent", ["area_code"]),
    ):
        constraints = index_names_on(table)
        for column in columns:
            singles = sorted(
                name
                for name, c in constraints.items()
                if c["index"] and c["columns"] == [column] and not c["unique"]
            )
            if connection.vendor == "postgresql":
                assert len(singles) == 1 and singles[0].endswith("_like"), (table, singles)
            else:
                assert singles == [], (table, singles)
    assert ("area_code", "status") in indexes_on("cases_case")
    assert ("level_code", "status") in indexes_on("cases_case")
    assert ("area_code", "time") in indexes_on("cases_caseevent")


PARTIAL = (
    "('case_duplicate_of_set', 'caseevent_department_set', 'case_assignee_set', "
    "'case_department_status_set')"
)


@pytest.mark.django_db
def test_mostly_empty_references_are_indexed_only_where_set():
    case = index_names_on("cases_case")
    event = index_names_on("cases_caseevent")
    assert case["case_duplicate_of_set"]["columns"] == ["duplicate_of_id"]
    assert event["caseevent_department_set"]["columns"] == ["department_id"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT sql FROM sqlite_master WHERE name IN {PARTIAL}"  # noqa: S608
            )
        else:
            cursor.execute(f"SELECT indexdef FROM pg_indexes WHERE indexname IN {PARTIAL}")  # noqa: S608
        definitions = [row[0] for row in cursor.fetchall()]
    assert len(definitions) == 4
    assert all("IS NOT NULL" in d.upper() for d in definitions), definitions
    assert case["case_assignee_set"]["columns"] == ["assignee_id"]
    assert case["case_department_status_set"]["columns"] == ["department_id", "status"]
    for column in ("duplicate_of_id", "assignee_id"):
        single = [n for n, c in case.items() if c["index"] and c["columns"] == [column]]
        assert len(single) == 1 and single[0].endswith("_set"), single
    pairs = [
        n for n, c in case.items() if c["index"] and c["columns"] == ["department_id", "status"]
    ]
    assert pairs == ["case_department_status_set"]


@pytest.mark.django_db
def test_the_change_feed_has_no_index_on_the_event_type():
    constraints = index_names_on("exchange_changeevent")
    assert not [n for n, c in constraints.items() if c["index"] and c["columns"] == ["type"]]
