"""Entries of the shared meta-tests for disputes, screening and hazards (gridgov/tests/sections.py).

The ledger exports are listed in EXPORT_ROUTES; their access-log rows and refusals are tested in
test_disputes_pages.py (the shared export test's fixture holds no dispute or hazard to export).
"""

from gridgov.tests.sections import ListRoute

LISTS = {
    "disputes": ListRoute(
        "/lines/disputes/",
        "gridgov.lines.api_disputes:list_disputes",
        "/api/v1/disputes",
        queries=("", "risk=high", "area=410105002", "q=漏水", "flagged=true", "kind=family"),
        bad="kind=nonsense",
    ),
    "screenings": ListRoute(
        "/lines/screenings/",
        "gridgov.lines.api_disputes:list_screenings",
        "/api/v1/screenings",
        queries=("", "state=none", "area=410105001"),
        bad="state=nonsense",
    ),
    "hazards": ListRoute(
        "/lines/hazards/",
        "gridgov.lines.api_disputes:list_hazards",
        "/api/v1/hazards",
        queries=("", "grade=major", "supervised=true", "area=410105001"),
        bad="grade=nonsense",
    ),
}

NOT_LISTS = {
    "gridgov.lines.api_disputes:lines_board": "figures of one area",
    "gridgov.lines.api_disputes:plans": "the checklists of the active plans, not scoped",
}

EXPORT_ROUTES = {"lines:export_disputes", "lines:export_hazards"}


def list_rows(users, admin) -> None:
    """Disputes, screenings and hazards in both streets for the page/API comparison."""
    from gridgov.lines.services import disputes as ds
    from gridgov.lines.tests.disputes_helpers import POINT_B, dispute, inspect, plan, shop

    dispute(users["op_a"], "漏水纠纷", "41010500100101", risk="high")
    dispute(users["op_a"], "欠薪纠纷", "41010500100102")
    dispute(users["op_b"], "噪音纠纷", "41010500200101")
    ds.create_screenings(actor=admin)
    from gridgov.lines.models import ScreeningTask

    task = ScreeningTask.objects.filter(area_code="41010500100101").first()
    if task is not None:
        ds.complete_screening(task, actor=admin, found=False)
    the_plan = plan(admin)
    inspect(admin, the_plan, shop(admin, "列表甲店"))
    inspect(admin, the_plan, shop(admin, "列表乙店", point=POINT_B), fail="灭火器在有效期内")
