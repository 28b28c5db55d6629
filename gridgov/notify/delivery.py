"""What comes back from the SMS gateway: delivery reports and inbound texts (docs/sms.md)."""

import datetime
import logging

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.system import SMS_INTAKE, system_user
from gridgov.notify.models import Delivery, DeliveryReport, OptOut, Outbox
from gridgov.notify.signals import sms_delivery, sms_received

logger = logging.getLogger(__name__)

# Kannel's DLR types (the dlr-url's %d)
DELIVERED, FAILED, BUFFERED, SMSC_ACCEPTED, SMSC_REJECTED = 1, 2, 4, 8, 16
STOP_WORDS = {"STOP", "TD", "T", "退订", "取消"}


def record_delivery(
    message_id: int, *, kind: int, at: datetime.datetime, text: str = "", gateway_id: str = ""
) -> Outbox | None:
    """Record one delivery report for an outbox row (None when the row is unknown). A final
    report (delivered, failed, rejected) sets the row's delivery state and, after commit, sends
    `signals.sms_delivery`. A few statements, no row lock: reports come in hundreds a second."""
    fields: dict = {}
    delivered = None
    if kind & DELIVERED:
        delivered = True
        fields.update(delivery=Delivery.DELIVERED, delivered_at=at, delivery_error="")
    elif kind & (FAILED | SMSC_REJECTED):
        delivered = False
        reason = text or (_("rejected by the SMSC") if kind & SMSC_REJECTED else _("failed"))
        fields.update(delivery=Delivery.UNDELIVERED, delivered_at=at, delivery_error=reason)
    with transaction.atomic():
        rows = Outbox.objects.filter(pk=message_id)
        if gateway_id:  # the gateway's id, unless one is known already (same statement)
            fields["gateway_id"] = Case(
                When(gateway_id="", then=Value(gateway_id[:100])), default=F("gateway_id")
            )
        if not (rows.update(**fields) if fields else rows.exists()):
            return None
        fields.pop("gateway_id", None)
        DeliveryReport.objects.create(message_id=message_id, at=at, kind=kind, text=text[:300])
        if delivered is None or not sms_delivery.has_listeners(Outbox):
            return Outbox(pk=message_id, **fields)
        row = rows.get()
        transaction.on_commit(
            lambda: sms_delivery.send(sender=Outbox, message=row, delivered=delivered, at=at)
        )
    return row


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
