"""No read of a scoped model outside the restriction function in the read layers.

Views, API, queries, cards, statistics, forms, template tags and context processors read scoped
rows only through `restrict(...)` / `get_for_user(...)` (directly, or inside the call that
builds the queryset). A read that is safe for another reason is listed below with the reason;
anything else found here is a hole like the merge candidates once listed on the case page.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from gridgov.tests.sections import gathered

ROOT = Path(__file__).resolve().parent.parent
READ_LAYERS = ("views.py", "api.py", "queries.py", "cards.py", "stats.py", "forms.py", "context.py")
SCOPE_CALLS = {"restrict", "get_for_user"}

# (file, model): why this unrestricted read shows nothing outside the asker's scope.
ALLOWED = {
    ("areas/queries.py", "Area"): "chain_of: the names of an area's ancestors, shown by design",
    ("areas/api.py", "Area"): "locate: the grid the locator found, after code_in_scope",
    ("assessment/queries.py", "Tally"): "totals of one unit found by get_for_user first",
    ("assessment/queries.py", "CaseFact"): "facts narrowed by restrict(...) on the next line, "
    "or by the staff member / department found by get_for_user first",
    ("assessment/queries.py", "Department"): "names of the departments already ranked",
    ("assessment/queries.py", "User"): "names of the staff already ranked",
    ("assessment/queries.py", "Area"): "names of the areas already ranked or carded",
    ("assessment/queries.py", "CaseEvent"): "events of the staff member found by get_for_user; "
    "the cases they point to are restricted",
    ("dashboard/queries.py", "Tally"): "figures of the area found by get_for_user (area_for)",
    ("dashboard/queries.py", "DailyTally"): "figures of the area found by get_for_user",
    ("dashboard/queries.py", "CaseFact"): "figures of the area found by get_for_user",
    ("dashboard/queries.py", "CategoryTally"): "figures of the area found by get_for_user",
    ("dashboard/queries.py", "AreaSnapshot"): "figures of the area found by get_for_user",
    ("dashboard/queries.py", "Area"): "the children of the area found by get_for_user",
    ("dashboard/queries_federation.py", "Area"): "the names of the members found by restrict",
    ("dashboard/queries.py", "Case"): "passed to restrict() in _recent_within",
    ("dashboard/queries.py", "Card"): "passed to restrict() in _recent_within",
    ("cases/queries.py", "Case"): "Case.objects.none()",
    ("cases/views.py", "Department"): "a dispatch target: the service checks it lies above the "
    "case's level",
    ("cases/api.py", "Department"): "a dispatch target: the service checks it lies above the "
    "case's level",
    ("accounts/forms.py", "Department"): "Department.objects.none(): the view passes restricted "
    "choices",
    ("accounts/forms.py", "Area"): "Area.objects.none(): the departments view passes the areas "
    "restricted to the editor's scope",
    ("warnings/queries.py", "Area"): "area_names, target_outlines: the names and boundaries of a "
    "visible warning's chosen target areas, shown by design (no rows of people or cases)",
}
ALLOWED.update(gathered("ALLOWED_READS"))


def _scoped_models() -> set[str]:
    return {m.__name__ for m in apps.get_models() if getattr(m, "scope_field", None)}


def _unrestricted(tree: ast.AST, scoped: set[str]) -> list[tuple[int, str]]:
    """(line, model) of every `Model.objects` not inside a restrict()/get_for_user() call."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, inside: bool) -> None:
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            inside = inside or name in SCOPE_CALLS
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in scoped
            and not inside
        ):
            found.append((node.lineno, node.value.id))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return found


def _read_layer_files() -> list[Path]:
    files = [p for name in READ_LAYERS for p in (*ROOT.glob(name), *ROOT.glob(f"*/{name}"))]
    # A part split into sections: api_<section>.py, views_<section>.py, queries_<section>.py.
    files += [p for name in READ_LAYERS for p in ROOT.glob(f"*/{name[:-3]}_*.py")]
    files += ROOT.glob("*/templatetags/*.py")
    return sorted(p for p in files if "/tests/" not in str(p))


@pytest.mark.parametrize("path", _read_layer_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_unrestricted_read_of_a_scoped_model(path):
    scoped = _scoped_models()
    name = str(path.relative_to(ROOT))
    holes = [
        f"{name}:{line} {model}.objects"
        for line, model in _unrestricted(ast.parse(path.read_text()), scoped)
        if (name, model) not in ALLOWED
    ]
    assert not holes, f"scoped rows read without restrict()/get_for_user(): {holes}"


def test_every_allowance_is_still_needed():
    scoped = _scoped_models()
    used = {
        (str(p.relative_to(ROOT)), model)
        for p in _read_layer_files()
        for _line, model in _unrestricted(ast.parse(p.read_text()), scoped)
    }
    assert not set(ALLOWED) - used, sorted(set(ALLOWED) - used)


def test_the_scan_finds_a_hole():
    source = (
        "def f(user):\n    return Case.objects.filter(x=1), restrict(Case.objects.all(), user)\n"
    )
    assert _unrestricted(ast.parse(source), {"Case"}) == [(2, "Case")]
