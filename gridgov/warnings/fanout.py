"""Who a warning reaches, and the receipt and SMS rows written for them in bulk.

Called by services inside the issuing transaction: a city of 30,000 staff gets its receipts and
its SMS outbox rows in a few bulk statements, never one query per person.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import SEPARATED_ROLES
from gridgov.areas.models import Level
from gridgov.notify.models import Outbox, Priority
from gridgov.warnings.models import URGENT_COLOURS, Channel, Kind, Receipt, Warning

BATCH = 5000


@dataclass(frozen=True)
class Recipient:
    user_id: int
    area_code: str
    level: str


def ancestors(code: str) -> list[str]:
    widths = [4, 6, 9, 12]
    return [code[:w] for w in widths if w < len(code)]


def reaches_every_level(warning: Warning) -> bool:
    """Orange and red reach every level below at once; blue and yellow follow the setting."""
    return warning.colour in URGENT_COLOURS or settings.GRIDGOV_WARNING_LOW_CASCADE != "forward"


def recipients(warning: Warning, target_codes: list[str]) -> list[Recipient]:
    """Staff whose area lies strictly below the issuer inside the targets (the targets' own
    ancestors below the issuer included), one per person: their highest such area."""
    issuer = warning.area_code
    between = {a for t in target_codes for a in ancestors(t) if len(a) > len(issuer)}
    where = Q(area__code__in=between)
    for code in target_codes:
        where |= Q(area__code__startswith=code)
    if not reaches_every_level(warning):
        child = Level.child_of(warning.area.level)
        where &= Q(area__level=child)
    through = User.scope_areas.through
    rows = (
        through.objects.filter(where)
        .filter(user__is_active=True, area__valid_to__isnull=True)
        .exclude(user__role__in=SEPARATED_ROLES)
        .exclude(area__code=issuer)
        .values_list("user_id", "area__code", "area__level")
    )
    chosen: dict[int, Recipient] = {}
    for user_id, code, level in rows.iterator(chunk_size=BATCH):
        if len(code) <= len(issuer):
            continue
        known = chosen.get(user_id)
        if known is None or len(code) < len(known.area_code):
            chosen[user_id] = Recipient(user_id, code, level)
    return list(chosen.values())


def phones_of(user_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(user_ids), BATCH):
        chunk = user_ids[start : start + BATCH]
        found.update(User.objects.filter(pk__in=chunk).exclude(phone="").values_list("pk", "phone"))
    return found


def sms_text(warning: Warning, reminder: bool = False) -> str:
    kind = {
        Kind.CANCEL: _("cancelled"),
        Kind.ALL_CLEAR: _("all clear"),
    }.get(warning.kind, "")
    parts = [
        _("[Warning]") if not reminder else _("[Warning reminder]"),
        f"{warning.get_colour_display()} {warning.event} {kind}".strip() + ":",
        warning.headline,
    ]
    if warning.instruction and warning.kind not in (Kind.CANCEL, Kind.ALL_CLEAR):
        parts.append(warning.instruction[:120])
    parts.append(_("Reply %(code)s to acknowledge.") % {"code": warning.ack_code})
    return " ".join(parts)


def write_receipts(warning: Warning, people: list[Recipient], now: datetime.datetime) -> int:
    """App receipts for everyone; SMS receipts and outbox rows too when the colour sends SMS at
    issue. Returns the number of receipt rows written."""
    app = [
        Receipt(
            warning=warning,
            user_id=p.user_id,
            channel=Channel.APP,
            area_code=p.area_code,
            level=p.level,
            queued_at=now,
            sent_at=now,
        )
        for p in people
    ]
    Receipt.objects.bulk_create(app, batch_size=BATCH, ignore_conflicts=True)
    written = len(app)
    if warning.colour in URGENT_COLOURS:
        written += send_sms(warning, people, now, step="issue")
    return written


def send_sms(
    warning: Warning,
    people: list[Recipient],
    now: datetime.datetime,
    *,
    step: str,
    reminder: bool = False,
) -> int:
    """SMS receipts (made when missing) and one outbox row per person with a phone; idempotent
    per (warning, person, step)."""
    phones = phones_of([p.user_id for p in people])
    with_phone = [p for p in people if p.user_id in phones]
    if not with_phone:
        return 0
    Receipt.objects.bulk_create(
        [
            Receipt(
                warning=warning,
                user_id=p.user_id,
                channel=Channel.SMS,
                area_code=p.area_code,
                level=p.level,
                queued_at=now,
            )
            for p in with_phone
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    ids = dict(
        Receipt.objects.filter(warning=warning, channel=Channel.SMS).values_list("user_id", "pk")
    )
    body = sms_text(warning, reminder=reminder)
    Outbox.objects.bulk_create(
        [
            Outbox(
                channel="sms",
                destination=phones[p.user_id],
                body=body,
                priority=Priority.WARNING,
                source=f"warnings.receipt:{ids[p.user_id]}",
                dedupe_key=f"warnings:{warning.pk}:{p.user_id}:{step}",
                user_id=p.user_id,
            )
            for p in with_phone
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return len(with_phone)
