"""Entries of the shared meta-tests for the special populations, rentals and foreigners."""

from gridgov.lines.tests import populations_world
from gridgov.tests.sections import ListRoute

LISTS = {
    "special populations": ListRoute(
        "/lines/populations/",
        "gridgov.lines.api_populations:list_records",
        "/api/v1/lines/populations",
        queries=("", "area=410105002", "category=mental", "state=lost", "overdue=0"),
        bad="state=nonsense",
    ),
    "rentals": ListRoute(
        "/lines/rentals/",
        "gridgov.lines.api_populations:list_rentals",
        "/api/v1/lines/rentals",
        queries=("", "area=410105001", "q=LF-B", "colour=red"),
        bad="colour=purple",
    ),
    "foreigners": ListRoute(
        "/lines/foreigners/",
        "gridgov.lines.api_populations:list_foreigners",
        "/api/v1/lines/foreigners",
        queries=("", "nationality=Ruri", "registered=1", "area=410105001"),
        bad="registered=maybe",
    ),
    "ledger warnings": ListRoute(
        "/lines/ledger-warnings/",
        "gridgov.lines.api_populations:list_ledger_warnings",
        "/api/v1/lines/ledger-warnings",
        queries=("", "kind=lost_contact", "kind=overcrowded", "closed=1"),
        bad="closed=maybe",
    ),
}

# The rentals, foreigners and screening ledgers: their access-log rows, scope and refusals are
# tested in test_ledgers_export.py.
EXPORT_ROUTES = {
    "lines:populations_export",
    "lines:export_rentals",
    "lines:export_foreigners",
    "lines:export_screenings",
}


def list_rows(users, admin) -> None:
    populations_world.build(users, prefix="LF")
