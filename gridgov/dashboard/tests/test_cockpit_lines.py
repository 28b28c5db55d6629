"""The cockpit's business-lines panel: disputes and hazards of the area shown, counted through
the same restriction as the lines' own board (street B's never reach street A's cockpit)."""

import io

import pytest
from openpyxl import load_workbook

from gridgov.accounts.permissions import Role
from gridgov.assessment import periods
from gridgov.assessment.models import LineTally
from gridgov.conftest import make_user
from gridgov.lines.services import disputes as ds
from gridgov.lines.tests import populations_world as pw
from gridgov.lines.tests.disputes_helpers import POINT_B, dispute, inspect, plan, shop

pytestmark = pytest.mark.django_db

GRID_A, GRID_B = "41010500100101", "41010500200101"


def lines_of(client, area: str = "") -> dict:
    answer = client.get(f"/api/v1/cockpit?area={area}" if area else "/api/v1/cockpit")
    assert answer.status_code == 200, answer.content
    return answer.json()["lines"]


def counted(rows: list[dict]) -> dict:
    return {r["code"]: r["count"] for r in rows if r["count"]}


def test_disputes_and_hazards_of_the_area_on_the_cockpit(users, tree, client_for):
    dispute(users["op_a"], "甲街道邻里纠纷", GRID_A)
    dispute(users["op_b"], "乙街道群体纠纷", GRID_B, risk="group")  # escalated
    the_plan = plan(users["admin"])
    inspect(users["op_a"], the_plan, shop(users["op_a"], "甲五金店"))  # fails a major item
    inspect(users["op_b"], the_plan, shop(users["op_b"], "乙饭馆", point=POINT_B))

    district = client_for(users["district"])
    street_a = lines_of(district, "410105001")
    brief = {k: v for k, v in street_a.items() if not isinstance(v, list)}
    assert brief == {
        "open_disputes": 1,
        "flagged_disputes": 0,
        "mediation_success_rate": None,
        "open_hazards": 1,
        "major_hazards": 1,
        "overdue_rectifications": 0,
    }
    assert counted(street_a["disputes_by_kind"]) == {"neighbourhood": 1}
    assert counted(street_a["disputes_by_stage"]) == {"registered": 1}
    assert counted(street_a["open_hazards_by_grade"]) == {"major": 1}
    assert [r["code"] for r in street_a["disputes_by_stage"]][-1] == "closed"  # every stage named
    assert all(r["name"] and r["name"] != r["code"] for r in street_a["disputes_by_kind"])
    whole = lines_of(district)
    assert (whole["open_disputes"], whole["flagged_disputes"], whole["open_hazards"]) == (2, 1, 2)
    # Street A's operator: their own street only, whatever they ask for.
    assert lines_of(client_for(users["op_a"])) == street_a
    assert client_for(users["op_a"]).get("/api/v1/cockpit?area=410105002").status_code == 404


def _lines_world(users) -> None:
    """Street A: a dispute closed successfully, one being mediated, a major hazard, the
    rectifications and visits rolled up this month; street B: an escalated dispute, a hazard, a
    special-population record that lost contact (populations_world)."""
    pw.build(users)  # A: severe mental disorder risk 1; B: key youth risk 1, lost contact
    done = dispute(users["op_a"], "甲街道已调解", GRID_A)
    ds.close_dispute(done, actor=users["op_a"], success=True, note="和解")
    dispute(users["op_a"], "甲街道劳资纠纷", GRID_A)
    dispute(users["op_b"], "乙街道群体纠纷", GRID_B, risk="group")
    the_plan = plan(users["admin"])
    inspect(users["op_a"], the_plan, shop(users["op_a"], "甲五金店"))
    inspect(users["op_b"], the_plan, shop(users["op_b"], "乙饭馆", point=POINT_B))
    this = periods.last_months(1)[0]
    for code in ("410105", "410105001"):  # the district's roll-up holds street A's
        LineTally.objects.create(
            month=this,
            area_code=code,
            rectify_due=4,
            rectify_on_time=3,
            special_visits_due=2,
            special_visits_on_time=1,
        )


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return {ws.title: list(ws.iter_rows(min_row=2, values_only=True)) for ws in book.worksheets}


