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
    assert ("category_id", "lon", "lat") in case_indexes
    assert ("department_id", "status") in case_indexes
    assert ("action", "time") in event_indexes
    assert ("category_id",) not in case_indexes
    assert ("department_id",) not in case_indexes
    assert ("action",) not in event_indexes
    # the look-ups that still need their own index keep it
    assert ("reporter_id",) in case_indexes and ("created_at",) in case_indexes
