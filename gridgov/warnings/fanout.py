"""Who a warning reaches, and the receipt and SMS rows written for them in bulk.

Called by services inside the issuing transaction: a city of 30,000 staff gets its receipts in
two INSERT … SELECT statements and its SMS outbox rows in a few batched inserts, never one query
(or one model object) per person.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import CharField, DateTimeField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import SEPARATED_ROLES
from gridgov.areas.models import Level
from gridgov.notify.models import Outbox, Priority
from gridgov.warnings.models import URGENT_COLOURS, Channel, Kind, Receipt, Warning

BATCH = 5000


def ancestors(code: str) -> list[str]:
    widths = [4, 6, 9, 12]
    return [code[:w] for w in widths if w < len(code)]


def reaches_every_level(warning: Warning) -> bool:
    """Orange and red reach every level below at once; blue and yellow follow the setting."""
    return warning.colour in URGENT_COLOURS or settings.GRIDGOV_WARNING_LOW_CASCADE != "forward"


def recipient_areas(warning: Warning, target_codes: list[str]) -> QuerySet:
    """(user, scope area) rows of the staff a warning reaches: areas strictly below the issuer
    inside the targets (the targets' own ancestors below the issuer included), only the next
    level down when the warning is forwarded level by level. Highest areas first, so a person
    holding several areas gets the receipt of the highest."""
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
        .order_by("code_length", "area__code", "user_id")
    )


def _insert_select(model, columns: list[str], queryset: QuerySet) -> int:
    """INSERT INTO model (columns) SELECT …, skipping rows a unique constraint already holds
    (the first of several rows for one key wins: the queryset's order decides)."""
    sql, params = queryset.query.sql_with_params()
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c]) for c in columns)
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


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
    reached = _insert_select(Receipt, RECEIPT_COLUMNS, rows)
    if warning.colour in URGENT_COLOURS:
        send_sms(
            warning, Receipt.objects.filter(warning=warning, channel=Channel.APP), now, step="issue"
        )
    return reached


def send_sms(
    warning: Warning,
    app_receipts: QuerySet,
    now: datetime.datetime,
    *,
    step: str,
    reminder: bool = False,
) -> int:
    """SMS receipts (made when missing) for the people of `app_receipts` who have a phone, and
    one outbox row each; idempotent per (warning, person, step). Returns the rows queued."""
    constants = _constants(warning, Channel.SMS, now, sent=False)
    rows = (
        app_receipts.exclude(user__phone="")
        .annotate(**constants)
        .order_by()
        .values_list("user_id", "area_code", "level", *constants)
    )
    _insert_select(Receipt, RECEIPT_COLUMNS, rows)
    targets = Receipt.objects.filter(
        warning=warning, channel=Channel.SMS, user_id__in=app_receipts.values("user_id")
    ).values_list("pk", "user_id", "user__phone")
    body = sms_text(warning, reminder=reminder)
    queued = [
        (
            "sms",
            phone,
            body,
            Priority.WARNING,
            f"warnings.receipt:{pk}",
            f"warnings:{warning.pk}:{user_id}:{step}",
            user_id,
        )
        for pk, user_id, phone in targets.iterator(chunk_size=BATCH)
        if phone
    ]
    insert_rows(
        Outbox,
        ["channel", "destination", "body", "priority", "source", "dedupe_key", "user_id"],
        queued,
    )
    return len(queued)


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


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Append rows in one statement per batch, skipping those a unique constraint already holds
    (as bulk_create(ignore_conflicts=True) would, without building a model object per row: a
    city's 30,000 receipts and SMS rows go in well under a second). Columns not given get the
    field's default, prepared once."""
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    extra, defaults = [], []
    now = timezone.now()
    for name, f in fields.items():
        if name in columns:
            continue
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        value = now if auto else f.get_default()
        extra.append(f.column)
        defaults.append(f.get_db_prep_save(value, connection))
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in [fields[c].column for c in columns] + extra)
    marks = ", ".join(["%s"] * (len(columns) + len(extra)))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT DO NOTHING"
    )
    memo: dict = {}  # a city's rows share a handful of timestamps: prepare each once

    def prep(column: str, value):
        if not isinstance(value, datetime.datetime):
            return value
        key = (column, value)
        if key not in memo:
            memo[key] = fields[column].get_db_prep_save(value, connection)
        return memo[key]

    tail = tuple(defaults)
    prepared = [tuple(prep(c, v) for c, v in zip(columns, row, strict=True)) + tail for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), BATCH):
            cursor.executemany(sql, prepared[start : start + BATCH])
