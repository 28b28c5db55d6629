"""The working calendar in the API: special days of a year, corrections, the holiday notice."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gridgov.cases import workdays
from gridgov.cases.holiday_notice import NoticeError

router = Router(tags=["calendar"])


class DayOut(Schema):
    date: datetime.date
    is_workday: bool
    overridden: bool
    note: str


class YearOut(Schema):
    year: int
    source: str = Field(description="package, entered or missing")
    special_days: list[DayOut] = Field(
        description="Weekdays off and working weekends, and every locally corrected day."
    )


class DayIn(Schema):
    is_workday: bool
    note: str = Field("", max_length=100)


class NoticeIn(Schema):
    text: str = Field(..., max_length=20_000)
    confirm: bool = Field(False, description="false: only read the notice; true: store it")


class NoticeDayOut(Schema):
    date: datetime.date
    is_workday: bool
    holiday: str


def _year(year: int) -> int:
    if not workdays.FIRST_YEAR <= year <= workdays.LAST_YEAR:
        raise ValidationError("year out of range")
    return year


@router.get("/calendar/{year}", response=YearOut, summary="A year of the working calendar")
def calendar_year(request: HttpRequest, year: int):
    days = [
        DayOut(date=c.date, is_workday=c.is_workday, overridden=c.overridden, note=c.note)
        for _m, weeks in workdays.year_grid(_year(year))
        for week in weeks
        for c in week
        if c.date is not None and (c.differs or c.overridden)
    ]
    return YearOut(year=year, source=workdays.year_source(year), special_days=days)


@router.put("/calendar/days/{day}", response=DayOut, summary="Correct one day (administrators)")
def put_day(request: HttpRequest, day: datetime.date, payload: DayIn):
    row = workdays.set_day(request.user, day, payload.is_workday, payload.note)
    return DayOut(date=row.date, is_workday=row.is_workday, overridden=True, note=row.note)


@router.delete("/calendar/days/{day}", response={204: None}, summary="Remove a day's correction")
def delete_day(request: HttpRequest, day: datetime.date):
    workdays.clear_day(request.user, day)
    return Status(204, None)


@router.post(
    "/calendar/{year}/notice",
    response=list[NoticeDayOut],
    summary="Read (and with confirm, store) the State Council's holiday notice for a year",
)
def notice(request: HttpRequest, year: int, payload: NoticeIn):
    try:
        if payload.confirm:
            days = workdays.apply_notice(request.user, _year(year), payload.text)
        else:
            days = workdays.preview_notice(_year(year), payload.text)
    except NoticeError as exc:
        raise ValidationError(str(exc)) from exc
    return [NoticeDayOut(date=d.date, is_workday=d.is_workday, holiday=d.holiday) for d in days]
