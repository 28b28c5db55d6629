"""The assessment pages as a district operator reads them after the October roll-up, the Excel
export of a ranking and the scheme editor (default language zh-Hans)."""

import datetime
import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from gridgov.assessment import queries
from gridgov.assessment.models import Scheme
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import OCTOBER, TZ
from gridgov.audit.models import ChangeLog

BAD_PERIOD = "考核周期须为月（2026-11）、季度（2026-Q4）或年（2026）。"


@pytest.fixture
def rolled(october):
    """The October cases rolled up, seen from 10 November 2026 (October has ended)."""
    with time_machine.travel(datetime.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)):
        roll_up()
        yield october


def body(response) -> str:
    return response.content.decode()


def cells(html: str, indicator: str) -> list[str]:
    """The text of the cells of one indicator's row on the overview page."""
    row = re.search(rf'<tr data-indicator="{indicator}">(.*?)</tr>', html, re.S)
    assert row, indicator
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]


def test_overview_of_street_a_shows_octobers_figures(rolled, client_for):
    district = client_for(rolled["district"])
    response = district.get(f"/assessment/?kind=area&unit=410105001&period={OCTOBER}")
    assert response.status_code == 200
    html = body(response)
    assert "经八路街道" in html and "区域评价" in html
    assert re.search(r'class="score-big grade-B"><span>80\.0</span>', html)
    # [label, value, numerator, denominator, previous period]
    assert cells(html, "reports")[1:4] == ["4", "4", "—"]
    assert cells(html, "valid_rate")[1:4] == ["66.7%", "2", "3"]
    assert cells(html, "dispatch_accuracy")[1:4] == ["66.7%", "1", "3"]
    assert cells(html, "handle_on_time")[1:4] == ["66.7%", "2", "3"]
    assert cells(html, "rework_rate")[1:4] == ["50.0%", "1", "2"]
    assert cells(html, "closing_rate")[1:4] == ["100.0%", "3", "3"]
    assert cells(html, "close_on_time")[1:4] == ["100.0%", "2", "2"]
    assert cells(html, "yellow_cards")[1:3] == ["1", "1"]
    assert cells(html, "rework_rate")[4] == "—"  # nothing in September
    # The counts link to the cases behind them.
    assert "/assessment/cases/?kind=area&amp;unit=410105001&amp;period=2026-10" in html
    assert "indicator=rework_rate&amp;part=denominator" in html


def test_a_unit_with_nothing_in_the_period_has_no_score(rolled, client_for):
    district = client_for(rolled["district"])
    html = body(district.get(f"/assessment/?kind=area&unit=41010500100102&period={OCTOBER}"))
    assert re.search(r'class="score-big grade-none"><span>—</span>', html)
    assert cells(html, "reports")[1] == "0"
    # Street A had no cases in September: no previous score (not 0.0).
    html = body(district.get(f"/assessment/?kind=area&unit=410105001&period={OCTOBER}"))
    assert "上期" not in html.split("score-head", 1)[1].split("</section>", 1)[0]
    report = queries.unit_report(rolled["district"], "area", "410105001", "2026-11")
    assert (report["score"], report["previous_score"]) == (None, 80.0)


def test_overview_of_the_district_department_and_staff(rolled, client_for):
    district = client_for(rolled["district"])
    html = body(district.get(f"/assessment/?period={OCTOBER}"))  # opens on the user's district
    assert "金水区" in html
    assert cells(html, "reports")[1] == "5"
    assert cells(html, "closing_rate")[1:4] == ["75.0%", "3", "4"]

    squad = rolled["squad"].pk
    response = district.get(f"/assessment/?kind=department&unit={squad}&period={OCTOBER}")
    assert response.status_code == 200
    html = body(response)
    assert "经八路街道综合行政执法中队" in html and "专业部门评价" in html
    assert re.search(r"<span>75\.0</span>", html)
    assert cells(html, "rework_rate")[1:4] == ["50.0%", "1", "2"]

    member = rolled["member_a"].pk
    html = body(district.get(f"/assessment/?kind=staff&unit={member}&period={OCTOBER}"))
    assert "网格员（监督员）评价" in html
    assert re.search(r"<span>59\.7</span>", html)  # (40 × 2/3 + 20 × 0.4 + 25 × 1 + 15 × 0)
    assert cells(html, "valid_reports")[1] == "3"

    # No unit for a department: the page asks for one.
    response = district.get("/assessment/?kind=department")
    assert response.status_code == 200 and "请选择考核对象。" in body(response)


