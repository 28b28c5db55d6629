"""The working calendar an administrator keeps: single days, and the State Council's yearly
holiday notice entered in one step (pasted, previewed, confirmed). Every change is change-logged.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.cases import worktime
from gridgov.cases.holiday_notice import NoticeDay, parse_notice
from gridgov.cases.models import CalendarYear, WorkdayOverride

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _require(user) -> None:
    if not user_may(user, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only an administrator may change the working calendar."))


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a year between %(a)s and %(b)s.") % {"a": FIRST_YEAR, "b": LAST_YEAR}
        )


def year_source(year: int) -> str:
    """ "package", "entered" or "missing": where the holidays of `year` come from."""
    if worktime.package_knows(year):
        return "package"
    return "entered" if year in worktime.entered_years() else "missing"


def missing_year_to_warn(today: datetime.date | None = None) -> int | None:
    """The year an administrator should enter now: this year when unknown, or from the month
    of the setting GRIDGOV_CALENDAR_WARN_FROM_MONTH (November) next year while it is unknown."""
    today = today or timezone.localdate()
    if not worktime.year_known(today.year):
        return today.year
    if today.month >= settings.GRIDGOV_CALENDAR_WARN_FROM_MONTH and not worktime.year_known(
        today.year + 1
    ):
        return today.year + 1
    return None


@transaction.atomic
def set_day(
    acting_user: User, day: datetime.date, is_workday: bool, note: str = ""
) -> WorkdayOverride:
    """Make `day` a working day or a day off, whatever the package says."""
    _require(acting_user)
    _check_year(day.year)
    existing = WorkdayOverride.objects.select_for_update().filter(date=day).first()
    before = snapshot(existing) if existing else None
    row, _created = WorkdayOverride.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "note": note[:100]}
    )
    record_change(
        actor=acting_user,
        action=ChangeAction.UPDATE if existing else ChangeAction.CREATE,
        instance=row,
        before=before,
        after=snapshot(row),
    )
    worktime.forget_overrides()
    return row


@transaction.atomic
def clear_day(acting_user: User, day: datetime.date) -> bool:
    """Drop the local correction of `day`: the package (or Monday–Friday) decides again."""
    _require(acting_user)
    row = WorkdayOverride.objects.select_for_update().filter(date=day).first()
    if row is None:
        return False
    record_change(actor=acting_user, action=ChangeAction.DELETE, instance=row, before=snapshot(row))
    row.delete()
    worktime.forget_overrides()
    return True


def preview_notice(year: int, text: str) -> list[NoticeDay]:
    """What a pasted notice would set, for the administrator to check before confirming."""
    _check_year(year)
    days = parse_notice(text, year)
    stray = [d.date for d in days if abs(d.date.year - year) > 1]
    if stray:
        raise ValidationError(
            _("The notice names days far from %(year)s: %(days)s")
            % {"year": year, "days": stray[:3]}
        )
    return days


@transaction.atomic
def apply_notice(acting_user: User, year: int, text: str) -> list[NoticeDay]:
    """Store every day the notice names and mark `year` as entered, in one transaction."""
    _require(acting_user)
    days = preview_notice(year, text)
    for d in days:
        note = _("%(holiday)s, from the holiday notice") % {"holiday": d.holiday}
        set_day(acting_user, d.date, d.is_workday, note)
    entry, created = CalendarYear.objects.update_or_create(
        year=year, defaults={"notice": text, "confirmed_by": acting_user}
    )
    record_change(
        actor=acting_user,
        action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
        instance=entry,
        after={"year": year, "days": len(days)},
        note=_("Holiday notice entered"),
    )
    worktime.forget_overrides()
    return days


@dataclass
class DayCell:
    date: datetime.date | None
    is_workday: bool = False
    differs: bool = False  # a holiday on a weekday or a working weekend
    overridden: bool = False  # corrected by the local table
    note: str = ""


def year_grid(year: int) -> list[tuple[int, list[list[DayCell]]]]:
    """Twelve months of weeks (Monday first) with each day's status, for the calendar page."""
    _check_year(year)
    overrides = {
        o.date: o
        for o in WorkdayOverride.objects.filter(
            date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
        )
    }
    months = []
    for month in range(1, 13):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(DayCell(None))
                    continue
                work = worktime.is_workday(day)
                o = overrides.get(day)
                row.append(
                    DayCell(
                        day, work, work != (day.weekday() < 5), o is not None, o.note if o else ""
                    )
                )
            weeks.append(row)
        months.append((month, weeks))
    return months
