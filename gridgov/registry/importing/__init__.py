"""Imports from Excel (.xlsx) and CSV (UTF-8 or GBK), one core for the web page, the API, the
command line and the benchmark.

`check()` is the dry run: every row is checked and every problem reported with its row number,
column and reason. `commit()` checks again and writes, in one of two modes: `good` imports the
good rows and skips the bad ones; `all` imports nothing unless every row is good. Rows are written
in batches, each batch one transaction, so an interrupted import leaves no half-written row.

The package holds the columns and template files (`templates`), reading files (`reading`),
checking cells and rows (`checking`, with each kind's rules in `rules`), writing (`writing`) and
its raw SQL (`sql`); the public names are importable from here.
"""

from gridgov.registry.importing.checking import check
from gridgov.registry.importing.reading import Report, RowError, read_rows
from gridgov.registry.importing.templates import (
    ENTITY_LABELS,
    TEMPLATES,
    Column,
    template_csv,
    template_xlsx,
)
from gridgov.registry.importing.writing import _common_prefix as _common_prefix
from gridgov.registry.importing.writing import commit

__all__ = [
    "ENTITY_LABELS",
    "TEMPLATES",
    "Column",
    "Report",
    "RowError",
    "check",
    "commit",
    "read_rows",
    "template_csv",
    "template_xlsx",
]
