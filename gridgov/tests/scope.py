"""The scope matrix: every page and endpoint, asked by a user of street A for street B's things.

Each part lists its routes in `<app>/tests/scope_cases.py` as `CASES` (and may define
`setup(world)` to create street B's objects). `test_scope.py` runs every case as street A's
operator and fails when a route of the URLconf has no case and is not listed as unscoped.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps


@dataclass
class World:
    tree: object
    users: dict
    objects: dict = field(default_factory=dict)


@dataclass
class Case:
    route: str  # the URL pattern as the resolver lists it, e.g. "areas/<str:code>/card/"
    url: Callable[[World], str]
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    expect: int | tuple[int, ...] = 404
    absent: Callable[[World], list[str]] | None = None  # text that must not appear in the answer
    multipart: bool = False
    as_user: str = "op_a"  # the street A user who asks (see the users fixture and setups)

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def scope_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.tests.scope_cases")
        except ModuleNotFoundError as exc:
            if not exc.name.startswith(f"{config.name}.tests"):
                raise


def all_cases() -> list[Case]:
    return [case for module in scope_modules() for case in getattr(module, "CASES", [])]


def unscoped_routes() -> dict[str, str]:
    """Routes that hold nothing of an area (login, docs …), each with the reason."""
    result: dict[str, str] = {}
    for module in scope_modules():
        result.update(getattr(module, "UNSCOPED", {}))
    return result


def run_setups(world: World) -> None:
    for module in scope_modules():
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(world)
