"""Who a warning reaches, and the receipt and SMS rows written for them in bulk.

Called by services inside the issuing transaction: a city of 30,000 staff gets its receipts in
two INSERT … SELECT statements and its SMS outbox rows in a few batched inserts, never one query
(or one model object) per person.
"""

import datetime

from django.conf import settings
from django.db.models import (
    CharField,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat, Length
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import SEPARATED_ROLES
from gridgov.accounts.system import PREFIX as SYSTEM_PREFIX
from gridgov.areas.models import Level
from gridgov.notify import segments
from gridgov.notify.models import Outbox, Priority
from gridgov.warnings import sql
from gridgov.warnings.models import URGENT_COLOURS, Channel, Kind, Receipt, Warning


def ancestors(code: str) -> list[str]:
    widths = [4, 6, 9, 12]
    return [code[:w] for w in widths if w < len(code)]


def reaches_every_level(warning: Warning) -> bool:
    """Orange and red reach every level below at once; blue and yellow follow the setting."""
    return warning.colour in URGENT_COLOURS or settings.GRIDGOV_WARNING_LOW_CASCADE != "forward"


def recipient_areas(warning: Warning, target_codes: list[str]) -> QuerySet:
    """(user, scope area) rows of the staff a warning reaches: areas strictly below the issuer
    inside the targets (the targets' own ancestors below the issuer included), only the next
    level down when the warning is forwarded level by level. A person holding several areas has
    a row for each (the caller keeps the highest). System accounts receive nothing."""
    issuer = warning.area_code
    between = {a for t in target_codes for a in ancestors(t) if len(a) > len(issuer)}
    where = Q(area__code__in=between)
    for code in target_codes:
        where |= Q(area__code__startswith=code)
    if not reaches_every_level(warning):
        where &= Q(area__level=Level.child_of(warning.area.level))
    return (
        User.scope_areas.through.objects.filter(where)
        .annotate(code_length=Length("area__code"))
        .filter(user__is_active=True, area__valid_to__isnull=True, code_length__gt=len(issuer))
        .exclude(user__role__in=SEPARATED_ROLES)
        .exclude(user__username__startswith=SYSTEM_PREFIX)
    )


RECEIPT_COLUMNS = [
    "user_id",
    "area_code",
    "level",
    "warning_id",
    "channel",
    "queued_at",
    "sent_at",
    "ack_via",
    "escalation",
]


def _constants(warning: Warning, channel: str, now: datetime.datetime, sent: bool) -> dict:
    return {
        "w_id": Value(warning.pk, output_field=IntegerField()),
        "w_channel": Value(channel, output_field=CharField()),
        "w_queued": Value(now, output_field=DateTimeField()),
        "w_sent": Value(now if sent else None, output_field=DateTimeField()),
        "w_via": Value("", output_field=CharField()),
        "w_step": Value(0, output_field=IntegerField()),
    }


def write_receipts(warning: Warning, target_codes: list[str], now: datetime.datetime) -> int:
    """App receipts for everyone the warning reaches; SMS receipts and outbox rows too when the
    colour sends SMS at issue. Returns the number of people reached."""
    constants = _constants(warning, Channel.APP, now, sent=True)
    rows = (
        recipient_areas(warning, target_codes)
        .annotate(**constants)
        .values_list("user_id", "area__code", "area__level", *constants)
    )
    # The warning was issued in this transaction: none of its receipts or SMS exist yet. Who
    # holds several areas gets the receipt of the highest.
    reached = sql.insert_first_per_key(
        Receipt, RECEIPT_COLUMNS, rows, key="user_id", order=["code_length", "area__code"]
    )
    if warning.colour in URGENT_COLOURS:
        app = Receipt.objects.filter(warning=warning, channel=Channel.APP)
        send_sms(warning, app, now, step="issue", new_keys=True)
    return reached


def send_sms(
    warning: Warning,
    app_receipts: QuerySet,
    now: datetime.datetime,
    *,
    step: str,
    reminder: bool = False,
    new_keys: bool = False,
) -> int:
    """SMS receipts (made when missing) for the people of `app_receipts` who have a phone, and
    one outbox row each; idempotent per (warning, person, step). Returns the rows newly queued.
    `new_keys`: the warning's first SMS (see sql.insert_select)."""
    constants = _constants(warning, Channel.SMS, now, sent=False)
    rows = (
        app_receipts.exclude(user__phone="")
        .annotate(**constants)
        .order_by()
        .values_list("user_id", "area_code", "level", *constants)
    )
    with sql.set_based():  # it reads this transaction's receipts: no statistics of them yet
        return _queue_sms(
            warning, app_receipts, rows, reminder=reminder, step=step, new_keys=new_keys
        )


def _queue_sms(
    warning: Warning, app_receipts: QuerySet, rows, *, reminder: bool, step: str, new_keys: bool
) -> int:
    sql.insert_select(Receipt, RECEIPT_COLUMNS, rows, new_keys=new_keys)
    targets = Receipt.objects.filter(
        warning=warning, channel=Channel.SMS, user_id__in=app_receipts.values("user_id")
    )
    body = sms_text(warning, reminder=reminder)
    # The same fields enqueue_messages fills (area for each unit's log, billed parts); warnings
    # pass the send window and, to staff, the opt-out list, so those rules do not apply here.
    # No destination: the sender takes each person's phone when it sends (no phone is opened
    # while the warning is issued, and the outbox holds no number before it is needed).
    text = CharField()
    return sql.insert_select_filled(
        Outbox,
        {
            "channel": Value("sms", output_field=text),
            "destination": Value("", output_field=text),
            "body": Value(body, output_field=TextField()),
            "priority": Value(int(Priority.WARNING), output_field=IntegerField()),
            "source": Concat(Value("warnings.receipt:"), Cast("pk", text), output_field=text),
            "dedupe_key": Concat(
                Value(f"warnings:{warning.pk}:"),
                Cast("user_id", text),
                Value(f":{step}"),
                output_field=text,
            ),
            "user_id": F("user_id"),
            "area_code": F("area_code"),
            "parts": Value(segments.count(body).parts, output_field=IntegerField()),
        },
        targets,
        new_keys=new_keys,
    )


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
