"""The business lines' figures in assessment, worked out by hand (October–November 2026, the
clock stopped on 5 November 10:00 local time).

Street A (grid 41010500100101):
- disputes: agreement in force 15 Oct (success); closed failed 31 Oct 23:30 local; referred and
  closed in October (no success); one still mediating; closed as settled 1 Nov 07:30 local
  (31 Oct 23:30 UTC: November here) → October 1/3, November 1/1;
- hazards: due 20 Oct, closed 20 Oct 23:30 local (on time); due 20 Oct, closed 21 Oct 00:30 local
  (20 Oct 16:30 UTC: late); due 25 Oct, still open (late); due 20 Nov, open (not due yet)
  → October 1/3, November nothing due (—);
- visit tasks: due 10 Oct done that evening (on time); due 15 Oct done 16 Oct 00:10 (late); due
  20 Oct still open (late); due 22 Oct cancelled (left out); due 30 Nov open (not due yet)
  → October 1/3.
Street B (grid 41010500200101): one dispute closed as settled in October → 1/1; nothing else.
"""

import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gridgov.areas.models import Area
from gridgov.assessment import queries
from gridgov.assessment.indicators import INDICATORS
from gridgov.assessment.models import LineTally, Scheme
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.scoring import clean_items, score_items
from gridgov.assessment.tests.conftest import TZ
from gridgov.lines.models import (
    Dispute,
    DisputeState,
    Hazard,
    HazardState,
    PopulationCategory,
    SpecialRecord,
)
from gridgov.lines.tests.disputes_helpers import inspect, plan, shop
from gridgov.lines.tests.populations_world import _houses, _person
from gridgov.patrol.models import Task, TaskKind, TaskStatus

GRID_A, GRID_B = "41010500100101", "41010500200101"
STREET_A, STREET_B = "410105001", "410105002"
NOW = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=TZ)
_numbers = itertools.count(1)


def local(month, day, hour=12, minute=0, second=0):
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=TZ)


def _dispute(admin, area, state, success=None, effective_on=None, closed_at=None):
    return Dispute.objects.create(
        number=f"TJ-T-{next(_numbers)}",
        kind="neighbourhood",
        title="楼上漏水",
        area_code=area,
        risk="low",
        source="patrol",
        state=state,
        success=success,
        effective_on=effective_on,
        closed_at=closed_at,
        created_by=admin,
        created_at=local(10, 1),
    )


def _hazard(template, deadline, state=HazardState.OPEN, closed_at=None):
    return Hazard.objects.create(
        number=f"YH-T-{next(_numbers)}",
        inspection=template.inspection,
        item=template.item,
        organization=template.organization,
        area_code=template.area_code,
        grade="general",
        description="安全出口堆放杂物",
        responsible="王店主",
        deadline=deadline,
        state=state,
        closed_at=closed_at,
        created_at=local(10, 1),
    )


def _task(record, member, due, status=TaskStatus.OPEN, completed_at=None):
    return Task.objects.create(
        kind=TaskKind.VISIT,
        title="走访",
        area_code=record.area_code,
        assignee=member,
        due=due,
        status=status,
        completed_at=completed_at,
        person=record.person,
        special_record=record,
    )


@pytest.fixture
def lines_world(loop):
    admin, member = loop["admin"], loop["member_a"]
    with time_machine.travel(local(10, 1, 9), tick=False):
        _dispute(admin, GRID_A, DisputeState.FULFILMENT, True, datetime.date(2026, 10, 15))
        _dispute(admin, GRID_A, DisputeState.CLOSED, False, closed_at=local(10, 31, 23, 30))
        _dispute(admin, GRID_A, DisputeState.CLOSED, None, closed_at=local(10, 20))
        _dispute(admin, GRID_A, DisputeState.MEDIATING)
        _dispute(admin, GRID_A, DisputeState.CLOSED, True, closed_at=local(11, 1, 7, 30))
        _dispute(admin, GRID_B, DisputeState.CLOSED, True, closed_at=local(10, 9))
        first = inspect(admin, plan(admin), shop(admin, "老王小吃店")).hazards.get()
        Hazard.objects.filter(pk=first.pk).update(
            deadline=datetime.date(2026, 10, 20),
            state=HazardState.CLOSED,
            closed_at=local(10, 20, 23, 30),
        )
        first.refresh_from_db()
        assert first.area_code == GRID_A
        _hazard(first, datetime.date(2026, 10, 20), HazardState.CLOSED, local(10, 21, 0, 30))
        _hazard(first, datetime.date(2026, 10, 25))
        _hazard(first, datetime.date(2026, 11, 20))
        house = _houses(admin, "FT1", (113.605, 34.7175))
        person = _person(admin, "甲小明", "FT0001", house)
        record = SpecialRecord.objects.create(
            person=person,
            category=PopulationCategory.objects.get(code="mental"),
            area_code=person.area_code,
            responsible=member,
        )
        assert record.area_code == GRID_A
        done = TaskStatus.DONE
        _task(record, member, local(10, 10, 23, 59, 59), done, local(10, 10, 20))
        _task(record, member, local(10, 15, 23, 59, 59), done, local(10, 16, 0, 10))
        _task(record, member, local(10, 20, 23, 59, 59))
        _task(record, member, local(10, 22, 23, 59, 59), TaskStatus.CANCELLED)
        _task(record, member, local(11, 30, 23, 59, 59))
    with time_machine.travel(NOW, tick=False):
        roll_up()
    return loop


