"""The cockpit's business-lines panel: disputes and hazards of the area shown, counted through
the same restriction as the lines' own board (street B's never reach street A's cockpit)."""

import pytest

from gridgov.lines.tests.disputes_helpers import POINT_B, dispute, inspect, plan, shop

pytestmark = pytest.mark.django_db

GRID_A, GRID_B = "41010500100101", "41010500200101"


def lines_of(client, area: str = "") -> dict:
    answer = client.get(f"/api/v1/cockpit?area={area}" if area else "/api/v1/cockpit")
    assert answer.status_code == 200, answer.content
    return answer.json()["lines"]


def test_disputes_and_hazards_of_the_area_on_the_cockpit(users, tree, client_for):
    dispute(users["op_a"], "甲街道邻里纠纷", GRID_A)
    dispute(users["op_b"], "乙街道群体纠纷", GRID_B, risk="group")  # escalated
    the_plan = plan(users["admin"])
    inspect(users["op_a"], the_plan, shop(users["op_a"], "甲五金店"))  # fails a major item
    inspect(users["op_b"], the_plan, shop(users["op_b"], "乙饭馆", point=POINT_B))

    district = client_for(users["district"])
    street_a = lines_of(district, "410105001")
    assert street_a == {
        "open_disputes": 1,
        "flagged_disputes": 0,
        "mediation_success_rate": None,
        "open_hazards": 1,
        "major_hazards": 1,
        "overdue_rectifications": 0,
    }
    whole = lines_of(district)
    assert (whole["open_disputes"], whole["flagged_disputes"], whole["open_hazards"]) == (2, 1, 2)
    # Street A's operator: their own street only, whatever they ask for.
    assert lines_of(client_for(users["op_a"])) == street_a
    assert client_for(users["op_a"]).get("/api/v1/cockpit?area=410105002").status_code == 404
