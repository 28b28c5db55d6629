"""The cockpit's figures on 20 October 2026, after the October cases were rolled up: the JSON
for the district and for street A, scope, the page and the Excel export."""

import datetime
import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import (  # noqa: F401 (fixtures)
    OCTOBER,
    TZ,
    loop,
    october,
    taxonomy,
)

TODAY = datetime.datetime(2026, 10, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def rolled(october):  # noqa: F811
    with time_machine.travel(TODAY):
        roll_up()
        yield october


def cockpit(client, area: str = "") -> dict:
    response = client.get(f"/api/v1/cockpit?area={area}" if area else "/api/v1/cockpit")
    assert response.status_code == 200, response.content
    return response.json()


def funnel(data: dict) -> dict:
    return {step["step"]: step["count"] for step in data["funnel"]}


def test_the_district(rolled, client_for):
    data = cockpit(client_for(rolled["district"]))
    assert data["area"] == {"code": "410105", "name": "金水区", "level": "district"}
    assert [c["code"] for c in data["breadcrumb"]] == ["410105"]
    assert data["month"] == OCTOBER
    assert data["rolled_at"].startswith("2026-10-20T10:0")
    assert data["counts"] == {
        "today_reports": 0,
        "today_closed": 0,
        "month_reports": 5,
        "month_closed": 3,  # cases 1, 3 and 4; case 2 was rejected, not closed
        "open": 1,  # street B's case, accepted only …
        "overdue": 1,  # … and past its deadline by now
        "red_open": 0,
    }
    assert funnel(data) == {
        "reports": 5,
        "valid": 4,
        "filed": 2,
        "dispatched": 2,
        "handled": 2,
        "closed": 3,
    }
    assert all(re.search(r"[\u4e00-\u9fff]", step["label"]) for step in data["funnel"])

    # Trends: 30 days ending today, 12 months ending this month.
    days = data["trend_days"]
    assert len(days) == 30 and days[-1]["day"] == "2026-10-20" and days[0]["day"] == "2026-09-21"
    per_day = {d["day"]: (d["reports"], d["closed"]) for d in days if d["reports"] or d["closed"]}
    # Cases 1 and 4 closed on the 12th; case 3 after its late handling on the 15th.
    assert per_day == {"2026-10-12": (4, 2), "2026-10-13": (1, 0), "2026-10-15": (0, 1)}
    months = data["trend_months"]
    assert len(months) == 12 and months[0]["month"] == "2025-11" and months[-1]["month"] == OCTOBER
    assert months[-1] == {"month": OCTOBER, "reports": 5, "closed": 3, "on_time_rate": 1.0}
    assert all(m["reports"] == 0 and m["on_time_rate"] is None for m in months[:-1])
    assert sum(d["closed"] for d in days) == data["counts"]["month_closed"]

    # The streets below, for the map, and ranked.
    children = data["children"]
    assert children["level"] == "street"
    streets = {a["code"]: a for a in children["areas"]}
    assert set(streets) == {"410105001", "410105002"}
    assert (streets["410105001"]["name"], streets["410105001"]["reports"]) == ("经八路街道", 4)
    assert (streets["410105001"]["open"], streets["410105001"]["overdue_rate"]) == (0, 0.0)
    assert (streets["410105002"]["reports"], streets["410105002"]["open"]) == (1, 1)
    assert streets["410105002"]["overdue_rate"] == 1.0
    assert streets["410105002"]["per_1000"] is None  # nobody registered yet
    assert [(r["rank"], r["key"], r["score"], r["grade"]) for r in data["ranking"]] == [
        (1, "410105001", 80.0, "B"),
        (2, "410105002", 16.7, "E"),
    ]
    assert [(t["code"], t["count"]) for t in data["top_classes"]] == [("C01", 4), ("E01", 1)]
    assert len(data["heat"]) == 5
    assert data["red_cards"] == []
    assert data["registry"]["people"] == 0


def test_street_a(rolled, client_for):
    data = cockpit(client_for(rolled["district"]), "410105001")
    assert data["area"]["code"] == "410105001"
    assert [c["code"] for c in data["breadcrumb"]] == ["410105", "410105001"]
    counts = data["counts"]
    assert (counts["month_reports"], counts["month_closed"], counts["open"]) == (4, 3, 0)
    assert funnel(data) == {
        "reports": 4,
        "valid": 3,
        "filed": 2,
        "dispatched": 2,
        "handled": 2,
        "closed": 3,
    }
    assert data["children"]["level"] == "community"
    assert {a["code"]: a["reports"] for a in data["children"]["areas"]} == {
        "410105001001": 4,
        "410105001002": 0,
    }
    assert [(r["key"], r["score"]) for r in data["ranking"]] == [("410105001001", 80.0)]
    assert len(data["trend_days"]) == 30 and len(data["trend_months"]) == 12
    assert data["trend_months"][-1]["reports"] == 4
    assert data["rolled_at"]

    # Street A's own operator opens on street A; the district is not in the breadcrumb.
    own = cockpit(client_for(rolled["op_a"]))
    assert own["area"]["code"] == "410105001"
    assert [c["code"] for c in own["breadcrumb"]] == ["410105001"]
    assert own["counts"] == counts


def test_a_grid_has_no_areas_below(rolled, client_for):
    data = cockpit(client_for(rolled["district"]), "41010500100101")
    assert data["children"] == {"level": "", "areas": []}
    assert data["ranking"] == []
    # Daily and class tallies are kept above the grid; a grid's are counted from its facts.
    counts = data["counts"]
    assert (counts["month_reports"], counts["month_closed"], counts["open"]) == (4, 3, 0)
    per_day = {d["day"]: (d["reports"], d["closed"]) for d in data["trend_days"]}
    assert per_day["2026-10-12"] == (4, 2) and per_day["2026-10-15"] == (0, 1)
    assert sum(r for r, _c in per_day.values()) == 4
    assert [(t["code"], t["count"]) for t in data["top_classes"]] == [("C01", 3), ("E01", 1)]
    assert funnel(data)["reports"] == 4
    empty = cockpit(client_for(rolled["district"]), "41010500100102")
    assert empty["counts"]["month_reports"] == 0 and empty["top_classes"] == []
    assert not any(d["reports"] or d["closed"] for d in empty["trend_days"])


def test_a_street_b_operator_sees_nothing_of_street_a_or_the_district(rolled, client_for):
    op_b = client_for(rolled["op_b"])
    for area in ("410105001", "410105", "41010500100101", "999999"):
        response = op_b.get(f"/api/v1/cockpit?area={area}")
        assert response.status_code == 404, area
        assert response.json()["code"] == "not_found"
        assert op_b.get(f"/cockpit/?area={area}").status_code == 404
        assert op_b.get(f"/cockpit/export.xlsx?area={area}").status_code == 404
    data = cockpit(op_b)
    assert data["area"]["code"] == "410105002"
    assert data["counts"]["month_reports"] == 1
    text = str(data)
    assert "经八" not in text and "410105001" not in text


def test_the_page(rolled, client_for):
    response = client_for(rolled["district"]).get("/cockpit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-area="410105"' in html and "金水区" in html
    assert 'id="ck-map"' in html and 'id="map-settings"' in html
    assert "vendor/echarts/echarts.min.js" in html and "dashboard/cockpit.js" in html
    # the ranking is of the running month: marked as such
    ranking = re.search(r'<section class="ck-panel ck-ranking"><h2>(.*?)</h2>', html, re.S)[1]
    assert 'data-partial="1"' in ranking
    street = client_for(rolled["district"]).get("/cockpit/?area=410105001")
    assert 'data-area="410105001"' in street.content.decode()
    assert client_for(rolled["district"]).get("/cockpit/?area=999").status_code == 404


def test_the_excel_export(rolled, client_for):
    response = client_for(rolled["district"]).get("/cockpit/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 10  # the business lines' five after the cases' five
    summary, days, months, classes, below = book.worksheets[:5]
    figures = [r[1] for r in summary.iter_rows(min_row=2, values_only=True)]
    assert figures[:7] == ["金水区", "410105", 0, 5, 3, 1, 1]
    assert figures[7]  # figures as of
    day_rows = list(days.iter_rows(min_row=2, values_only=True))
    assert len(day_rows) == 30 and ("2026-10-12", 4, 2) in day_rows
    month_rows = list(months.iter_rows(min_row=2, values_only=True))
    assert len(month_rows) == 12 and month_rows[-1] == (OCTOBER, 5, 3)
    assert list(classes.iter_rows(min_row=2, values_only=True)) == [
        ("公用设施", 4),
        ("市容环境", 1),
    ]
    assert [r[:3] for r in below.iter_rows(min_row=2, values_only=True)] == [
        ("410105001", "经八路街道", 4),
        ("410105002", "花园路街道", 1),
    ]


def test_before_any_roll_up(october, client_for):  # noqa: F811
    with time_machine.travel(TODAY):
        data = cockpit(client_for(october["district"]))
    assert data["rolled_at"] is None
    assert data["counts"]["month_reports"] == 0 and data["ranking"] == []
    assert len(data["trend_days"]) == 30 and len(data["trend_months"]) == 12


def test_without_an_active_scheme_for_the_level_below_the_ranking_is_empty(rolled, client_for):
    """A cockpit answers with its other panels when no active scheme scores the areas below
    (a city that has not set one up yet); it was a 400 for the whole cockpit."""
    from gridgov.assessment.models import Scheme

    client = client_for(rolled["district"])
    assert cockpit(client)["ranking"]  # the streets are ranked while a scheme scores them
    Scheme.objects.update(active=False)
    data = cockpit(client)
    assert data["ranking"] == []
    assert data["counts"]["month_reports"] == 5
