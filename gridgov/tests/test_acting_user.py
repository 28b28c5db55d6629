"""Every service names its acting user: no `actor=None` that skips the rights check.

Read from the source (AST), so a new service with an optional actor fails here at once."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACTOR_NAMES = {"actor", "acting_user"}
# The write path: services modules and packages, and the modules they split into.
SERVICE_FILES = sorted(
    {
        *ROOT.glob("*/services*.py"),
        *ROOT.glob("*/services/*.py"),
        *ROOT.glob("*/importing/*.py"),
        *(
            ROOT / name
            for name in (
                "areas/geojson_io.py",
                "audit/retention.py",
                "cases/whistle.py",
                "cases/workdays.py",
                "registry/transfers.py",
            )
        ),
    }
)


def _optional(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    text = ast.unparse(annotation)
    return "None" in text or "Optional" in text or "Any" in text


def offenders(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        positional = args.posonlyargs + args.args
        defaults = dict(
            zip(
                [a.arg for a in positional[len(positional) - len(args.defaults) :]],
                args.defaults,
                strict=True,
            )
        )
        defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d}
        for arg in positional + args.kwonlyargs:
            if arg.arg not in ACTOR_NAMES:
                continue
            default = defaults.get(arg.arg)
            if arg.annotation is None:
                found.append(f"{filename}:{node.lineno} {node.name}({arg.arg}) has no type")
            elif _optional(arg.annotation):
                found.append(f"{filename}:{node.lineno} {node.name}({arg.arg}) may be None")
            if isinstance(default, ast.Constant) and default.value is None:
                found.append(f"{filename}:{node.lineno} {node.name}({arg.arg}=None)")
    return found


def test_the_service_files_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in SERVICE_FILES}
    assert {"accounts/services.py", "cases/services/intake.py", "jobs/services.py"} <= names
    assert all(p.exists() for p in SERVICE_FILES)


def test_every_service_takes_a_typed_acting_user():
    problems = [
        problem
        for path in SERVICE_FILES
        for problem in offenders(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert problems == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(*, actor=None): ...",
        "def f(x, actor: 'User | None' = None): ...",
        "def f(actor: Optional[User]): ...",
        "def f(acting_user): ...",
    ],
)
def test_the_check_catches_an_optional_actor(source):
    assert offenders(source, "example.py")


def test_the_check_accepts_a_required_typed_actor():
    assert offenders("def f(case, *, actor: User, note: str = ''): ...", "example.py") == []
