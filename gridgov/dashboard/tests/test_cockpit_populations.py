"""The cockpit's special-population panel (counts by category and risk, lost contact, visits
overdue, visits on time this month and last — only for holders of the special-population right)
and the foreign-affairs cockpit (its own right; nationality, registration, expiry, areas below)."""

import datetime

import pytest
from django.utils import timezone

from gridgov.assessment import periods
from gridgov.assessment.models import LineTally
from gridgov.lines.services import rentals
from gridgov.lines.tests import populations_world as pw

pytestmark = pytest.mark.django_db

STREET_A, STREET_B = "410105001", "410105002"


def _get(client, url: str) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_special_populations_panel_by_right_and_area(users, tree, client_for):
    pw.build(users)  # A: severe mental disorder, risk 1; B: key youth, risk 1, lost contact
    last, this = periods.last_months(2)
    LineTally.objects.create(
        month=this, area_code=STREET_A, special_visits_due=4, special_visits_on_time=3
    )
    LineTally.objects.create(
        month=last, area_code=STREET_A, special_visits_due=2, special_visits_on_time=2
    )

    whole = _get(client_for(users["district"]), "/api/v1/cockpit")["populations"]
    assert (whole["total"], whole["lost_contact"]) == (2, 1)
    assert {c["code"]: c["by_risk"][:2] for c in whole["categories"]} == {
        "mental": [0, 1],
        "key_youth": [0, 1],
    }
    mental = next(c for c in whole["categories"] if c["code"] == "mental")
    assert len(mental["by_risk"]) == 6  # levels 0–5 of the national rule
    assert mental["name"] and mental["name"] != "mental"

    op_a = client_for(users["op_a"])
    street = _get(op_a, "/api/v1/cockpit")["populations"]
    assert (street["total"], street["lost_contact"]) == (1, 0)
    assert [c["code"] for c in street["categories"]] == ["mental"]
    assert street["visits"] == [
        {"month": last, "due": 2, "on_time": 2, "rate": 1.0},
        {"month": this, "due": 4, "on_time": 3, "rate": 0.75},
    ]
    page = op_a.get("/cockpit/").content.decode()
    assert 'id="pops-panel"' in page

    # the leader may see the cockpit but not special-population records: no panel, no figures
    leader = client_for(users["leader"])
    assert _get(leader, "/api/v1/cockpit")["populations"] is None
    assert 'id="pops-panel"' not in leader.get("/cockpit/").content.decode()


def foreign_stays(users: dict, house) -> None:
    """Three more foreigners in street A: registered late with a visa expiring, registered in
    time (a nationality typed as a name), not registered with the visa expired."""
    now, today = timezone.now(), timezone.localdate()
    for passport, nationality, arrived_h, registered_h, visa_days in (
        ("KRA001", "KR", 72, 50, 10),
        ("KRA002", "韩国", 72, 5, 100),
        ("USA001", "USA", 48, None, -3),
    ):
        person = pw._person(
            users["admin"], "外籍" + passport, passport, house, registration="overseas",
            nationality=nationality,
        )  # fmt: skip
        rentals.record_stay(
            person,
            actor=users["admin"],
            nationality=nationality,
            arrived_at=now - datetime.timedelta(hours=arrived_h),
            registered_at=now - datetime.timedelta(hours=registered_h) if registered_h else None,
            visa_expiry=today + datetime.timedelta(days=visa_days),
        )


def test_foreign_affairs_cockpit(users, tree, client_for):
    world = pw.build(users)  # A: Freedonia, arrived 2 h ago; B: Ruritania; neither registered
    foreign_stays(users, world["house_a"])

    district = _get(client_for(users["district"]), "/api/v1/cockpit/foreign")
    assert district["area"]["code"] == "410105"
    assert district["total"] == 5
    streets = {a["code"]: a for a in district["areas"]}
    assert (streets[STREET_A]["total"], streets[STREET_B]["total"]) == (4, 1)
    assert streets[STREET_B]["awaiting"] == 1

    op_a = client_for(users["op_a"])
    street = _get(op_a, "/api/v1/cockpit/foreign")
    assert street["area"]["code"] == STREET_A
    counts = {k: street[k] for k in ("total", "registered_on_time", "registered_late")}
    assert counts == {"total": 4, "registered_on_time": 1, "registered_late": 1}
    assert (street["unregistered"], street["awaiting"]) == (1, 1)
    assert (street["expiring"], street["expired"]) == (1, 1)
    # names of countries, not codes: "KR" and "韩国" are one country
    nations = {n["name"]: n["count"] for n in street["by_nationality"]}
    assert nations == {"韩国": 2, "美国": 1, "Freedonia": 1}
    assert "Ruritania" not in str(street)
    assert sum(a["total"] for a in street["areas"]) == 4  # its communities

    # another street answers 404; without the right 403 (page and API)
    assert op_a.get(f"/api/v1/cockpit/foreign?area={STREET_B}").status_code == 404
    assert op_a.get(f"/cockpit/foreign/?area={STREET_B}").status_code == 404
    member = client_for(users["member_a"])
    assert member.get("/api/v1/cockpit/foreign").status_code == 403
    assert member.get("/cockpit/foreign/").status_code == 403
    assert 'id="tab-foreign"' not in member.get("/cockpit/").content.decode()
    page = op_a.get("/cockpit/foreign/").content.decode()
    assert 'id="tab-foreign"' in page and "dashboard/foreign.js" in page
