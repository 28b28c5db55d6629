import datetime
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.cases.models import WorkdayOverride
from gridgov.cases.worktime import (
    add_working_minutes,
    deadline_after,
    forget_overrides,
    is_workday,
    minutes_per_workday,
    working_minutes_between,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _no_overrides(db):
    forget_overrides()
    yield
    forget_overrides()


def test_office_day_is_seven_and_a_half_hours():
    assert minutes_per_workday() == 450


def test_within_a_morning_and_across_lunch():
    assert add_working_minutes(at(2026, 11, 24, 9, 0), 30) == at(2026, 11, 24, 9, 30)
    assert add_working_minutes(at(2026, 11, 24, 11, 45), 30) == at(2026, 11, 24, 13, 45)
    assert add_working_minutes(at(2026, 11, 24, 12, 30), 10) == at(2026, 11, 24, 13, 40)
    assert add_working_minutes(at(2026, 11, 24, 20, 0), 10) == at(2026, 11, 25, 8, 40)


def test_weekend_is_skipped():
    # Friday 27 November 2026, 17:00 + 60 working minutes → Monday 30 November, 09:00.
    assert add_working_minutes(at(2026, 11, 27, 17, 0), 60) == at(2026, 11, 30, 9, 0)


def test_national_day_holiday_and_the_adjusted_saturday():
    # 2026: 1–7 October off; Saturday 10 October is a working day.
    assert not is_workday(datetime.date(2026, 10, 1))
    assert is_workday(datetime.date(2026, 10, 10))
    assert not is_workday(datetime.date(2026, 10, 11))
    # Reported Wednesday 30 September 17:00; 3 working days (1,350 minutes) left:
    # 30 Sep 30 min, 8 Oct 450, 9 Oct 450, 10 Oct (Saturday, a working day) 420 → 10 Oct 17:00.
    assert deadline_after(at(2026, 9, 30, 17, 0), 3, "work_day") == at(2026, 10, 10, 17, 0)
    assert working_minutes_between(at(2026, 9, 30, 17, 0), at(2026, 10, 10, 17, 0)) == 1350


def test_emergencies_count_natural_time():
    assert deadline_after(at(2026, 10, 1, 22, 0), 4, "natural_hour") == at(2026, 10, 2, 2, 0)
    assert deadline_after(at(2026, 10, 1, 22, 0), 4, "work_hour", natural_time=True) == at(
        2026, 10, 2, 2, 0
    )
    assert deadline_after(at(2026, 10, 1, 22, 0), 2, "natural_day") == at(2026, 10, 3, 22, 0)


def test_unknown_years_fall_back_to_weekdays_and_the_local_table(db):
    assert is_workday(datetime.date(2031, 1, 6))  # a Monday
    assert not is_workday(datetime.date(2031, 1, 4))  # a Saturday
    WorkdayOverride.objects.create(
        date=datetime.date(2031, 1, 6), is_workday=False, note="local holiday"
    )
    WorkdayOverride.objects.create(date=datetime.date(2031, 1, 4), is_workday=True, note="adjusted")
    forget_overrides()
    assert not is_workday(datetime.date(2031, 1, 6))
    assert is_workday(datetime.date(2031, 1, 4))


moments = st.datetimes(
    min_value=datetime.datetime(2025, 1, 1), max_value=datetime.datetime(2027, 6, 30)
).map(lambda d: d.replace(tzinfo=TZ))


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(min_value=0, max_value=5000))
def test_adding_then_measuring_gives_back_the_minutes(start, minutes):
    end = add_working_minutes(start, minutes)
    assert end >= start
    assert working_minutes_between(start, end) == pytest.approx(minutes, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(moments, st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=3000))
def test_more_minutes_never_end_earlier(start, a, b):
    small, large = sorted((a, b))
    assert add_working_minutes(start, small) <= add_working_minutes(start, large)


@settings(max_examples=100, deadline=None)
@given(moments, st.integers(min_value=1, max_value=3000))
def test_deadlines_end_inside_office_hours_on_a_working_day(start, minutes):
    end = add_working_minutes(start, minutes)
    assert is_workday(end.date())
    t = end.timetz().replace(tzinfo=None)
    assert datetime.time(8, 30) < t <= datetime.time(12, 0) or datetime.time(
        13, 30
    ) < t <= datetime.time(17, 30)
