"""One filter per list: a list's page and its API route read their query through the same filter
in the app's filters.py, so the same query string lists the same rows, in the same order.

- `test_page_and_api_list_the_same_rows`: for every list with a page and an API route, each query
  (unfiltered and with each of its filters) gives the same ids on both (page rows carry
  `data-id`; the API answer is decoded), and the filters do narrow.
- `test_a_bad_filter_value_is_refused_on_both`: 4xx from the API, an error shown on the page.
- `test_list_views_filter_only_through_filters_py`: no list view reads its filter parameters
  itself; every GET route of the API that lists things is in the table below or says why not.
"""

import ast
import datetime
import importlib
import inspect
import json
import re
import textwrap
from pathlib import Path

import pytest
import time_machine
from django.urls import resolve
from django.utils import timezone

import gridgov
from gridgov.areas.models import Area
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import OCTOBER, TZ, october  # noqa: F401 (fixtures)
from gridgov.cases.tests.conftest import loop, taxonomy  # noqa: F401 (fixtures)
from gridgov.office.models import Document
from gridgov.office.services import documents, notices
from gridgov.registry import services, transfers
from gridgov.registry.tests.conftest import POINT_A, homes  # noqa: F401 (fixtures)
from gridgov.tests.sections import ListRoute, gathered, hooks

ROOT = Path(gridgov.__file__).parent
DRILL = f"unit=410105001&indicator=reports&period={OCTOBER}"


LISTS = {
    "people": ListRoute(
        "/registry/people/",
        "gridgov.registry.api:list_people",
        "/api/v1/people",
        "items",
        queries=(
            "",
            "area=410105002",
            "q=张",
            "registration=floating",
            "sex=F",
            "tag=any",
            "foreigners=1",
        ),
        bad="sex=X",
    ),
    "buildings": ListRoute(
        "/registry/buildings/",
        "gridgov.registry.api:list_buildings",
        "/api/v1/buildings",
        queries=("", "area=410105001", "q=花园", "q=B-A"),
        bad="area=" + "9" * 30,
    ),
    "organizations": ListRoute(
        "/registry/organizations/",
        "gridgov.registry.api:list_organizations",
        "/api/v1/organizations",
        queries=("", "kind=enterprise", "key=1", "q=乙", "area=410105001"),
        bad="kind=nonsense",
    ),
    "places": ListRoute(
        "/registry/places/",
        "gridgov.registry.api:list_places",
        "/api/v1/places",
        queries=("", "kind=facility", "q=甲", "area=410105002"),
        bad="kind=nonsense",
    ),
    "transfers": ListRoute(
        "/registry/transfers/",
        "gridgov.registry.api:list_transfers",
        "/api/v1/transfers",
        queries=("",),
    ),
    "cases": ListRoute(
        "/cases/",
        "gridgov.cases.api:list_cases",
        "/api/v1/cases",
        "items",
        queries=(
            "queue=all",
            "queue=accept",
            "queue=verify",
            "queue=all&area=410105002",
            "queue=all&status=closed",
            "queue=all&q=井盖",
            "queue=all&category=C01",
            "queue=all&since=2026-10-13",
        ),
        bad="queue=all&status=nonsense",
    ),
    "rankings": ListRoute(
        "/assessment/rankings/",
        "gridgov.assessment.api:rankings",
        "/api/v1/assessment/rankings",
        "rows",
        "key",
        queries=(
            "",
            f"period={OCTOBER}",
            f"kind=area&level=community&period={OCTOBER}",
            f"kind=staff&period={OCTOBER}",
            f"kind=department&period={OCTOBER}",
            f"level=community&parent=410105001&period={OCTOBER}",
        ),
        bad="kind=building",
    ),
    "assessment cases": ListRoute(
        "/assessment/cases/",
        "gridgov.assessment.api:cases_behind",
        "/api/v1/assessment/cases",
        "items",
        queries=(
            DRILL,
            DRILL.replace("reports", "valid_rate"),
            DRILL.replace("reports", "valid_rate") + "&part=denominator",
        ),
        bad=DRILL.replace(OCTOBER, "2026-13"),
    ),
    "notices": ListRoute(
        "/office/",
        "gridgov.office.api:notice_list",
        "/api/v1/office/notices",
        queries=("", "kind=dynamic", "area=410105001", "kind=notice&area=410105002"),
        bad="kind=nonsense",
    ),
    "documents": ListRoute(
        "/office/documents/",
        "gridgov.office.api:document_list",
        "/api/v1/office/documents",
        queries=("", "q=网格", "status=received", "overdue=1", "area=410105001"),
        bad="status=nonsense",
    ),
    "areas": ListRoute("", "gridgov.areas.api:list_areas"),
    # Its page and API are compared in gridgov/warnings/tests/test_api.py (warnings in the world).
    "warnings": ListRoute("/warnings/", "gridgov.warnings.api:list_warnings"),
    # The API answers the board's counts; the page lists the latest cards under them.
    "cards": ListRoute("/assessment/cards/", "gridgov.assessment.api:cards"),
    # Lists with a page only.
    "key populations": ListRoute("/registry/key-populations/", ""),
    "users": ListRoute("/accounts/users/", ""),
    "departments": ListRoute("/accounts/departments/", ""),
}

