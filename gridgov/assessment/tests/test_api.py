"""/api/v1/assessment/…: the October figures as JSON, errors in the API's one shape, and scope."""

import datetime

import pytest
import time_machine

from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import OCTOBER, TZ

API = "/api/v1/assessment"


@pytest.fixture
def rolled(october):
    with time_machine.travel(datetime.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)):
        roll_up()
        yield october


def by_code(payload: dict) -> dict:
    return {i["code"]: i for i in payload["indicators"]}


def test_indicators_of_street_a(rolled, client_for):
    response = client_for(rolled["district"]).get(
        f"{API}/indicators?kind=area&unit=410105001&period={OCTOBER}"
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["unit_kind"], data["unit_key"], data["name"]) == (
        "area",
        "410105001",
        "经八路街道",
    )
    assert (data["period"], data["months"]) == (OCTOBER, [OCTOBER])
    assert (data["score"], data["grade"], data["scheme"]) == (80.0, "B", "区域评价")
    assert data["previous_score"] is None
    ind = by_code(data)
    assert (ind["reports"]["value"], ind["reports"]["denominator"]) == (4, None)
    assert ind["reports"]["is_rate"] is False
    assert (ind["valid_rate"]["numerator"], ind["valid_rate"]["denominator"]) == (2, 3)
    assert ind["valid_rate"]["value"] == pytest.approx(2 / 3)
    assert ind["dispatch_accuracy"]["value"] == pytest.approx(2 / 3)  # 1 − returned 1 of 3
    assert (ind["rework_rate"]["value"], ind["rework_rate"]["numerator"]) == (0.5, 1)
    assert (ind["closing_rate"]["value"], ind["closing_rate"]["denominator"]) == (1.0, 3)
    assert ind["close_on_time"]["value"] == 1.0
    assert ind["yellow_cards"]["value"] == 1 and ind["red_cards"]["value"] == 0
    assert ind["satisfaction"]["value"] is None and ind["satisfaction"]["is_rate"] is False
    assert all(i["previous"] is None for i in data["indicators"] if i["is_rate"])


def test_indicators_of_a_department_a_person_and_a_quarter(rolled, client_for):
    client = client_for(rolled["district"])
    squad = client.get(
        f"{API}/indicators?kind=department&unit={rolled['squad'].pk}&period={OCTOBER}"
    ).json()
    assert (squad["score"], squad["scheme"]) == (75.0, "专业部门评价")
    assert by_code(squad)["handling_rate"]["numerator"] == 2
    member = client.get(
        f"{API}/indicators?kind=staff&unit={rolled['member_a'].pk}&period={OCTOBER}"
    ).json()
    assert (member["score"], member["grade"]) == (59.7, "D")
    assert by_code(member)["verify_on_time"]["denominator"] == 3
    quarter = client.get(f"{API}/indicators?kind=area&unit=410105&period=2026-Q4").json()
    assert quarter["months"] == ["2026-10", "2026-11", "2026-12"]
    assert by_code(quarter)["reports"]["value"] == 5
    year = client.get(f"{API}/indicators?kind=area&unit=410105002&period=2026").json()
    assert len(year["months"]) == 12 and by_code(year)["reports"]["value"] == 1


def test_rankings(rolled, client_for):
    client = client_for(rolled["district"])
    data = client.get(f"{API}/rankings?kind=area&level=street&period={OCTOBER}").json()
    assert (data["period"], data["previous_period"], data["scheme"]) == (
        OCTOBER,
        "2026-09",
        "区域评价",
    )
    assert [(r["rank"], r["key"], r["score"], r["grade"], r["reports"]) for r in data["rows"]] == [
        (1, "410105001", 80.0, "B", 4),
        (2, "410105002", 16.7, "E", 1),
    ]
    first, second = data["rows"]
    assert (first["closing_rate"], first["close_on_time"], first["yellow_cards"]) == (1.0, 1.0, 1)
    assert (second["closing_rate"], second["close_on_time"]) == (0.0, None)
    assert first["previous_rank"] is None and first["rank_change"] is None

    grids = client.get(
        f"{API}/rankings?kind=area&level=grid&parent=410105001&period={OCTOBER}"
    ).json()
    assert [r["key"] for r in grids["rows"]] == ["41010500100101"]
    departments = client.get(f"{API}/rankings?kind=department&level=&period={OCTOBER}").json()
    assert [(r["name"], r["score"]) for r in departments["rows"]] == [
        ("经八路街道综合行政执法中队", 75.0)
    ]
    staff = client.get(f"{API}/rankings?kind=staff&level=grid_member&period={OCTOBER}").json()
    assert [(r["name"], r["score"]) for r in staff["rows"]] == [
        ("member_b", 64.0),
        ("member_a", 59.7),
    ]
    # November has nothing yet: the rows are empty, not an error.
    november = client.get(f"{API}/rankings?kind=area&level=street&period=2026-11").json()
    assert november["rows"] == [] and november["previous_period"] == OCTOBER


