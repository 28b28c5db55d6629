"""What the SMS platform reports about warnings: delivery reports update receipts, and a reply
carrying a warning's code acknowledges it (connected in WarningsConfig.ready)."""

import re

from gridgov.accounts.models import User
from gridgov.warnings import services
from gridgov.warnings.models import Receipt, State, Warning

SOURCE_PREFIX = "warnings.receipt:"
CODE = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def on_delivery(sender=None, *, message, delivered: bool, at, **kwargs) -> None:
    source = getattr(message, "source", "") or ""
    if not source.startswith(SOURCE_PREFIX):
        return
    try:
        receipt_id = int(source.removeprefix(SOURCE_PREFIX))
    except ValueError:
        return
    services.record_delivery(
        receipt_id, delivered=delivered, at=at, sent_at=getattr(message, "sent_at", None)
    )


def on_received(sender=None, *, phone: str, text: str, at=None, **kwargs) -> bool:
    """True when the text carries the code of an open warning sent to this phone's owner."""
    codes = set(CODE.findall(text or ""))
    if not codes or not phone:
        return False
    users = list(User.objects.filter(phone=phone, is_active=True))
    taken = False
    for user in users:
        open_ids = (
            Receipt.objects.filter(
                user=user,
                acknowledged_at__isnull=True,
                warning__state__in=[State.ISSUED, State.CLOSED],
                warning__ack_code__in=codes,
            )
            .values_list("warning_id", flat=True)
            .distinct()
        )
        for warning in Warning.objects.filter(pk__in=list(open_ids)):
            services.acknowledge(warning, acting_user=user, via="sms", at=at)
            taken = True
    return taken