@pytest.mark.parametrize(
    ("kind", "level", "expected"),
    [
        ("area", "street", [("经八路街道", "80.0", "B"), ("花园路街道", "16.7", "E")]),
        ("area", "community", [("经八北社区", "80.0", "B"), ("花园北社区", "16.7", "E")]),
        ("department", "", [("经八路街道综合行政执法中队", "75.0", "B")]),
        ("staff", "grid_member", [("member_b", "64.0", "C"), ("member_a", "59.7", "D")]),
    ],
)
def test_rankings_page(rolled, client_for, kind, level, expected):
    district = client_for(rolled["district"])
    response = district.get(f"/assessment/rankings/?kind={kind}&level={level}&period={OCTOBER}")
    assert response.status_code == 200
    html = body(response)
    table = html.split('<table class="table ranking">', 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    found = []
    for row in rows:
        text = [
            re.sub(r"<[^>]+>", " ", c).split()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        found.append((text[2][0], text[3][0], text[4][0]))
    assert found == expected
    assert "2026-09" in html  # compared with the month before


def test_staff_ranking_is_the_default_role_when_none_is_given(rolled, client_for):
    district = client_for(rolled["district"])
    html = body(district.get(f"/assessment/rankings/?kind=staff&period={OCTOBER}"))
    assert "member_a" in html and "member_b" in html and "community_a" not in html


def test_rankings_export_opens_in_excel_with_the_ranked_rows(rolled, client_for):
    district = client_for(rolled["district"])
    response = district.get(
        f"/assessment/rankings/?kind=area&level=street&period={OCTOBER}&format=xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["名次", "名称", "编码", "得分", "等级"]
    assert len(rows) == 3
    rank, name, code, score, grade, prev_rank, change, reports, closing, on_time, yellow, red = (
        rows[1][:12]
    )
    assert rows[1][12:] == [None, None, None]  # the lines' rates: nothing fell due
    assert (rank, name, code, score, grade) == (1, "经八路街道", "410105001", 80.0, "B")
    assert (prev_rank, change, reports, closing, on_time, yellow, red) == (
        None,
        None,
        4,
        100.0,
        100.0,
        1,
        0,
    )
    assert rows[2][:5] == [2, "花园路街道", "410105002", 16.7, "E"]
    assert rows[2][7:10] == [1, 0.0, None]

    staff = load_workbook(
        io.BytesIO(
            district.get(
                f"/assessment/rankings/?kind=staff&level=grid_member&period={OCTOBER}&format=xlsx"
            ).content
        )
    ).worksheets[0]
    assert [r[1] for r in staff.iter_rows(min_row=2, values_only=True)] == ["member_b", "member_a"]


def test_drill_down_lists_the_cases_behind_a_figure(rolled, client_for):
    one, two, three, four, five = rolled["cases"]
    district = client_for(rolled["district"])
    response = district.get(
        f"/assessment/cases/?kind=area&unit=410105001&indicator=closing_rate&part=denominator"
        f"&period={OCTOBER}"
    )
    assert response.status_code == 200
    html = body(response)
    for case in (one, three, four):
        assert case.number in html
    assert two.number not in html and five.number not in html
    assert "3 件事件" in html

    html = body(
        district.get(
            f"/assessment/cases/?kind=area&unit=410105001&indicator=rework_rate&part=numerator"
            f"&period={OCTOBER}"
        )
    )
    assert three.number in html and one.number not in html

    html = body(
        district.get(
            f"/assessment/cases/?kind=staff&unit={rolled['handler'].pk}&indicator=handle_on_time"
            f"&part=denominator&period={OCTOBER}"
        )
    )
    assert one.number in html and three.number in html and four.number not in html

    unknown = district.get(
        f"/assessment/cases/?kind=area&unit=410105001&indicator=nonsense&period={OCTOBER}"
    )
    assert unknown.status_code == 404


def test_card_board(rolled, client_for):
    district = client_for(rolled["district"])
    response = district.get(f"/assessment/cards/?period={OCTOBER}")
    assert response.status_code == 200
    html = body(response)
    assert re.search(r'card-red"><b>0</b>', html)
    assert re.search(r'card-yellow"><b>1</b>', html)
    by_area = html.split("<section><h2>", 2)[1]
    assert "经八路街道" in by_area and "花园路街道" not in by_area
    assert "经八路街道综合行政执法中队" in html
    assert rolled["cases"][2].number in html  # the yellow-carded case

    html = body(district.get(f"/assessment/cards/?period={OCTOBER}&area=410105002"))
    assert re.search(r'card-yellow"><b>0</b>', html)


def test_reports_and_schemes_pages(rolled, client_for):
    district = client_for(rolled["district"])
    response = district.get("/assessment/reports/")
    assert response.status_code == 200
    html = body(response)
    assert '<option value="2026-10">' in html and '<option value="2026-11">' in html
    assert "410105001 经八路街道" in html and "410105002 花园路街道" in html
    redirect = district.get("/assessment/reports/?area=410105001&month=2026-10")
    assert redirect.status_code == 302
    assert redirect["Location"] == "/assessment/reports/410105001/2026-10/"

    response = district.get("/assessment/schemes/")
    assert response.status_code == 200
    html = body(response)
    assert "区域评价" in html and "专业部门评价" in html
    assert "/assessment/schemes/area/" not in html  # a district operator may not edit schemes
    admin = body(client_for(rolled["admin"]).get("/assessment/schemes/"))
    assert "/assessment/schemes/area/" in admin


@pytest.mark.parametrize(
    "url",
    [
        "/assessment/?period=2026-13",
        "/assessment/?kind=area&unit=410105001&period=26-10",
        "/assessment/rankings/?kind=area&level=street&period=2026-Q5",
        "/assessment/rankings/?kind=area&level=street&period=2026-10&format=xlsx&period=abc",
        "/assessment/cases/?kind=area&unit=410105001&indicator=reports&period=1999-99",
        "/assessment/cards/?period=October",
        "/assessment/reports/410105001/2026-13/",
    ],
)
def test_a_bad_period_is_a_400_with_a_message(rolled, client_for, url):
    response = client_for(rolled["district"]).get(url)
    assert response.status_code == 400
    assert BAD_PERIOD in body(response)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/assessment/?kind=building&period=2026-10", "未知的考核对象类型。"),
        ("/assessment/rankings/?kind=building&period=2026-10", "未知的考核对象类型。"),
        ("/assessment/rankings/?kind=area&level=building&period=2026-10", ""),
        ("/assessment/rankings/?kind=staff&level=auditor&period=2026-10", "没有适用于此类对象"),
        ("/assessment/reports/410105001/2026-Q4/", "月度考核报告只涵盖一个月。"),
    ],
)
def test_a_bad_kind_or_level_is_a_400_with_a_message(rolled, client_for, url, message):
    response = client_for(rolled["district"]).get(url)
    assert response.status_code == 400
    assert 'class="msg msg-error"' in body(response)
    assert message in body(response)


def scheme_form(scheme: Scheme, **changes) -> dict:
    """The scheme editor's form as the browser sends it, with some fields changed."""
    form = {"name": scheme.name, "active": "on", "rows": str(len(scheme.items) + 3)}
    for i, item in enumerate(scheme.items):
        form[f"indicator_{i}"] = item["indicator"]
        form[f"weight_{i}"] = f"{item['weight']:g}"
        form[f"bands_{i}"] = ", ".join(f"{t:g}:{s:g}" for t, s in item.get("bands") or [])
        if item.get("fewer_is_better"):
            form[f"fewer_{i}"] = "on"
    for i in range(len(scheme.items), len(scheme.items) + 3):
        form[f"indicator_{i}"] = ""
    form.update(changes)
    return form


def test_an_administrator_changes_a_weight_and_the_score_follows(rolled, client_for):
    admin = client_for(rolled["admin"])
    scheme = Scheme.objects.get(code="area")
    assert [i["indicator"] for i in scheme.items][1] == "reports"
    page = admin.get("/assessment/schemes/area/")
    assert page.status_code == 200
    html = body(page)
    assert 'name="weight_1" value="20"' in html
    assert 'name="bands_1" value="2001:100, 1201:90, 501:75, 301:60, 101:40, 0:0"' in html

    response = admin.post("/assessment/schemes/area/", scheme_form(scheme, weight_1="10"))
    assert response.status_code == 302 and response["Location"] == "/assessment/schemes/"
    scheme.refresh_from_db()
    assert [i["weight"] for i in scheme.items] == [10, 10, 30, 40]
    assert scheme.items[1]["bands"][0] == [2001, 100]  # bands kept
    assert ChangeLog.objects.filter(object_type="assessment.scheme").exists()
    # (10 × 100 + 10 × 0 + 30 × 100 + 40 × 100) / 90
    report = queries.unit_report(rolled["district"], "area", "410105001", OCTOBER)
    assert report["score"] == pytest.approx(88.9)
    html = body(
        client_for(rolled["district"]).get(
            f"/assessment/?kind=area&unit=410105001&period={OCTOBER}"
        )
    )
    assert re.search(r"<span>88\.9</span>", html)
    assert "80.0" not in html.split("score-big", 1)[1][:80]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_2": "abc"}, "第 3 行：权重不是数字。"),
        ({"weight_2": ""}, "第 3 行：权重不是数字。"),
        ({"weight_0": "0"}, "第 1 行：权重须在 0 到 100 之间。"),
        ({"weight_3": "150"}, "第 4 行：权重须在 0 到 100 之间。"),
        ({"bands_1": "2001-100"}, "分档须为“阈值:分数”的组合，例如 2001:100, 1201:90。"),
        ({"bands_1": ""}, "第 2 行：数量类指标须按分档计分"),
        ({"indicator_4": "nonsense", "weight_4": "5"}, "第 5 行：未知的指标。"),
        (
            {f"indicator_{i}": "" for i in range(4)},
            "考核方案至少需要一个评价项。",
        ),
    ],
)
def test_a_bad_scheme_is_refused_with_the_reason_and_nothing_saved(
    rolled, client_for, changes, message
):
    admin = client_for(rolled["admin"])
    scheme = Scheme.objects.get(code="area")
    before = (scheme.name, scheme.items, scheme.active, scheme.updated_at)
    response = admin.post(
        "/assessment/schemes/area/", scheme_form(scheme, name="改过的名称", **changes)
    )
    assert response.status_code == 400
    html = body(response)
    assert 'class="msg msg-error"' in html and message in html
    scheme.refresh_from_db()
    assert (scheme.name, scheme.items, scheme.active, scheme.updated_at) == before
    assert not ChangeLog.objects.filter(object_type="assessment.scheme").exists()
    assert queries.unit_report(rolled["district"], "area", "410105001", OCTOBER)["score"] == 80.0