def _value(totals: dict, code: str):
    return INDICATORS[code].value(totals)


def _pair(totals: dict, code: str) -> tuple[int, int]:
    ind = INDICATORS[code]
    return totals[ind.numerator], totals[ind.denominator]


def test_the_three_rates_by_local_month(lines_world):
    district = lines_world["district"]
    october = queries.totals(district, "area", STREET_A, ["2026-10"])
    assert _pair(october, "mediation_success_rate") == (1, 3)
    assert _pair(october, "rectify_on_time") == (1, 3)  # overdue and open counts as late
    assert _pair(october, "special_visits_on_time") == (1, 3)
    assert _value(october, "rectify_on_time") == pytest.approx(1 / 3)
    november = queries.totals(district, "area", STREET_A, ["2026-11"])
    assert _pair(november, "mediation_success_rate") == (1, 1)  # 07:30 local on 1 November
    assert _pair(november, "rectify_on_time") == (0, 0)
    assert _value(november, "rectify_on_time") is None  # nothing due: no rate, not 0%
    assert _value(november, "special_visits_on_time") is None
    grid = queries.totals(district, "area", GRID_A, ["2026-10"])
    assert _pair(grid, "special_visits_on_time") == (1, 3)
    whole = queries.totals(district, "area", "410105", ["2026-10"])
    assert _pair(whole, "mediation_success_rate") == (2, 4)
    quarter = queries.totals(district, "area", STREET_A, ["2026-10", "2026-11", "2026-12"])
    assert _pair(quarter, "mediation_success_rate") == (2, 4)


def test_the_area_card_shows_rates_with_numerator_and_denominator(lines_world, client_for):
    client = client_for(lines_world["district"])
    page = client.get(f"/assessment/?kind=area&unit={STREET_A}&period=2026-10")
    assert page.status_code == 200
    rows = {r["code"]: r for r in page.context["report"]["indicators"]}
    assert (rows["rectify_on_time"]["numerator"], rows["rectify_on_time"]["denominator"]) == (1, 3)
    html = page.content.decode()
    row = html.split('data-indicator="rectify_on_time"')[1].split("</tr>")[0]
    assert "33.3%" in row and ">1<" in row and ">3<" in row and "drill" not in row
    panel = html.split('data-line="special_visits_on_time"')[1].split("</div>")[0]
    assert "33.3%" in panel and "1 / 3" in panel
    empty = client.get(f"/assessment/?kind=area&unit={STREET_A}&period=2026-11")
    row = empty.content.decode().split('data-indicator="rectify_on_time"')[1].split("</tr>")[0]
    assert "<b>—</b>" in row and "0.0%" not in row
    # a department has no such figures (areas only)
    department = client.get(f"/assessment/?kind=department&unit={lines_world['squad'].pk}")
    codes = {r["code"] for r in department.context["report"]["indicators"]}
    assert "mediation_success_rate" not in codes


def test_rankings_sort_by_a_line_figure(lines_world, client_for):
    client = client_for(lines_world["district"])
    url = "/assessment/rankings/?kind=area&level=street&period=2026-10"
    page = client.get(url + "&sort=mediation_success_rate")
    assert page.status_code == 200
    rows = page.context["result"]["rows"]
    assert [r["key"] for r in rows] == [STREET_B, STREET_A]  # 100% before 33.3%
    assert rows[1]["mediation_success_rate_counts"] == (1, 3)
    assert 'data-figure="rectify_on_time">33.3% <small class="muted">1/3' in (page.content.decode())
    api = client.get(
        "/api/v1/assessment/rankings?kind=area&level=street&period=2026-10&sort=rectify_on_time"
    )
    assert api.status_code == 200
    data = api.json()
    assert data["sort"] == "rectify_on_time"
    assert [r["key"] for r in data["rows"]] == [STREET_A, STREET_B]  # B: nothing due, last
    assert data["rows"][1]["rectify_on_time"] is None
    bad = client.get("/api/v1/assessment/rankings?kind=area&level=street&sort=nonsense")
    assert 400 <= bad.status_code < 500
    assert client.get(url + "&sort=nonsense").status_code == 400


