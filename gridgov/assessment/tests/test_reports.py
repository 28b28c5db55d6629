"""Monthly reports: a draft shows live figures; publishing freezes them, so cases added to the
month afterwards change the drafts of other areas but not the published page or its Excel."""

import datetime
import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from gridgov.assessment import queries
from gridgov.assessment.indicators import INDICATORS
from gridgov.assessment.models import MonthlyReport
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import OCTOBER, TZ
from gridgov.audit.models import ChangeLog
from gridgov.cases import services as cases
from gridgov.cases.tests.conftest import POINT_A, POINT_B

NOVEMBER_10 = datetime.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)
STREET_A_URL = f"/assessment/reports/410105001/{OCTOBER}/"
STREET_B_URL = f"/assessment/reports/410105002/{OCTOBER}/"
REPORTS_ROW = list(INDICATORS).index("reports")


@pytest.fixture
def november(october):
    """The October cases rolled up on 10 November 2026; `clock` moves time (it ticks)."""
    with time_machine.travel(NOVEMBER_10) as clock:
        roll_up()
        yield {**october, "clock": clock}


def body(response) -> str:
    return response.content.decode()


def score_of(html: str) -> str:
    return re.search(r'class="score-big[^"]*"><span>([^<]*)</span>', html)[1]


def indicator_cells(html: str, label: str) -> list[str]:
    table = html.split('<table class="table indicators">', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        texts = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        if texts and texts[0] == label:
            return texts
    raise AssertionError(label)


def state_of(html: str) -> str:
    return re.search(r'id="report-state" data-state="(\w+)"', html)[1]


def workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def summary(book) -> dict:
    return {r[0]: r[1] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)}


def reports_row(book) -> list:
    return list(list(book.worksheets[1].iter_rows(values_only=True))[1 + REPORTS_ROW])


def add_october_cases(world) -> None:
    """Late data for October: a new case in each street (street A's accepted, so its closing
    rate falls to 3 of 4), and street B's first case filed."""
    clock = world["clock"]
    clock.move_to(datetime.datetime(2026, 10, 14, 9, 0, tzinfo=TZ))
    new = {}
    for actor, point in ((world["member_a"], POINT_A), (world["member_b"], POINT_B)):
        new[actor.username], _created = cases.report_case(
            actor=actor,
            channel="grid_member",
            description="路灯不亮",
            category="C0101",
            lon=point[0],
            lat=point[1],
        )
    cases.perform(new["member_a"], "accept", actor=world["community"])
    cases.perform(world["cases"][4], "file", actor=world["community_b"])
    clock.move_to(NOVEMBER_10 + datetime.timedelta(hours=1))
    assert roll_up()["months"] == 1


def test_a_draft_shows_the_live_figures(november, client_for):
    district = client_for(november["district"])
    response = district.get(STREET_A_URL)
    assert response.status_code == 200
    html = body(response)
    assert state_of(html) == "draft"
    assert score_of(html) == "80.0"
    reports = str(INDICATORS["reports"].label)
    assert indicator_cells(html, reports)[1:4] == ["4", "4", "—"]
    assert indicator_cells(html, str(INDICATORS["rework_rate"].label))[1:4] == ["50.0%", "1", "2"]
    # The communities and departments of the street, ranked.
    assert "经八北社区" in html and "经八路街道综合行政执法中队" in html
    assert "花园路街道" not in html
    assert f'action="{STREET_A_URL}publish/"' in html  # October has ended: it may be published
    assert not MonthlyReport.objects.exists()  # looking does not save anything

    book = workbook(district.get(STREET_A_URL + "?format=xlsx"))
    assert summary(book)["得分"] == 80.0
    assert reports_row(book)[1:4] == [4, 4, None]
    assert len(book.worksheets) == 4  # summary, indicators, communities and departments ranked


