"""Assessment periods: a month (2026-11), a quarter (2026-Q4) or a year (2026), as the months
they cover, and the period before."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def current_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def last_complete_month() -> str:
    """The month the assessment pages open on: the current one is still running."""
    return previous(current_month())


def is_running(period: str) -> bool:
    """Whether the period still includes the current month (its figures are partial)."""
    return current_month() in months_of(period)


def months_of(period: str) -> list[str]:
    period = (period or current_month()).strip().upper()
    if m := _MONTH.match(period):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return [f"{year:04d}-{month:02d}"]
    elif m := _QUARTER.match(period):
        year, quarter = int(m[1]), int(m[2])
        if 2000 <= year <= 2100:
            return [f"{year:04d}-{month:02d}" for month in range(quarter * 3 - 2, quarter * 3 + 1)]
    elif (m := _YEAR.match(period)) and 2000 <= int(m[1]) <= 2100:
        return [f"{int(m[1]):04d}-{month:02d}" for month in range(1, 13)]
    raise ValidationError(_("A period is a month (2026-11), a quarter (2026-Q4) or a year (2026)."))


def previous(period: str) -> str:
    period = (period or current_month()).strip().upper()
    months_of(period)
    if m := _MONTH.match(period):
        year, month = int(m[1]), int(m[2])
        return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"
    if m := _QUARTER.match(period):
        year, quarter = int(m[1]), int(m[2])
        return f"{year - 1:04d}-Q4" if quarter == 1 else f"{year:04d}-Q{quarter - 1}"
    return f"{int(period) - 1:04d}"


def month_start(month: str) -> datetime.date:
    return datetime.date(int(month[:4]), int(month[5:7]), 1)


def last_months(count: int, until: str | None = None) -> list[str]:
    """The `count` months ending with `until` (default this month), oldest first."""
    date = month_start(until or current_month())
    out = []
    for _i in range(count):
        out.append(date.strftime("%Y-%m"))
        date = (date - datetime.timedelta(days=1)).replace(day=1)
    return out[::-1]
