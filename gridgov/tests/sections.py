"""Entries of the shared meta-tests that each part keeps beside its own tests.

A part lists its lists, reads, unrestricted reads and exports in `gridgov/<app>/tests/meta.py` or
`meta_<section>.py` (module-level dicts or sets named as below), so parts built side by side
never edit the same table. The meta-tests merge them with their own:

- `LISTS`, `NOT_LISTS`, `READS` and `list_rows(users, admin)` (rows for the lists' comparison)
  for `gridgov/tests/test_list_filters.py`;
- `ALLOWED_READS` for `gridgov/tests/test_unrestricted_reads.py` (its `ALLOWED`);
- `EXPORTS`, `NOT_PERSONAL` and `EXPORT_ROUTES` for `gridgov/registry/tests/test_exports.py`.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ListRoute:
    page: str
    api: str  # the API route's view, "module:function"; "" for a list with only a page
    url: str = ""  # the API URL
    items: str | None = None  # the key of the list in the API answer (None: the answer is it)
    key: str = "id"
    queries: tuple[str, ...] = ()
    bad: str = ""


@dataclass
class Export:
    url: str
    allowed: str  # a user with the right
    refused: str  # a user in the same area without it
    data: dict = field(default_factory=dict)  # POSTed (the reason of a full export)
    fields: tuple[str, ...] = ()


def _modules() -> list:
    found = sorted(ROOT.glob("*/tests/meta.py")) + sorted(ROOT.glob("*/tests/meta_*.py"))
    return [
        importlib.import_module(f"gridgov.{path.parent.parent.name}.tests.{path.stem}")
        for path in found
    ]


def gathered(name: str):
    """The parts' entries named `name`, merged (dicts or sets)."""
    merged: dict | set | None = None
    for module in _modules():
        value = getattr(module, name, None)
        if value is None:
            continue
        if merged is None:
            merged = type(value)()
        merged.update(value)  # type: ignore[union-attr]
    return merged if merged is not None else {}


def hooks(name: str) -> list[Callable]:
    """The parts' functions named `name` (e.g. `list_rows`)."""
    return [getattr(m, name) for m in _modules() if callable(getattr(m, name, None))]
