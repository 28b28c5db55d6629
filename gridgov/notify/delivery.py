"""What comes back from the SMS gateway: delivery reports and inbound texts (docs/sms.md)."""

import datetime
import logging
import threading
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.system import SMS_INTAKE, system_user
from gridgov.notify.models import Delivery, DeliveryReport, OptOut, Outbox
from gridgov.notify.signals import sms_delivery, sms_received

logger = logging.getLogger(__name__)

# Kannel's DLR types (the dlr-url's %d)
DELIVERED, FAILED, BUFFERED, SMSC_ACCEPTED, SMSC_REJECTED = 1, 2, 4, 8, 16
STOP_WORDS = {"STOP", "TD", "T", "退订", "取消"}


@dataclass
class _Report:
    message_id: int
    kind: int
    at: datetime.datetime
    text: str
    gateway_id: str
    done: bool = False
    row: Outbox | None = None
    error: BaseException | None = None


# Delivery reports that wait to be written, in this process (see record_delivery).
_waiting: list[_Report] = []
_turn = threading.Condition()
_writing = False
MAX_REPORTS_PER_TRANSACTION = 500


def record_delivery(
    message_id: int, *, kind: int, at: datetime.datetime, text: str = "", gateway_id: str = ""
) -> Outbox | None:
    """Record one delivery report for an outbox row (None when the row is unknown). A final
    report (delivered, failed, rejected) sets the row's delivery state and sends
    `signals.sms_delivery` inside the same transaction.

    Reports come in hundreds a second, each in a request of its own, and SQLite takes one writer
    at a time. So the reports that arrive in this process while one is being written wait and
    are written together, in one transaction, by the next request that finds the way free (a
    group commit); each request still answers only once its report is committed."""
    global _writing
    report = _Report(message_id, kind, at, text, gateway_id)
    with _turn:
        _waiting.append(report)
        while _writing and not report.done:
            _turn.wait()
        if not report.done:
            _writing = True
            batch = _waiting[:MAX_REPORTS_PER_TRANSACTION]
            del _waiting[: len(batch)]
    if not report.done:
        try:
            _write(batch)
        except BaseException as exc:  # every report of the batch fails (the gateway retries)
            for each in batch:
                each.error = exc
            raise
        finally:
            with _turn:
                for each in batch:
                    each.done = True
                _writing = False
                _turn.notify_all()
    if report.error is not None:
        raise report.error
    return report.row


def _fields(report: _Report) -> tuple[dict, bool | None]:
    """The outbox fields a report sets, and whether it says delivered (None: not final)."""
    if report.kind & DELIVERED:
        return {
            "delivery": Delivery.DELIVERED,
            "delivered_at": report.at,
            "delivery_error": "",
        }, True
    if report.kind & (FAILED | SMSC_REJECTED):
        reason = report.text or (
            _("rejected by the SMSC") if report.kind & SMSC_REJECTED else _("failed")
        )
        fields = {
            "delivery": Delivery.UNDELIVERED,
            "delivered_at": report.at,
            "delivery_error": reason,
        }
        return fields, False
    return {}, None


def _statements(connection) -> dict[str, str]:
    """The SQL of `_write`, names from the models' meta (values go as parameters)."""
    quote = connection.ops.quote_name
    outbox, report = Outbox._meta, DeliveryReport._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    table, pk = quote(outbox.db_table), quote(outbox.pk.column)
    gateway_id = column(outbox, "gateway_id")
    keep_known_id = f"{gateway_id} = CASE WHEN {gateway_id} = '' THEN %s ELSE {gateway_id} END"
    final = ", ".join(
        f"{column(outbox, name)} = %s" for name in ("delivery", "delivered_at", "delivery_error")
    )
    logged = ", ".join(column(report, name) for name in ("message", "at", "kind", "text"))
    # names from the models' meta, values as parameters
    source, sent_at = column(outbox, "source"), column(outbox, "sent_at")
    known = f"SELECT {pk}, {source}, {sent_at} FROM {table}"  # noqa: S608
    return {
        "known": known + f" WHERE {pk} IN (%s)",
        "final": f"UPDATE {table} SET {final}, {keep_known_id} WHERE {pk} = %s",  # noqa: S608
        "step": f"UPDATE {table} SET {keep_known_id} WHERE {pk} = %s",  # noqa: S608
        "log": f"INSERT INTO {quote(report.db_table)} ({logged}) VALUES (%s, %s, %s, %s)",  # noqa: S608
    }


