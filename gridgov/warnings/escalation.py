"""Silence is escalated: a receipt not acknowledged N minutes after issue (N by colour, a
setting) is re-notified; after 2·N it goes out by SMS; after 3·N the recipient's supervisor is
told. Blue has no ladder: it only goes out by SMS after a longer silence. Run by the periodic job
`warnings.escalate_silence`; tests pass `now` to move the clock."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.notify.models import Message
from gridgov.warnings import fanout, sql
from gridgov.warnings.models import CLOSING_KINDS, Channel, Receipt, State, Warning

RENOTIFIED, SMS_SENT, SUPERVISOR_TOLD = 1, 2, 3
SUPERVISOR_ROLES = [Role.COMMUNITY_STAFF, Role.STREET_OPERATOR, Role.DISTRICT_OPERATOR]


def _silent(warning: Warning, step_before: int, due_before: datetime.datetime):
    if warning.sent is None or warning.sent > due_before:
        return Receipt.objects.none()
    return Receipt.objects.filter(
        warning=warning,
        channel=Channel.APP,
        acknowledged_at__isnull=True,
        escalation=step_before,
    )


def _mark(rows, step: int, now: datetime.datetime) -> int:
    return Receipt.objects.filter(pk__in=rows.values("pk")).update(
        escalation=step, escalated_at=now
    )


def _renotify(warning: Warning, rows) -> None:
    url = reverse("warnings:detail", args=[warning.pk])
    title = _("Please acknowledge the warning: %(headline)s") % {"headline": warning.headline}
    sql.insert_rows(
        Message,
        ["user_id", "title", "url"],
        [(uid, title[:200], url) for uid in rows.values_list("user_id", flat=True)],
    )


def _supervisors(codes: set[str]) -> dict[str, list[int]]:
    """For each area code, the staff of the nearest area above it that has any."""
    wanted = {a for c in codes for a in fanout.ancestors(c)}
    by_area: dict[str, list[int]] = defaultdict(list)
    rows = User.scope_areas.through.objects.filter(
        area__code__in=wanted, user__is_active=True, user__role__in=SUPERVISOR_ROLES
    ).values_list("area__code", "user_id")
    for code, uid in rows:
        by_area[code].append(uid)
    found = {}
    for code in codes:
        for above in reversed(fanout.ancestors(code)):
            if by_area.get(above):
                found[code] = by_area[above]
                break
    return found


def _tell_supervisors(warning: Warning, rows) -> None:
    silent_by_area: dict[str, int] = defaultdict(int)
    for code in rows.values_list("area_code", flat=True):
        silent_by_area[code] += 1
    supervisors = _supervisors(set(silent_by_area))
    counts: dict[int, int] = defaultdict(int)
    for code, n in silent_by_area.items():
        for uid in supervisors.get(code, []):
            counts[uid] += n
    url = reverse("warnings:board", args=[warning.pk])
    Message.objects.bulk_create(
        [
            Message(
                user_id=uid,
                title=(
                    _("%(n)d of your staff have not acknowledged: %(headline)s")
                    % {"n": n, "headline": warning.headline}
                )[:200],
                url=url,
            )
            for uid, n in counts.items()
        ]
    )


def _escalate_warning(warning: Warning, now: datetime.datetime) -> dict[str, int]:
    done = {"renotified": 0, "sms": 0, "supervisors": 0}
    minutes = settings.GRIDGOV_WARNING_ACK_MINUTES.get(warning.colour)
    if minutes is None:
        rows = _silent(
            warning,
            0,
            now - datetime.timedelta(minutes=settings.GRIDGOV_WARNING_SILENT_SMS_MINUTES),
        ).filter(read_at__isnull=True)
        if rows.exists():
            fanout.send_sms(warning, rows, now, step="silence", reminder=True)
            done["sms"] = _mark(rows, SMS_SENT, now)
        return done
    step = datetime.timedelta(minutes=minutes)
    rows = _silent(warning, 0, now - step)
    if rows.exists():
        _renotify(warning, rows)
        done["renotified"] = _mark(rows, RENOTIFIED, now)
    rows = _silent(warning, RENOTIFIED, now - 2 * step)
    if rows.exists():
        fanout.send_sms(warning, rows, now, step="silence", reminder=True)
        done["sms"] = _mark(rows, SMS_SENT, now)
    rows = _silent(warning, SMS_SENT, now - 3 * step)
    if rows.exists():
        _tell_supervisors(warning, rows)
        done["supervisors"] = _mark(rows, SUPERVISOR_TOLD, now)
    return done


def escalate_silence(now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass over every open warning; each warning in its own transaction."""
    now = now or timezone.now()
    totals = {"renotified": 0, "sms": 0, "supervisors": 0}
    live = Warning.objects.filter(state=State.ISSUED, sent__lte=now).exclude(kind__in=CLOSING_KINDS)
    for warning in live.select_related("area"):
        if warning.expires and warning.expires <= now:
            continue
        with transaction.atomic():
            for key, n in _escalate_warning(warning, now).items():
                totals[key] += n
    return totals