def test_cockpit_export_carries_the_lines_figures_of_the_api(users, tree, client_for):
    """The Excel export's business-line sheets decode to the API's figures, for the reader's
    area only; special populations only for a holder of that right."""
    _lines_world(users)
    op_a = client_for(users["op_a"])
    api = op_a.get("/api/v1/cockpit").json()
    lines, pops = api["lines"], api["populations"]
    assert lines["open_disputes"] == 1 and lines["mediation_success_rate"] == 1.0
    assert lines["rectification"][-1] == {
        "month": periods.last_months(1)[0],
        "due": 4,
        "on_time": 3,
        "rate": 0.75,
    }
    sheets = _sheets(op_a.get("/cockpit/export.xlsx"))
    assert "综治业务" in sheets, list(sheets)
    summary = {r[0]: r[1:] for r in sheets["综治业务"]}
    assert summary["在调纠纷"][0] == lines["open_disputes"]
    assert summary["风险升级"][0] == lines["flagged_disputes"] == 0  # street B's is not here
    assert summary["调解成功率"][2] == lines["mediation_success_rate"]
    assert summary["未整改隐患"][0] == lines["open_hazards"] == 1
    assert summary["重大隐患"][0] == lines["major_hazards"]
    assert summary["逾期未整改"][0] == lines["overdue_rectifications"]
    month = lines["rectification"][-1]
    assert summary[f"按期整改 {month['month']}"] == (3, 4, 0.75)
    assert summary["在管特殊人群"][0] == pops["total"] == 1
    assert summary["失联脱管"][0] == pops["lost_contact"] == 0
    visits = pops["visits"][-1]
    assert summary[f"按时走访 {visits['month']}"] == (1, 2, 0.5)
    by_kind = {r[0]: r[1] for r in sheets["纠纷类型分布"]}
    assert by_kind == {r["name"]: r["count"] for r in lines["disputes_by_kind"]}
    assert by_kind["邻里纠纷"] == 2
    by_stage = {r[0]: r[1] for r in sheets["纠纷办理阶段"]}
    assert by_stage == {r["name"]: r["count"] for r in lines["disputes_by_stage"]}
    grades = {r[0]: r[1] for r in sheets["未销号隐患（按等级）"]}
    assert grades == {r["name"]: r["count"] for r in lines["open_hazards_by_grade"]}
    people = sheets["特殊人群"]
    assert [(r[0], r[2], r[3 + 1]) for r in people] == [
        (c["name"], c["total"], c["by_risk"][1]) for c in pops["categories"]
    ]
    assert len(people) == 1  # street B's key youth is not in street A's sheet
    # the district sees both streets; the leader sees the lines but no special populations
    district = _sheets(client_for(users["district"]).get("/cockpit/export.xlsx"))
    assert {r[0]: r[1] for r in district["综治业务"]}["风险升级"] == 1
    assert len(district["特殊人群"]) == 2
    leader = _sheets(client_for(users["leader"]).get("/cockpit/export.xlsx"))
    assert "特殊人群" not in leader and "在管特殊人群" not in {r[0] for r in leader["综治业务"]}
    assert client_for(users["op_a"]).get("/cockpit/export.xlsx?area=410105002").status_code == 404


def test_phone_cockpit_shows_the_lines(users, tree, client_for):
    """The leader's phone cockpit (/m/) has the desk cockpit's lines figures; special
    populations only for a reader holding that right (here a superuser leader)."""
    _lines_world(users)
    leader = users["leader"]
    html = client_for(leader).get("/m/").content.decode()
    assert 'id="m-ck-disputes"' in html and 'id="m-ck-hazards"' in html
    assert "邻里纠纷" in html and "调解成功" in html and "75%" in html and "100%" in html
    assert 'id="m-ck-populations"' not in html
    street_b = make_user("leader_b", Role.LEADER, ["410105002"])
    narrow = client_for(street_b).get("/m/").content.decode()
    assert 'id="m-ck-disputes"' in narrow and "乙街道" not in narrow
    assert "75%" not in narrow and "100%" not in narrow  # street A's roll-up and closed dispute
    leader.is_superuser = True
    leader.save(update_fields=["is_superuser"])
    wide = client_for(leader).get("/m/").content.decode()
    assert 'id="m-ck-populations"' in wide and "严重精神障碍患者" in wide
    assert "失联" in wide
