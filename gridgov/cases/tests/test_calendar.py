"""The working calendar: reading the State Council's notice, years without data said out loud,
the administrator's page and API, and the banner that asks for next year's notice."""

import datetime
import json
import zoneinfo
from pathlib import Path

import chinese_calendar
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.audit.models import ChangeLog
from gridgov.cases import workdays, worktime
from gridgov.cases.holiday_notice import NoticeError, parse_notice
from gridgov.cases.models import CalendarYear, WorkdayOverride

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOTICE_2025 = (Path(__file__).parent / "data" / "holiday_notice_2025.txt").read_text("utf-8")
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至2月12日（周五）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。
三、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""
WEEKDAYS = "一二三四五六日"
NUMERALS = "一二三四五六七八九十"


@pytest.fixture(autouse=True)
def _fresh(db):
    worktime.forget_overrides()
    yield
    worktime.forget_overrides()


def test_the_2025_notice_gives_exactly_what_the_holiday_package_says():
    days = parse_notice(NOTICE_2025, 2025)
    assert all(chinese_calendar.is_workday(d.date) == d.is_workday for d in days)
    named = {d.date for d in days}
    year = [datetime.date(2025, 1, 1) + datetime.timedelta(days=i) for i in range(365)]
    special = [d for d in year if chinese_calendar.is_workday(d) != (d.weekday() < 5)]
    assert special and set(special) <= named
    assert {d.holiday for d in days} >= {"春节", "国庆节、中秋节"}


def _date_text(day: datetime.date, with_month: bool = True) -> str:
    text = f"{day.month}月{day.day}日" if with_month else f"{day.day}日"
    return f"{text}（周{WEEKDAYS[day.weekday()]}）"


@st.composite
def notices(draw):
    """A notice in the State Council's wording, with the days it should set."""
    year = draw(st.integers(2027, 2040))
    starts = draw(st.lists(st.integers(0, 350), min_size=1, max_size=6, unique=True).map(sorted))
    lines, expected, used = [], {}, set()
    for n, offset in enumerate(starts):
        first = datetime.date(year, 1, 1) + datetime.timedelta(days=offset)
        length = draw(st.integers(1, 8))
        off = [first + datetime.timedelta(days=i) for i in range(length)]
        if any(d.year != year or d in used for d in off):
            continue  # holidays of one notice never overlap
        last = off[-1]
        span = _date_text(off[0])
        if last != off[0]:
            span += "至" + _date_text(last, with_month=last.month != off[0].month)
        work = [
            d
            for d in (first - datetime.timedelta(days=2), last + datetime.timedelta(days=3))
            if d.year == year and d not in used and d not in off
        ]
        text = f"{NUMERALS[n]}、节日{n}：{span}放假调休，共{len(off)}天。"
        if work:
            text += "、".join(_date_text(d) for d in work) + "上班。"
        lines.append(text)
        for d in off:
            expected[d] = False
        for d in work:
            expected[d] = True
        used |= set(off) | set(work)
    return year, "\n".join(["国务院办公厅关于部分节假日安排的通知", *lines]), expected


@settings(max_examples=150, derandomize=True, deadline=None)
@given(notices())
def test_any_notice_in_the_usual_wording_reads_back_exactly(notice):
    year, text, expected = notice
    assert {d.date: d.is_workday for d in parse_notice(text, year)} == expected


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(max_size=300))
def test_any_text_either_reads_or_is_refused_clearly(text):
    try:
        days = parse_notice(text, 2027)
    except NoticeError:
        return
    assert days


def test_a_text_that_is_no_notice_is_refused():
    with pytest.raises(NoticeError):
        parse_notice("明天下午开会", 2027)


def test_a_year_without_data_is_not_silent(users):
    deadline = datetime.datetime(2027, 3, 2, 10, 0, tzinfo=TZ)
    assert not worktime.year_known(2027)
    assert worktime.estimated(deadline)
    assert not worktime.estimated(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ))
    assert workdays.year_source(2027) == "missing"
    assert worktime.is_workday(datetime.date(2027, 2, 8))  # a Monday, before the notice

    workdays.apply_notice(users["admin"], 2027, NOTICE_2027)

    assert workdays.year_source(2027) == "entered"
    assert not worktime.estimated(deadline)
    assert not worktime.is_workday(datetime.date(2027, 2, 8))  # 春节
    assert worktime.is_workday(datetime.date(2027, 2, 14))  # a working Sunday
    # five working days from Thursday 4 Feb run over the holiday to the adjusted Sunday
    end = worktime.deadline_after(datetime.datetime(2027, 2, 4, 9, 0, tzinfo=TZ), 2, "work_day")
    assert end.date() == datetime.date(2027, 2, 15)
    assert CalendarYear.objects.get(year=2027).confirmed_by == users["admin"]
    assert ChangeLog.objects.filter(object_type="cases.workdayoverride").count() == 22


def test_only_an_administrator_changes_the_calendar(users):
    from django.core.exceptions import PermissionDenied

    for name in ("district", "op_a", "member_a"):
        with pytest.raises(PermissionDenied):
            workdays.set_day(users[name], datetime.date(2027, 5, 6), False)
        with pytest.raises(PermissionDenied):
            workdays.apply_notice(users[name], 2027, NOTICE_2027)
    assert not WorkdayOverride.objects.exists()
    workdays.set_day(users["admin"], datetime.date(2027, 5, 6), False, "台风停工")
    assert not worktime.is_workday(datetime.date(2027, 5, 6))
    assert workdays.clear_day(users["admin"], datetime.date(2027, 5, 6))
    assert worktime.is_workday(datetime.date(2027, 5, 6))


