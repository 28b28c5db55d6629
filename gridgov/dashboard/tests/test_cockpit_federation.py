"""The city cockpit's federation panel, from facts stored as the members pushed them: the
districts side by side (names, this month's counts and rates, open now, escalated, the trend),
only the members inside the reader's scope, none on a platform without members, the page's
panel and the ETag polling. (The same panel over two live district platforms:
exchange/tests/test_federation_live.py.)"""

import pytest

from gridgov.assessment import periods
from gridgov.cases.services.intake import report_case
from gridgov.cases.tests.conftest import POINT_A, taxonomy  # noqa: F401 (fixture)
from gridgov.exchange.models import FederationLink, MemberCaseFact
from gridgov.exchange.models.federation import LinkRole
from gridgov.exchange.services import federation

STREET_A, STREET_B = "410105001", "410105002"


def fact(member, local_id: str, month: str, status: str, **measures) -> None:
    MemberCaseFact.objects.create(
        member=member,
        local_id=local_id,
        version=1,
        area_code=member.area_code + "00101",
        month=month,
        status=status,
        measures={"reports": 1, "valid": 1, **measures},
    )


@pytest.fixture
def members(users, taxonomy):  # noqa: F811
    admin = users["admin"]
    a, _key = federation.register_member(
        admin, name="甲平台", area_code=STREET_A, url="https://a.example.gov.cn"
    )
    b, _key = federation.register_member(
        admin, name="乙平台", area_code=STREET_B, url="https://b.example.gov.cn"
    )
    month = periods.current_month()
    before = periods.previous(month)
    done = {"closed": 1, "close_done": 1}
    fact(a, "1", month, "closed", **done, close_on_time=1, satisfaction_sum=5, satisfaction_count=1)
    fact(a, "2", month, "closed", **done, satisfaction_sum=3, satisfaction_count=1)
    fact(a, "3", month, "dispatched")
    fact(a, "4", before, "handling")  # open since last month
    fact(b, "1", month, "rejected", valid=0)  # rejected: neither valid nor open
    fact(b, "2", before, "closed", **done, close_on_time=1)
    case, _ = report_case(
        actor=users["member_a"],
        channel="grid_member",
        description="占道",
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    FederationLink.objects.create(
        case=case, role=LinkRole.FROM_MEMBER, peer=STREET_A, remote_id="9", area_code=case.area_code
    )
    return {"a": a, "b": b, "month": month, "before": before}


def panel(client, area: str = "") -> dict | None:
    answer = client.get("/api/v1/cockpit/federation" + (f"?area={area}" if area else ""))
    assert answer.status_code == 200, answer.content
    assert answer["ETag"]
    return answer.json()


def test_the_districts_side_by_side(members, users, client_for):
    data = panel(client_for(users["admin"]), "410105")
    assert data["month"] == members["month"]
    a, b = data["members"]
    assert (a["area_code"], a["name"], b["name"]) == (STREET_A, "经八路街道", "花园路街道")
    assert {k: a[k] for k in ("reports", "closed", "open", "escalated")} == {
        "reports": 3,
        "closed": 2,
        "open": 2,  # case 3 of this month and case 4 of last month
        "escalated": 1,
    }
    assert (a["closing_rate"], a["on_time_rate"], a["satisfaction"]) == (2 / 3, 0.5, 4.0)
    assert {k: b[k] for k in ("reports", "closed", "open", "escalated")} == {
        "reports": 1,
        "closed": 0,
        "open": 0,
        "escalated": 0,
    }
    assert (b["closing_rate"], b["on_time_rate"], b["satisfaction"]) == (None, None, None)
    trend_b = {m["month"]: (m["reports"], m["closed"]) for m in b["trend"]}
    assert len(b["trend"]) == 6 and b["trend"][-1]["month"] == members["month"]
    assert trend_b[members["before"]] == (1, 1) and trend_b[members["month"]] == (1, 0)
    # the cockpit's own answer carries the same panel
    whole = client_for(users["admin"]).get("/api/v1/cockpit?area=410105").json()
    assert whole["federation"] == data


def test_a_reader_sees_only_the_members_in_scope(members, users, client_for):
    mine = panel(client_for(users["op_a"]))
    assert [m["area_code"] for m in mine["members"]] == [STREET_A]
    assert "花园路街道" not in str(mine)
    answer = client_for(users["op_a"]).get(f"/api/v1/cockpit/federation?area={STREET_B}")
    assert answer.status_code == 404
    # the administrator narrowed to street B sees member B only
    only_b = panel(client_for(users["admin"]), STREET_B)
    assert [m["name"] for m in only_b["members"]] == ["花园路街道"]


def test_no_panel_without_members(users, client_for):
    client = client_for(users["admin"])
    assert panel(client, "410105") is None
    assert client.get("/api/v1/cockpit?area=410105").json()["federation"] is None
    page = client.get("/cockpit/?area=410105").content.decode()
    assert "federation-panel" not in page


def test_the_page_polls_the_panel_with_etags(members, users, client_for):
    client = client_for(users["admin"])
    page = client.get("/cockpit/?area=410105").content.decode()
    assert 'id="federation-panel"' in page and "with-fed" in page
    first = client.get("/api/v1/cockpit/federation?area=410105")
    etag = first["ETag"]
    again = client.get("/api/v1/cockpit/federation?area=410105", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    fact(members["b"], "3", members["month"], "dispatched")  # a new fact arrives
    changed = client.get("/api/v1/cockpit/federation?area=410105", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["members"][1]["reports"] == 2
    # another reader's fingerprint differs, so a cached answer never crosses scopes
    other = client_for(users["op_a"]).get(
        "/api/v1/cockpit/federation?area=410105001", HTTP_IF_NONE_MATCH=changed["ETag"]
    )
    assert other.status_code == 200