# GET routes of the API without a path parameter that are not lists filtered by a query.
NOT_LISTS = {
    "gridgov.accounts.api:me": "the caller",
    "gridgov.accounts.api:my_tokens": "the caller's own tokens, unfiltered",
    "gridgov.areas.api:locate": "one point's grid",
    "gridgov.cases.api:categories": "the whole taxonomy, not scoped",
    "gridgov.cases.api:cases_geojson": "map points for the case map page (its only reader)",
    "gridgov.cases.api:cases_by_caller": "one caller's earlier reports found by the phone's "
    "blind index for the hotline form, within restrict(); no filters to share",
    "gridgov.registry.api:registry_stats": "figures of one area",
    "gridgov.registry.api:registry_map": "map points for the registry map (its only reader)",
    "gridgov.assessment.api:indicators": "one unit's figures",
    "gridgov.dashboard.api:cockpit": "figures of one area",
    "gridgov.dashboard.api:foreign": "the foreign-affairs figures of one area",
    "gridgov.dashboard.api:federation": "the member districts' figures of one area (a panel)",
    "gridgov.office.api:conversation_list": "the caller's own conversations, unfiltered",
    "gridgov.office.api:unread": "the caller's unread counts",
    "gridgov.warnings.api:active_warnings": "the open warnings for the cockpit and the phone "
    "(polled with an ETag), unfiltered",
    "gridgov.warnings.api:my_receipts": "the caller's own receipts, unfiltered",
    "gridgov.warnings.api:get_warning": "one warning",
    "gridgov.warnings.api:board": "one warning's counts",
    "gridgov.warnings.api:cap_xml": "one warning as CAP XML",
}

# Query parameters a list view may read itself: paging and the file format.
PAGING = {"page", "after", "limit", "offset", "format"}
# Other views that read a query parameter by name, and why that is no list filter.
READS = {
    ("accounts/twofactor_views.py", "_next_url", "next"): "where to go after signing in",
    ("areas/views.py", "console", "area"): "the area the tree opens on",
    ("areas/views.py", "search", "q"): "the tree's search box (areas.queries.search)",
    ("areas/views.py", "export", "root"): "what the GeoJSON file holds",
    ("areas/views.py", "export", "levels"): "what the GeoJSON file holds",
    ("assessment/views.py", "_period", "period"): "the period of one unit's report",
    ("assessment/views.py", "overview", "kind"): "one unit's report",
    ("assessment/views.py", "overview", "unit"): "one unit's report",
    ("assessment/views.py", "reports", "month"): "a link to one monthly report",
    ("assessment/views.py", "reports", "area"): "a link to one monthly report",
    ("cases/calendar_views.py", "calendar_page", "year"): "the year shown",
    ("dashboard/views.py", "cockpit", "area"): "the figures of one area",
    ("dashboard/views.py", "export", "area"): "the figures of one area",
    ("dashboard/views.py", "foreign", "area"): "the foreign-affairs figures of one area",
    ("registry/views.py", "export_people", "personal"): "masked or in full",
    **{
        ("notify/gateway_views.py", "delivery_report", key): "Kannel's delivery report"
        for key in ("t", "type", "at", "reply", "fid", "b", "to")
    },
    **{
        ("notify/sms_views.py", "preview", key): "the text whose cost is previewed"
        for key in ("text", "template", "recipients")
    },
}