def test_the_page_previews_then_stores_the_notice(users, client_for):
    admin = client_for(users["admin"])
    page = admin.get("/cases/calendar/?year=2027")
    assert page.status_code == 200
    assert page.context["source"] == "missing"
    preview = admin.post(
        "/cases/calendar/notice/", {"year": "2027", "notice": NOTICE_2027, "confirm": "0"}
    )
    assert preview.status_code == 200
    assert len(preview.context["preview"]) == 22
    assert not WorkdayOverride.objects.exists()  # nothing before the confirmation
    saved = admin.post(
        "/cases/calendar/notice/", {"year": "2027", "notice": NOTICE_2027, "confirm": "1"}
    )
    assert saved.status_code == 302
    page = admin.get("/cases/calendar/?year=2027")
    assert page.context["source"] == "entered"
    cells = {c.date: c for _m, weeks in page.context["months"] for w in weeks for c in w if c.date}
    assert (
        cells[datetime.date(2027, 2, 8)].differs and not cells[datetime.date(2027, 2, 8)].is_workday
    )
    assert (
        cells[datetime.date(2027, 2, 14)].is_workday
        and cells[datetime.date(2027, 2, 14)].overridden
    )


@pytest.mark.parametrize(
    "data",
    [
        {"year": "2027", "notice": "随便写点什么", "confirm": "1"},
        {"year": "abc", "notice": NOTICE_2027, "confirm": "1"},
        {"year": "2027", "notice": "一、元旦：13月40日放假。", "confirm": "0"},
    ],
)
def test_a_bad_notice_is_a_400_and_stores_nothing(users, client_for, data):
    response = client_for(users["admin"]).post("/cases/calendar/notice/", data)
    assert response.status_code == 400
    assert response.context["error"]
    assert not WorkdayOverride.objects.exists()


def test_single_days_on_the_page(users, client_for):
    admin = client_for(users["admin"])
    assert (
        admin.post("/cases/calendar/day/", {"date": "2027-13-01", "kind": "off"}).status_code == 400
    )
    assert (
        admin.post("/cases/calendar/day/", {"date": "2027-05-06", "kind": "x"}).status_code == 400
    )
    assert (
        admin.post("/cases/calendar/day/", {"date": "2027-05-06", "kind": "off"}).status_code == 302
    )
    assert WorkdayOverride.objects.get(date="2027-05-06").is_workday is False
    operator = client_for(users["op_a"])
    assert (
        operator.post("/cases/calendar/day/", {"date": "2027-05-07", "kind": "off"}).status_code
        == 403
    )
    assert (
        operator.post(
            "/cases/calendar/notice/", {"year": "2027", "notice": NOTICE_2027}
        ).status_code
        == 403
    )
    assert not WorkdayOverride.objects.filter(date="2027-05-07").exists()
    page = operator.get("/cases/calendar/?year=2027")
    assert page.status_code == 200 and not page.context["may_edit"]


def test_the_api(users, client_for):
    admin, operator = client_for(users["admin"]), client_for(users["op_a"])
    body = json.dumps({"text": NOTICE_2027, "confirm": False})
    preview = admin.post("/api/v1/calendar/2027/notice", body, content_type="application/json")
    assert preview.status_code == 200 and len(preview.json()) == 22
    refused = operator.post(
        "/api/v1/calendar/2027/notice",
        json.dumps({"text": NOTICE_2027, "confirm": True}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    bad = admin.post(
        "/api/v1/calendar/2027/notice",
        json.dumps({"text": "不是通知", "confirm": True}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    put = admin.put(
        "/api/v1/calendar/days/2027-05-06",
        json.dumps({"is_workday": False, "note": "台风"}),
        content_type="application/json",
    )
    assert put.status_code == 200
    year = operator.get("/api/v1/calendar/2027").json()
    assert year["source"] == "missing"
    assert {"date": "2027-05-06", "is_workday": False, "overridden": True, "note": "台风"} in year[
        "special_days"
    ]
    assert operator.delete("/api/v1/calendar/days/2027-05-06").status_code == 403
    assert admin.delete("/api/v1/calendar/days/2027-05-06").status_code == 204
    assert admin.get("/api/v1/calendar/1800").status_code == 400


@pytest.mark.parametrize(
    ("now", "banner"),
    [
        ("2026-10-31T23:59:00+08:00", False),
        ("2026-11-01T00:01:00+08:00", True),  # still 31 October in UTC
        ("2026-12-01T09:00:00+08:00", True),
    ],
)
def test_the_banner_asks_for_next_years_notice_from_november(users, client_for, now, banner):
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
        page = client_for(users["op_a"]).get("/cases/")
        assert (page.context["calendar_missing_year"] == 2027) is banner
        if banner:
            workdays.apply_notice(users["admin"], 2027, NOTICE_2027)
            worktime.forget_overrides()
            assert client_for(users["op_a"]).get("/cases/").context["calendar_missing_year"] is None


def test_a_case_deadline_in_an_unknown_year_is_marked(users, client_for):
    from gridgov.cases import services

    with time_machine.travel(datetime.datetime(2027, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        case, _ = services.report_case(
            actor=users["member_a"],
            channel="grid_member",
            description="井盖缺失",
            category="C0101",
            address="甲街道1号",
        )
    detail = client_for(users["district"]).get(f"/api/v1/cases/{case.pk}").json()
    assert detail["stage_deadline_estimated"] is True
