"""The API views of the special populations under names the meta-tests can find.

OpenAPI operation ids are the module path and function joined with "_"
("gridgov_lines_populations_list_records"), so a module whose name holds no "_" stands for
`api_populations.py` (the views themselves live there)."""

from gridgov.lines.api_populations import (
    get_record,
    list_foreigners,
    list_ledger_warnings,
    list_records,
    list_rentals,
    post_visit,
)

__all__ = [
    "get_record",
    "list_foreigners",
    "list_ledger_warnings",
    "list_records",
    "list_rentals",
    "post_visit",
]