LISTS.update(gathered("LISTS"))
NOT_LISTS.update(gathered("NOT_LISTS"))
READS.update(gathered("READS"))


# A listed row: a table row, or an item of a list (the office's notices).
ROW = re.compile(r'<(?:tr|li) data-id="([^"]*)"')


def _page_ids(response, asked=None) -> list[str]:
    assert response.status_code == 200, (asked, response.status_code)
    return ROW.findall(response.content.decode())


def _api_ids(response, route: ListRoute) -> list[str]:
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    items = data[route.items] if route.items else data
    return [str(item[route.key]) for item in items]


@pytest.fixture
def world(homes, october, users):  # noqa: F811 (fixtures)
    with time_machine.travel(datetime.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)):
        roll_up()
        admin = users["admin"]
        services.save_organization(
            {
                "name": "甲街道饭店",
                "kind": "shop",
                "key_unit": True,
                "lon": POINT_A[0],
                "lat": POINT_A[1],
            },
            actor=admin,
        )
        services.save_place(
            {"name": "甲街道井盖", "kind": "key_place", "lon": POINT_A[0], "lat": POINT_A[1]},
            actor=admin,
        )
        services.tag_key_population(homes["person_a"], actor=admin, category="elderly_alone")
        transfers.request_transfer(
            actor=users["op_a"],
            record=homes["person_b"],
            target_code=homes["house_a"].area_code,
            source="form",
        )
        _office_papers(users)
        for list_rows in hooks("list_rows"):
            list_rows(users, admin)
        yield {"admin": admin}