def test_the_cases_behind_a_figure(rolled, client_for):
    one, two, three, four, _five = rolled["cases"]
    client = client_for(rolled["district"])

    def drill(indicator, part, unit="410105001", kind="area", **extra):
        query = f"kind={kind}&unit={unit}&indicator={indicator}&part={part}&period={OCTOBER}"
        query += "".join(f"&{k}={v}" for k, v in extra.items())
        response = client.get(f"{API}/cases?{query}")
        assert response.status_code == 200, response.content
        return response.json()

    below = drill("rework_rate", "denominator")
    assert below["count"] == 2 and {c["id"] for c in below["items"]} == {one.pk, three.pk}
    above = drill("rework_rate", "numerator")
    assert [(c["id"], c["number"], c["status"]) for c in above["items"]] == [
        (three.pk, three.number, "closed")
    ]
    valid = drill("closing_rate", "denominator")
    assert valid["count"] == 3 and {c["id"] for c in valid["items"]} == {one.pk, three.pk, four.pk}
    judged = drill("valid_rate", "denominator")
    assert {c["id"] for c in judged["items"]} == {one.pk, two.pk, three.pk}
    reports = drill("reports", "numerator", unit="410105")
    assert reports["count"] == 5
    page = drill("reports", "numerator", unit="410105", limit=2, offset=1)
    assert page["count"] == 5 and len(page["items"]) == 2
    late = drill("handle_on_time", "denominator", unit=rolled["handler"].pk, kind="staff")
    assert {c["id"] for c in late["items"]} == {one.pk, three.pk}
    on_time = drill("handle_on_time", "numerator", unit=rolled["handler"].pk, kind="staff")
    assert on_time["count"] == 2  # case 1, and case 3's second handling


@pytest.mark.parametrize(("kind", "unit"), [("area", "410105001"), ("staff", "member_a")])
def test_every_figure_is_the_count_of_the_cases_behind_it(rolled, client_for, kind, unit):
    """Per-case measures (not the stage counts, which count each handling): the figure and the
    drill-down agree, for an area and for the person who reported the cases."""
    from gridgov.assessment import queries
    from gridgov.assessment.indicators import INDICATORS
    from gridgov.assessment.models import STAGES

    client = client_for(rolled["district"])
    unit = rolled[unit].pk if kind == "staff" else unit
    data = client.get(f"{API}/indicators?kind={kind}&unit={unit}&period={OCTOBER}").json()
    checked = 0
    for row in data["indicators"]:
        ind = INDICATORS[row["code"]]
        for part, measure in (("numerator", ind.numerator), ("denominator", ind.denominator)):
            if (
                measure is None
                or measure.startswith(STAGES)
                or measure
                in (
                    *queries.NOT_FROM_CASE_FACTS,
                    "satisfaction_sum",
                    "satisfaction_count",
                )
            ):
                continue
            drill = client.get(
                f"{API}/cases?kind={kind}&unit={unit}&indicator={row['code']}&part={part}"
                f"&period={OCTOBER}"
            ).json()
            assert drill["count"] == row[part], (row["code"], part)
            checked += 1
    assert checked == 13
    if kind == "staff":
        closing = next(r for r in data["indicators"] if r["code"] == "closing_rate")
        assert (closing["numerator"], closing["denominator"], closing["value"]) == (3, 3, 1.0)


