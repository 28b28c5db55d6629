"""The hotline entry's look-up of a caller's earlier reports: by phone number (its blind index),
only among the cases the operator may see, open ones first; refused to anyone who takes no calls."""

import pytest

from gridgov.cases import services
from gridgov.cases.models import Case, Status

pytestmark = pytest.mark.django_db

PHONE = "13812340000"


def report(actor, grid, text: str, phone: str = PHONE) -> Case:
    case, _ = services.report_case(
        actor=actor,
        channel="hotline",
        description=text,
        title=text,
        lon=grid.label_lon,
        lat=grid.label_lat,
        reporter_name="来电人",
        reporter_phone=phone,
    )
    return case


def test_a_callers_earlier_reports_open_first_within_scope(client_for, users, tree):
    grid_a, grid_b = tree.grids[0], tree.grids[-1]
    assert grid_a.code[:9] != grid_b.code[:9]  # two streets
    closed = report(users["op_a"], grid_a, "甲街道上次的问题")
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    opened = report(users["op_a"], grid_a, "甲街道还在办的问题")
    report(users["op_a"], grid_a, "别人的问题", phone="13999990000")
    report(users["op_b"], grid_b, "乙街道的问题")

    answer = client_for(users["op_a"]).get(f"/api/v1/cases/by-caller?phone={PHONE}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    assert [(c["id"], c["open"]) for c in body["items"]] == [(opened.pk, True), (closed.pk, False)]
    assert body["items"][1]["status_label"] and "乙街道的问题" not in [
        c["title"] for c in body["items"]
    ]
    # Live: the district sees street B's call from the same number as well.
    wide = client_for(users["admin"]).get(f"/api/v1/cases/by-caller?phone={PHONE}").json()
    assert wide["count"] == 3 and "乙街道的问题" in [c["title"] for c in wide["items"]]


def test_only_command_staff_look_up_callers_and_bad_numbers_get_a_4xx(client_for, users, tree):
    report(users["op_a"], tree.grids[0], "甲街道的问题")
    refused = client_for(users["member_a"]).get(f"/api/v1/cases/by-caller?phone={PHONE}")
    assert refused.status_code == 403
    api = client_for(users["op_a"])
    for bad in ("abc", "1", "1" * 21, "138%00", ""):
        answer = api.get("/api/v1/cases/by-caller", {"phone": bad})
        assert 400 <= answer.status_code < 500, (bad, answer.status_code)
    assert api.get("/api/v1/cases/by-caller").status_code in (400, 422)