def _office_papers(users) -> None:
    """Notices of both kinds at three levels; documents held by the district and by street A,
    one of them overdue."""
    admin = users["admin"]
    areas = {a.code: a for a in Area.objects.filter(code__in=["410105", "410105001", "410105002"])}
    for kind, code in (("notice", "410105"), ("dynamic", "410105001"), ("notice", "410105002")):
        notices.publish_notice(
            acting_user=admin, kind=kind, title=f"{kind} {code}", body="", area=areas[code]
        )
    late = documents.receive_document(
        acting_user=users["district"],
        area=areas["410105"],
        number="金政〔2026〕7号",
        title="关于调整网格的通知",
        issuing_unit="金水区人民政府办公室",
        main=[areas["410105001"]],
    )
    for action, who in (("sign", "op_a"), ("register", "district")):
        late = documents.perform(late, action, acting_user=users[who])
    documents.perform(
        late, "assign", acting_user=users["district"], lead_area=areas["410105001"], days=1
    )
    Document.objects.filter(pk=late.pk).update(
        deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    documents.receive_document(
        acting_user=users["op_a"],
        area=areas["410105001"],
        number="金民〔2026〕3号",
        title="关于养老服务的通知",
        issuing_unit="金水区民政局",
        main=[areas["410105001"]],
    )


def test_page_and_api_list_the_same_rows(world, client_for):
    client = client_for(world["admin"])
    for name, route in LISTS.items():
        if not (route.page and route.url):
            continue
        seen = []
        for query in route.queries:
            page = _page_ids(client.get(f"{route.page}?{query}"), (name, query))
            api = _api_ids(client.get(f"{route.url}?{query}"), route)
            assert page == api, (name, query, page, api)
            seen.append(tuple(api))
        if len(route.queries) > 1:
            assert any(seen) and len(set(seen)) > 1, (name, "no filter narrows the list", seen)


def test_a_bad_filter_value_is_refused_on_both(world, client_for):
    client = client_for(world["admin"])
    for name, route in LISTS.items():
        if not route.bad:
            continue
        api = client.get(f"{route.url}?{route.bad}")
        assert api.status_code in (400, 422), (name, api.status_code)
        assert json.loads(api.content)["code"] == "invalid"
        page = client.get(f"{route.page}?{route.bad}")
        assert page.status_code in (200, 400), (name, page.status_code)
        text = page.content.decode()
        assert 'class="errorlist filter-errors"' in text or "msg-error" in text, name
        assert not ROW.findall(text), name


def _function(dotted: str):
    module, _sep, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def _params_read(function) -> set[str]:
    """The query parameters a view reads by name from request.GET."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))
    names = set()
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("get", "getlist") and ast.unparse(node.func.value).endswith(
                "request.GET"
            ):
                target = node.args[0] if node.args else None
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("request.GET"):
            target = node.slice
        if target is not None:
            names.add(target.value if isinstance(target, ast.Constant) else ast.unparse(target))
    return names


def _view_modules():
    for pattern in ("*/views.py", "*/*_views.py", "*/api.py", "*/*_api.py"):
        yield from sorted(ROOT.glob(pattern))


def test_no_view_reads_a_filter_parameter_itself():
    """Across every page and API module: request.GET is read by name only for paging or a reason
    listed in READS, and otherwise handed whole to a filter of filters.py."""
    found = []
    for path in _view_modules():
        name = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if ast.unparse(node) != "request.GET":
                    continue
                use = parents[node]
                call = parents.get(use)
                if isinstance(use, ast.Call) and re.search(r"Filter$", ast.unparse(use.func)):
                    continue  # handed to a filter
                if isinstance(use, ast.Attribute) and use.attr in ("get", "getlist") and call:
                    key = call.args[0].value if call.args else ""
                    if key in PAGING or (name, function.name, key) in READS:
                        continue
                if isinstance(use, ast.Attribute) and use.attr in ("copy", "urlencode"):
                    continue  # a copy handed on (a page's default tab), or the same query
                shown = ast.unparse(call if isinstance(call, ast.Call) else use)
                found.append(f"{name}:{function.lineno} {function.name}: {shown}")
    assert not found, "filter through the list's filters.py:\n" + "\n".join(found)


def _view_of(operation_id: str) -> str:
    """ "gridgov_cases_api_list_cases" -> "gridgov.cases.api:list_cases" (ninja's default ids);
    module names may hold underscores themselves (api_<section>.py)."""
    import sys

    candidates = sorted(
        (name for name in sys.modules if name.startswith("gridgov.")), key=len, reverse=True
    )
    for module in candidates:
        prefix = module.replace(".", "_") + "_"
        if operation_id.startswith(prefix) and hasattr(
            sys.modules[module], operation_id[len(prefix) :]
        ):
            return f"{module}:{operation_id[len(prefix) :]}"
    raise AssertionError(f"no view for the operation {operation_id}")


def test_list_views_filter_only_through_filters_py():
    from gridgov.api import api

    for name, route in LISTS.items():
        views = [_function(route.api)] if route.api else []
        if route.page:
            views.append(resolve(route.page).func)
        for view in views:
            source = inspect.getsource(inspect.unwrap(view))
            assert re.search(r"\b\w*Filter\(", source), (name, view.__name__, "no filter")
            assert _params_read(view) <= PAGING, (name, view.__name__, _params_read(view))
    listed = {route.api for route in LISTS.values() if route.api}
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        function = _view_of(get["operationId"])
        assert function in listed or function in NOT_LISTS, (
            f"{path} ({function}) is a new GET route: list it in LISTS with its filter, or say "
            "in NOT_LISTS why it is no list"
        )
