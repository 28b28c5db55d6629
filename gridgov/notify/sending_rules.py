"""The SMS platform's rules applied when a message is queued (docs/sms.md): the billed parts,
the opt-out list (never for warnings to staff) and the send window (bulk waits for the morning)."""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from gridgov.notify.models import OptOut, Priority

OPTED_OUT = "opted out"


def _window() -> tuple[datetime.time, datetime.time]:
    start, end = settings.GRIDGOV_SMS_SEND_WINDOW.split("-")
    return datetime.time.fromisoformat(start.strip()), datetime.time.fromisoformat(end.strip())


def window_opening(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When a bulk message queued at `now` may go: None inside the window (local time),
    otherwise the next opening."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    start, end = _window()
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, start, tzinfo=zone)


def waits_for_window(priority: int) -> bool:
    return priority >= Priority.BULK


def suppressed(phones: Iterable[str], *, priority: int, to_staff: bool) -> set[str]:
    """The numbers on the opt-out list, unless the message is a warning to staff."""
    if priority == Priority.WARNING and to_staff:
        return set()
    return set(OptOut.objects.filter(phone__in=set(phones)).values_list("phone", flat=True))