def test_card_counts(rolled, client_for):
    client = client_for(rolled["district"])
    data = client.get(f"{API}/cards?period={OCTOBER}").json()
    assert data["period"] == OCTOBER
    assert data["totals"] == {"red": 0, "yellow": 1}
    assert data["areas"] == [{"name": "经八路街道", "red": 0, "yellow": 1}]
    assert data["departments"] == [{"name": "经八路街道综合行政执法中队", "red": 0, "yellow": 1}]
    assert "latest" not in data
    street_b = client.get(f"{API}/cards?period={OCTOBER}&area=410105002").json()
    assert street_b["totals"] == {"red": 0, "yellow": 0} and street_b["areas"] == []
    assert client.get(f"{API}/cards?period=2026-09").json()["totals"] == {"red": 0, "yellow": 0}


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/indicators?kind=building&unit=410105001&period={OCTOBER}",
        f"{API}/rankings?kind=building&level=street&period={OCTOBER}",
        f"{API}/cases?kind=building&unit=410105001&indicator=reports&period={OCTOBER}",
        f"{API}/cases?unit=410105001&indicator=reports&part=middle&period={OCTOBER}",
        f"{API}/cases?unit=410105001&indicator=reports&limit=0&period={OCTOBER}",
        f"{API}/indicators?kind=area&period={OCTOBER}",  # no unit
    ],
)
def test_malformed_input_is_422(rolled, client_for, url):
    response = client_for(rolled["district"]).get(url)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid" and data["message"] and data["details"]


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/indicators?kind=area&unit=410105001&period=2026-13",
        f"{API}/rankings?kind=area&level=street&period=2026-Q5",
        f"{API}/cases?unit=410105001&indicator=reports&period=26-10",
        f"{API}/cards?period=October",
    ],
)
def test_a_bad_period_is_400_with_a_message(rolled, client_for, url):
    response = client_for(rolled["district"]).get(url)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert data["message"] == "考核周期须为月（2026-11）、季度（2026-Q4）或年（2026）。"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"{API}/rankings?kind=area&level=building&period={OCTOBER}", "level"),
        (f"{API}/rankings?kind=staff&level=auditor&period={OCTOBER}", "level"),
    ],
)
def test_a_bad_level_is_400_naming_the_field(rolled, client_for, url, field):
    response = client_for(rolled["district"]).get(url)
    assert response.status_code == 400
    data = response.json()
    assert list(data["details"]) == [field] and data["message"]


def test_an_unknown_indicator_or_unit_is_404(rolled, client_for):
    client = client_for(rolled["district"])
    for url in (
        f"{API}/cases?unit=410105001&indicator=nonsense&period={OCTOBER}",
        f"{API}/cases?unit=410105001&indicator=visits&period={OCTOBER}",
        f"{API}/indicators?kind=area&unit=999999&period={OCTOBER}",
        f"{API}/indicators?kind=department&unit=abc&period={OCTOBER}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


def test_a_street_b_user_gets_nothing_of_street_a(rolled, client_for):
    for name in ("leader_b", "op_b"):
        client = client_for(rolled[name])
        for url in (
            f"{API}/indicators?kind=area&unit=410105001&period={OCTOBER}",
            f"{API}/indicators?kind=area&unit=410105&period={OCTOBER}",
            f"{API}/indicators?kind=department&unit={rolled['squad'].pk}&period={OCTOBER}",
            f"{API}/indicators?kind=staff&unit={rolled['member_a'].pk}&period={OCTOBER}",
            f"{API}/cases?unit=410105001&indicator=reports&period={OCTOBER}",
            f"{API}/cases?unit=41010500100101&indicator=reports&period={OCTOBER}",
            f"{API}/rankings?kind=area&level=community&parent=410105001&period={OCTOBER}",
            f"{API}/cards?period={OCTOBER}&area=410105001",
        ):
            response = client.get(url)
            assert response.status_code == 404, (name, url)
            assert "经八" not in response.content.decode()
        streets = client.get(f"{API}/rankings?kind=area&level=street&period={OCTOBER}").json()
        assert [r["key"] for r in streets["rows"]] == ["410105002"]
        grids = client.get(f"{API}/rankings?kind=area&level=grid&period={OCTOBER}").json()
        assert {r["key"][:9] for r in grids["rows"]} == {"410105002"}
        staff = client.get(f"{API}/rankings?kind=staff&level=grid_member&period={OCTOBER}").json()
        assert [r["name"] for r in staff["rows"]] == ["member_b"]
        cards = client.get(f"{API}/cards?period={OCTOBER}")
        assert cards.json()["totals"] == {"red": 0, "yellow": 0}
        assert "经八" not in cards.content.decode()
        own = client.get(f"{API}/indicators?kind=area&unit=410105002&period={OCTOBER}").json()
        assert by_code(own)["reports"]["value"] == 1
        drill = client.get(f"{API}/cases?unit=410105002&indicator=reports&period={OCTOBER}").json()
        assert [c["id"] for c in drill["items"]] == [rolled["cases"][4].pk]


def test_the_api_needs_a_login(rolled, client):
    response = client.get(f"{API}/indicators?kind=area&unit=410105001&period={OCTOBER}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
