"""The scope matrix: every page and endpoint, asked by a user of street A for street B's things.

Each part lists its routes in `<app>/tests/scope_cases.py`:

- `CASES`: a list of `Case` (below); `UNSCOPED`: {route: why it holds nothing of an area};
- `setup(world)` (optional): creates street B's objects (and extra users) in `world`.

A `Case` is one request::

    Case(
        route,          # the URL pattern as the resolver lists it, e.g. "areas/<str:code>/card/"
        url,            # world -> the URL asked
        method="GET",   # GET, POST, PUT, PATCH or DELETE: one case per method the view accepts
        data=None,      # world -> query (GET), form (multipart=True) or JSON body
        expect=404,     # the status (or tuple of statuses) the outsider must get
        absent=None,    # world -> texts the answer must not hold (compared with the decoded
                        # answer: the strings of a JSON answer, the unescaped text of HTML)
        multipart=False,
        as_user="op_a", # who asks (see the users fixture and the setups)
        # optional, newer fields:
        live_as="admin",  # who must get what the outsider must not (the liveness check)
        live_expect=None, # the statuses `live_as` gets, for a refused write (e.g. 302, 201)
        not_live="",      # why this case has nothing to prove live (nothing scoped in it)
        codes=("area_code",),  # keys whose values in a JSON answer must lie in the asker's scope
        leaks=None,       # (world, decoded answer) -> what of street B's the answer shows
    )

`test_scope.py` runs every case twice. As `as_user` the answer must have the `expect`ed
status, hold none of the `absent` texts, only area codes inside the asker's scope under the
`codes` keys (every object of a list, a detail or a GeoJSON feature), and no `leaks`. As
`live_as` the same request must show what the first run says is hidden: a refusal (403/404)
becomes an answer, the `absent` texts and the `leaks` are there, or (without them) some area
code outside the asker's scope is; a write refused to the outsider gets `live_expect`. A case
that could not fail this way fails, unless it says why in `not_live`. The meta-tests fail when
a route of the URLconf, or a method one of its views accepts, has no case.
"""

import functools
import html
import importlib
import inspect
import json
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import URLPattern, URLResolver

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALL_METHODS = {*METHODS, "HEAD", "OPTIONS", "TRACE"}


@dataclass
class World:
    tree: object
    users: dict
    objects: dict = field(default_factory=lambda: _NamedOnce())


class _NamedOnce(dict):
    """The world's objects, each name given once: two parts' setups naming different objects
    alike would send one part's cases to the other's ids (which coincide on SQLite only)."""

    def __setitem__(self, key, value) -> None:
        if key in self:
            raise KeyError(f"two setups name an object {key!r}: give one another name")
        super().__setitem__(key, value)

    def update(self, *args, **kwargs) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value


@dataclass
class Case:
    route: str
    url: Callable[[World], str]
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    expect: int | tuple[int, ...] = 404
    absent: Callable[[World], list[str]] | None = None
    multipart: bool = False
    as_user: str = "op_a"
    live_as: str = "admin"
    live_expect: int | tuple[int, ...] | None = None
    not_live: str = ""
    codes: tuple[str, ...] = ("area_code",)
    leaks: Callable[[World, object], list] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"

    @property
    def expected(self) -> tuple[int, ...]:
        return self.expect if isinstance(self.expect, tuple) else (self.expect,)

    @property
    def refused(self) -> bool:
        """The outsider is turned away (rather than answered without street B's things)."""
        return set(self.expected) <= {403, 404}


def scope_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        # One module per app, or one per section of an app (scope_cases_<section>.py).
        for path in sorted(pathlib.Path(config.path, "tests").glob("scope_cases*.py")):
            yield importlib.import_module(f"{config.name}.tests.{path.stem}")


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


# ---------------------------------------------------------------------------------------------
# asking and reading the answers


def ask(client, case: Case, world: World):
    url = case.url(world)
    data = case.data(world) if case.data else None
    if case.method == "GET":
        return client.get(url, data)
    if case.multipart:
        return client.generic(case.method, url) if data is None else client.post(url, data)
    return client.generic(case.method, url, json.dumps(data or {}), content_type="application/json")


@dataclass
class Answer:
    status: int
    text: str  # what a reader sees: the strings of a JSON answer, the unescaped text of HTML
    data: object = None  # the decoded JSON answer, or None


def read(response) -> Answer:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "json" in kind and body:
        data = json.loads(body)
        return Answer(response.status_code, "\n".join(_strings(data)), data)
    return Answer(response.status_code, html.unescape(body.decode("utf-8", errors="replace")))


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]


def codes_in(value, keys: tuple[str, ...]) -> list[str]:
    """Every area code under one of `keys` anywhere in a decoded JSON answer."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in keys and isinstance(v, str) and v:
                found.append(v)
            else:
                found.extend(codes_in(v, keys))
    elif isinstance(value, list):
        for v in value:
            found.extend(codes_in(v, keys))
    return found


# ---------------------------------------------------------------------------------------------
# the routes and the methods their views accept


def routes(patterns=None, prefix: str = "") -> dict[str, set[str]]:
    """{route: the methods its views accept} for the whole URLconf."""
    from django.urls import get_resolver

    found: dict[str, set[str]] = {}
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            for route, methods in routes(p.url_patterns, prefix + str(p.pattern)).items():
                found.setdefault(route, set()).update(methods)
        elif isinstance(p, URLPattern):
            found.setdefault(prefix + str(p.pattern), set()).update(view_methods(p.callback))
    return found


def view_methods(view) -> set[str]:
    """The methods a view answers other than with 405: an API operation's declared methods,
    a `require_http_methods` list, else GET (and POST when the view reads a posted form)."""
    for cell in getattr(view, "__closure__", None) or ():
        operations = getattr(_content(cell), "operations", None)
        if operations is not None:  # a django-ninja path: its operations' methods
            return {m for op in operations for m in op.methods}
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if m.upper() in METHODS}
    fn = view
    while isinstance(fn, functools.partial):
        fn = fn.func
    while True:
        for cell in getattr(fn, "__closure__", None) or ():
            value = _content(cell)
            if isinstance(value, list | tuple) and value and all(v in ALL_METHODS for v in value):
                return set(value) & set(METHODS)
        if getattr(fn, "__wrapped__", None) is None:
            break
        fn = fn.__wrapped__
    source = inspect.getsource(fn)
    posts = "request.POST" in source or 'request.method == "POST"' in source
    return {"GET", "POST"} if posts else {"GET"}


def _content(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None