def test_publishing_freezes_the_month(november, client_for):
    district = client_for(november["district"])
    response = district.post(STREET_A_URL + "publish/")
    assert response.status_code == 302 and response["Location"] == STREET_A_URL
    saved = MonthlyReport.objects.get(area_code="410105001", month=OCTOBER)
    assert saved.status == "published" and saved.published_by == november["district"]
    assert saved.data["score"] == 80.0 and saved.data["area"]["name"] == "经八路街道"
    change = ChangeLog.objects.get(object_type="assessment.monthlyreport")
    assert change.after["status"] == "published" and change.after["score"] == 80.0

    html = body(district.get(STREET_A_URL))
    assert state_of(html) == "published" and "district" in html
    assert "/publish/" not in html
    listed = body(district.get("/assessment/reports/"))
    assert STREET_A_URL in listed and "80.0" in listed

    add_october_cases(november)
    # The live figures moved …
    live = queries.totals(november["district"], "area", "410105001", [OCTOBER])
    assert live["reports"] == 5
    # (10 × 100 + 20 × 0 + 30 × 75 + 40 × 100) / 100
    assert queries.unit_report(november["district"], "area", "410105001", OCTOBER)["score"] == 72.5
    # … but street A's published month did not, on the page or in Excel.
    html = body(district.get(STREET_A_URL))
    assert state_of(html) == "published"
    assert score_of(html) == "80.0"
    assert indicator_cells(html, str(INDICATORS["reports"].label))[1:3] == ["4", "4"]
    ranked = html.split('<table class="table ranking">', 1)[1]
    assert re.search(r"<td>经八北社区</td><td class=\"num\"><b>80.0</b>", ranked)
    book = workbook(district.get(STREET_A_URL + "?format=xlsx"))
    assert summary(book)["得分"] == 80.0
    assert reports_row(book)[1:3] == [4, 4]
    # Street B and the district are drafts: they show the late data.
    html = body(district.get(STREET_B_URL))
    assert state_of(html) == "draft"
    assert indicator_cells(html, str(INDICATORS["reports"].label))[1] == "2"
    # Its one accepted case was filed afterwards: 0 of 1 before, 1 of 1 now.
    assert indicator_cells(html, str(INDICATORS["filing_rate"].label))[1:4] == [
        "100.0%",
        "1",
        "1",
    ]
    book = workbook(district.get(STREET_B_URL + "?format=xlsx"))
    assert reports_row(book)[1:3] == [2, 2]
    html = body(district.get(f"/assessment/reports/410105/{OCTOBER}/"))
    assert indicator_cells(html, str(INDICATORS["reports"].label))[1] == "7"

    # Publishing again is refused and leaves the frozen figures alone.
    again = district.post(STREET_A_URL + "publish/")
    assert again.status_code == 400
    assert "该月已发布，数据已冻结。" in body(again)
    saved.refresh_from_db()
    assert saved.data["score"] == 80.0
    assert saved.data["indicators"][REPORTS_ROW]["value"] == 4
    assert ChangeLog.objects.filter(object_type="assessment.monthlyreport").count() == 1


@pytest.mark.parametrize("month", ["2026-11", "2026-12", "2027-01"])
def test_a_month_that_has_not_ended_cannot_be_published(november, client_for, month):
    district = client_for(november["district"])
    draft = body(district.get(f"/assessment/reports/410105001/{month}/"))
    assert state_of(draft) == "draft" and "/publish/" not in draft
    response = district.post(f"/assessment/reports/410105001/{month}/publish/")
    assert response.status_code == 400
    assert "只能发布已经结束的月份。" in body(response)
    assert not MonthlyReport.objects.exists()


def test_a_bad_month_cannot_be_published(november, client_for):
    district = client_for(november["district"])
    for month in ("2026-1", "1999-99", "2026-Q3"):
        response = district.post(f"/assessment/reports/410105001/{month}/publish/")
        assert response.status_code == 400, month
        assert 'class="msg msg-error"' in body(response)
    assert not MonthlyReport.objects.exists()
    assert district.get(STREET_A_URL + "publish/").status_code == 405


def test_another_street_sees_nothing_of_street_a(november, client_for):
    leader_b = client_for(november["leader_b"])
    assert leader_b.get(STREET_A_URL).status_code == 404
    assert leader_b.get(STREET_A_URL + "?format=xlsx").status_code == 404
    assert leader_b.post(STREET_A_URL + "publish/").status_code == 404
    assert not MonthlyReport.objects.exists()
    assert leader_b.get(f"/assessment/reports/410105/{OCTOBER}/").status_code == 404

    # Its own street it may read and publish; street A's published month is not listed to it.
    client_for(november["district"]).post(STREET_A_URL + "publish/")
    html = body(leader_b.get(STREET_B_URL))
    assert state_of(html) == "draft" and score_of(html) == "16.7"
    assert leader_b.get(STREET_A_URL).status_code == 404
    assert STREET_A_URL not in body(leader_b.get("/assessment/reports/"))
    assert leader_b.post(STREET_B_URL + "publish/").status_code == 302
    assert MonthlyReport.objects.filter(status="published").count() == 2


def test_publishing_needs_the_right(november, client_for):
    # The auditor reads the district but may not publish.
    auditor = client_for(november["auditor"])
    assert auditor.get(STREET_A_URL).status_code == 200
    assert auditor.post(STREET_A_URL + "publish/").status_code == 403
    assert not MonthlyReport.objects.filter(status="published").exists()
    assert "/publish/" not in body(auditor.get(STREET_A_URL))