def test_api_lists_the_line_indicators_of_an_area(lines_world, client_for):
    client = client_for(lines_world["district"])
    response = client.get(f"/api/v1/assessment/indicators?unit={STREET_A}&period=2026-10")
    assert response.status_code == 200
    by_code = {i["code"]: i for i in response.json()["indicators"]}
    visits = by_code["special_visits_on_time"]
    assert (visits["numerator"], visits["denominator"], visits["is_rate"]) == (1, 3, True)
    assert visits["value"] == pytest.approx(1 / 3)


def test_a_street_sees_only_its_own_areas_figures(lines_world, client_for):
    op_b, district = lines_world["op_b"], lines_world["district"]
    client = client_for(op_b)
    url = "/assessment/rankings/?kind=area&level=street&period=2026-10&sort=rectify_on_time"
    keys = [r["key"] for r in client.get(url).context["result"]["rows"]]
    assert keys == [STREET_B]
    assert client.get(f"/assessment/?kind=area&unit={STREET_A}&period=2026-10").status_code == 404
    own = queries.totals(op_b, "area", STREET_B, ["2026-10"])
    assert _pair(own, "mediation_success_rate") == (1, 1)
    client = client_for(district)
    keys = {r["key"] for r in client.get(url).context["result"]["rows"]}
    assert keys == {STREET_A, STREET_B}


def test_the_roll_up_is_idempotent_and_follows_the_clock(lines_world):
    def rows():
        return sorted(
            LineTally.objects.values_list(
                "month", "area_code", "rectify_due", "rectify_on_time", "special_visits_due"
            )
        )

    before = rows()
    with time_machine.travel(NOW, tick=False):
        assert roll_up()["line_rows"] == 0  # nothing changed: nothing written
        roll_up(full=True)
    assert rows() == before
    # a month later the November visit and hazard have fallen due, open: late
    with time_machine.travel(local(12, 1, 9), tick=False):
        roll_up()
    district = lines_world["district"]
    november = queries.totals(district, "area", STREET_A, ["2026-11"])
    assert _pair(november, "special_visits_on_time") == (0, 1)
    assert _pair(november, "rectify_on_time") == (0, 1)
    assert len(rows()) == len(before)
    # a deleted dispute leaves the figures of its month
    Dispute.objects.filter(area_code=GRID_B).delete()
    with time_machine.travel(local(12, 1, 9), tick=False):
        roll_up()
    assert not LineTally.objects.filter(area_code=STREET_B).exists()


def test_a_scheme_may_weight_the_line_figures_for_areas_only(lines_world):
    items = [{"indicator": "rectify_on_time", "weight": 1}]
    october = queries.totals(lines_world["district"], "area", STREET_A, ["2026-10"])
    score, _parts = score_items(clean_items(items), october)
    assert score == pytest.approx(33.3)
    with pytest.raises(ValidationError):
        clean_items(items, "staff")
    # not weighted by default: the seed schemes leave them out
    for scheme in Scheme.objects.all():
        assert not {i["indicator"] for i in scheme.items} & {
            "mediation_success_rate",
            "rectify_on_time",
            "special_visits_on_time",
        }


def test_the_published_monthly_report_ranks_areas_with_the_line_rates(lines_world, client_for):
    import io

    import openpyxl

    client = client_for(lines_world["district"])
    url = "/assessment/reports/410105/2026-10/"
    assert client.post(url + "publish/").status_code in (302, 200)
    html = client.get(url).content.decode()
    tables = html.split('class="table ranking"')[1:]
    areas = tables[0].split("</table>")[0]
    rows = {
        code: areas.split(f">{name}<")[1].split("</tr>")[0]
        for code, name in (
            (STREET_A, Area.objects.get(code=STREET_A).name),
            (STREET_B, Area.objects.get(code=STREET_B).name),
        )
    }
    assert 'data-figure="mediation_success_rate">33.3% <small class="muted">1/3' in rows[STREET_A]
    assert 'data-figure="special_visits_on_time">33.3%' in rows[STREET_A]
    assert 'data-figure="mediation_success_rate">100.0%' in rows[STREET_B]
    assert 'data-figure="rectify_on_time">— <small class="muted">0/0' in rows[STREET_B]
    for table in tables[1:]:  # departments have no line figures
        assert "data-figure" not in table.split("</table>")[0]
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if len(row) > 2 and row[2] in (STREET_A, STREET_B):
                found[row[2]] = row
    # the three line rates close the row, in percent; none when nothing fell due
    assert found[STREET_A][-3:] == (33.3, 33.3, 33.3)
    assert found[STREET_B][-3:] == (100.0, None, None)