def test_only_those_with_the_right_edit_schemes(rolled, client_for):
    scheme = Scheme.objects.get(code="area")
    items = scheme.items
    for name in ("op_a", "district", "leader"):
        client = client_for(rolled[name])
        assert client.get("/assessment/schemes/area/").status_code == 403
        response = client.post("/assessment/schemes/area/", scheme_form(scheme, weight_1="10"))
        assert response.status_code == 403
    scheme.refresh_from_db()
    assert scheme.items == items
    assert client_for(rolled["admin"]).get("/assessment/schemes/nonsense/").status_code == 404


def test_pages_need_a_login(rolled, client):
    for url in ("/assessment/", "/assessment/rankings/", "/assessment/schemes/area/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_card_board_shows_the_stage_label_not_its_key(rolled, client_for):
    from gridgov.cases.models.taxonomy import Stage

    html = body(client_for(rolled["district"]).get(f"/assessment/cards/?period={OCTOBER}"))
    stages = re.findall(r'<tr class="card-\w+">(?:<td>.*?</td>){2}<td>(.*?)</td>', html)
    assert stages, "the board lists the yellow card"
    labels = {str(label) for label in Stage.labels}
    assert all(s in labels and s not in Stage.values for s in stages), stages


@pytest.mark.parametrize(
    "url", ["/assessment/", "/assessment/rankings/?kind=area&level=street", "/assessment/cards/"]
)
def test_pages_open_on_the_last_complete_month_and_mark_a_running_one(rolled, client_for, url):
    district = client_for(rolled["district"])
    with time_machine.travel(datetime.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)):
        opened = district.get(url)
        running = district.get(url + ("&" if "?" in url else "?") + "period=2026-11")
    assert opened.status_code == 200 and opened.context["period"] == OCTOBER
    assert 'data-partial="1"' not in body(opened)
    assert running.context["period"] == "2026-11"
    assert 'data-partial="1"' in body(running)


def test_card_board_searches_the_cards_and_pages_them(rolled, client_for):
    district = client_for(rolled["district"])
    carded = rolled["cases"][2]
    found = district.get(f"/assessment/cards/?period={OCTOBER}&q={carded.number}")
    assert [c.case_id for c in found.context["page"]] == [carded.pk]
    missed = district.get(f"/assessment/cards/?period={OCTOBER}&q=没有这个案件")
    assert list(missed.context["page"]) == []
    assert found.context["page"].paginator.per_page == 50
