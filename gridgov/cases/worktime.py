"""Working time on the Chinese calendar: public holidays and adjusted working weekends from
`chinesecalendar`, corrected by the local WorkdayOverride table, inside the office hours setting.

A year that neither the package nor an administrator's entry (CalendarYear) knows is counted
Monday–Friday plus the local table, but never silently: `year_known` tells, deadlines in such a
year are marked as estimates where they are shown, and a banner asks for the notice."""

import datetime
import time
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from gridgov.cases.models.taxonomy import TimeUnit

_OVERRIDES: dict[datetime.date, bool] = {}
_ENTERED_YEARS: frozenset[int] = frozenset()
_OVERRIDES_LOADED = 0.0
OVERRIDES_TTL = 60.0
# Answers of is_workday since the overrides were last read: every deadline walks the same days.
_WORKDAYS: dict[datetime.date, bool] = {}


def _overrides() -> dict[datetime.date, bool]:
    global _OVERRIDES, _ENTERED_YEARS, _OVERRIDES_LOADED
    if time.monotonic() - _OVERRIDES_LOADED > OVERRIDES_TTL:
        from gridgov.cases.models import CalendarYear, WorkdayOverride

        _OVERRIDES = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        _ENTERED_YEARS = frozenset(CalendarYear.objects.values_list("year", flat=True))
        _WORKDAYS.clear()
        _OVERRIDES_LOADED = time.monotonic()
    return _OVERRIDES


@lru_cache(maxsize=64)
def package_knows(year: int) -> bool:
    """Whether the installed `chinesecalendar` release has the holidays of `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
        chinese_calendar.is_workday(datetime.date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def entered_years() -> frozenset[int]:
    _overrides()
    return _ENTERED_YEARS


def year_known(year: int) -> bool:
    """Whether the holidays of `year` come from a released package or an administrator's entry."""
    return package_knows(year) or year in entered_years()


def estimated(*moments: datetime.datetime | None) -> bool:
    """Whether a time limit running to these moments crosses a year whose holidays are unknown."""
    years = {timezone.localtime(m).year for m in moments if m is not None}
    return bool(years) and not all(year_known(y) for y in range(min(years), max(years) + 1))


def forget_overrides() -> None:
    global _OVERRIDES_LOADED
    _OVERRIDES_LOADED = 0.0


def is_workday(day: datetime.date) -> bool:
    local = _overrides().get(day)
    if local is not None:
        return local
    known = _WORKDAYS.get(day)
    if known is None:
        known = chinese_calendar.is_workday(day) if package_knows(day.year) else day.weekday() < 5
        _WORKDAYS[day] = known
    return known


@lru_cache(maxsize=8)
def _parse_office_hours(text: str) -> tuple[tuple[datetime.time, datetime.time], ...]:
    periods = []
    for part in text.split(","):
        start, end = part.strip().split("-")
        periods.append((datetime.time.fromisoformat(start), datetime.time.fromisoformat(end)))
    return tuple(sorted(periods))


def office_hours() -> tuple[tuple[datetime.time, datetime.time], ...]:
    return _parse_office_hours(settings.GRIDGOV_OFFICE_HOURS)


def minutes_per_workday() -> int:
    return sum(
        (
            datetime.datetime.combine(datetime.date.min, end)
            - datetime.datetime.combine(datetime.date.min, start)
        ).seconds
        // 60
        for start, end in office_hours()
    )


def add_working_minutes(start: datetime.datetime, minutes: float) -> datetime.datetime:
    """The moment `minutes` of office time after `start` (other time does not count)."""
    tz = timezone.get_current_timezone()
    current = timezone.localtime(start, tz)
    remaining = datetime.timedelta(minutes=minutes)
    for _ in range(3700):  # ten years of days at most
        day = current.date()
        if is_workday(day):
            for period_start, period_end in office_hours():
                begin = datetime.datetime.combine(day, period_start, tzinfo=tz)
                end = datetime.datetime.combine(day, period_end, tzinfo=tz)
                if current >= end:
                    continue
                begin = max(begin, current)
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
                current = end
        current = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
    raise ValueError("no working time found within ten years")


def working_minutes_between(start: datetime.datetime, end: datetime.datetime) -> float:
    """Office minutes from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    tz = timezone.get_current_timezone()
    current, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = datetime.timedelta()
    while current < end:
        day = current.date()
        if is_workday(day):
            for period_start, period_end in office_hours():
                lo = max(datetime.datetime.combine(day, period_start, tzinfo=tz), current)
                hi = min(datetime.datetime.combine(day, period_end, tzinfo=tz), end)
                if hi > lo:
                    total += hi - lo
        current = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
    return total.total_seconds() / 60


def deadline_after(
    start: datetime.datetime, amount: float, unit: str, natural_time: bool = False
) -> datetime.datetime:
    """When a limit of `amount` `unit` that starts at `start` runs out. Emergencies (natural time)
    count every hour of every day."""
    if unit == TimeUnit.NATURAL_DAY:
        return start + datetime.timedelta(days=amount)
    if unit == TimeUnit.NATURAL_HOUR:
        return start + datetime.timedelta(hours=amount)
    minutes = {
        TimeUnit.MINUTE: amount,
        TimeUnit.WORK_HOUR: amount * 60,
        TimeUnit.WORK_DAY: amount * minutes_per_workday(),
    }[unit]
    if natural_time:
        if unit == TimeUnit.WORK_DAY:
            return start + datetime.timedelta(days=amount)
        return start + datetime.timedelta(minutes=minutes)
    return add_working_minutes(start, minutes)