def _write(batch: list[_Report]) -> None:
    """One transaction for the reports of `batch`: one read of their rows, one prepared UPDATE
    and one prepared INSERT run over the batch (executemany), then the signal. Plain SQL: the
    ORM's compiling cost more than the statements themselves at hundreds of reports a second."""
    connection = connections[Outbox.objects.db]
    sql = _statements(connection)
    listening = sms_delivery.has_listeners(Outbox)
    prepare_time = Outbox._meta.get_field("delivered_at")
    sent_at_field = Outbox._meta.get_field("sent_at")
    ids = sorted({r.message_id for r in batch})
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(sql["known"] % ", ".join(["%s"] * len(ids)), ids)
        known = {pk: (source, sent_at) for pk, source, sent_at in cursor.fetchall()}
        finals, steps, logged, told = [], [], [], []
        for report in batch:
            if report.message_id not in known:
                continue
            fields, delivered = _fields(report)
            reported_id = report.gateway_id[:100]
            at = prepare_time.get_db_prep_save(report.at, connection)
            if fields:
                error = fields["delivery_error"]
                finals.append([fields["delivery"], at, error, reported_id, report.message_id])
            elif reported_id:
                steps.append([reported_id, report.message_id])
            logged.append([report.message_id, at, report.kind, report.text[:300]])
            source, sent_at = known[report.message_id]
            sent_at = sent_at_field.to_python(sent_at)
            if sent_at is not None and timezone.is_naive(sent_at):
                sent_at = timezone.make_aware(sent_at, datetime.UTC)
            report.row = Outbox(pk=report.message_id, source=source, sent_at=sent_at, **fields)
            if delivered is not None and listening:
                told.append((report.row, delivered, report.at))
        if finals:
            cursor.executemany(sql["final"], finals)
        if steps:
            cursor.executemany(sql["step"], steps)
        if logged:
            cursor.executemany(sql["log"], logged)
        for row, delivered, at in told:
            _tell(row, delivered, at)


def _tell(row: Outbox, delivered: bool, at: datetime.datetime) -> None:
    """`sms_delivery` for one row, in a savepoint: a failing receiver loses its own writes and
    is logged; the reports are recorded all the same."""
    try:
        with transaction.atomic():
            sms_delivery.send(sender=Outbox, message=row, delivered=delivered, at=at)
    except Exception:
        logger.exception("an sms_delivery receiver failed on outbox %s", row.pk)


def receive_text(*, phone: str, text: str, message_id: str, at: datetime.datetime | None = None):
    """An inbound text: offered to `signals.sms_received` receivers (one that returns True
    takes it); otherwise it becomes a case report, as `/api/v1/cases/sms` makes it. Returns what
    became of it: "claimed" or the (case, created) pair."""
    at = at or timezone.now()
    answers = sms_received.send_robust(
        sender=None, phone=phone, text=text, message_id=message_id, at=at
    )
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error("sms_received receiver %r failed", receiver, exc_info=answer)
        elif answer is True:
            return "claimed"
    from gridgov.cases import services as case_services
    from gridgov.cases.models import Channel
    from gridgov.registry.gazetteer import place_of_text

    actor = system_user(SMS_INTAKE)
    where = place_of_text(actor, text) or {"address": _("(from SMS, to be located)")}
    return case_services.report_case(
        actor=actor,
        channel=Channel.SMS,
        description=text,
        title=text[:30],
        reporter_phone=phone,
        idempotency_key=f"sms-{message_id}"[:64],
        **where,
    )


def opt_out_on_stop(*, phone: str, text: str, **kwargs) -> bool:
    """A STOP (退订) reply puts the number on the opt-out list."""
    if text.strip().upper() not in STOP_WORDS:
        return False
    OptOut.objects.get_or_create(phone=phone, defaults={"reason": "STOP"})
    return True
