"""The outbox: one delivery mechanism for every outbound channel (docs/outbox.md).

Callers write a row inside the transaction that caused it (`enqueue_message`); a sender
(`gridgov sender`, and the periodic job `notify.send_outbox` as a fallback) leases the most urgent
due row, hands it to the channel's gateway and records the answer. Delivery is at least once: a
sender killed after the gateway accepted a message but before the row was marked sends it again
once its lease ends, with the same message id.
"""

import datetime
import logging
import os
import random
import socket
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.notify.gateways import Gateway, OutgoingMessage, SendResult, gateway_for
from gridgov.notify.models import Outbox, OutboxStatus, Priority

if TYPE_CHECKING:
    from gridgov.accounts.models import User

logger = logging.getLogger(__name__)
SENDER_NAME = f"{socket.gethostname()}:{os.getpid()}"
MAX_BACKOFF_SECONDS = 3600
CLAIM_WINDOW = 20  # due rows looked at per claim, most urgent first


def enqueue_message(
    channel: str,
    destination: str,
    body: str = "",
    *,
    payload: dict[str, Any] | None = None,
    priority: int = Priority.CASE_STEP,
    source: str = "",
    dedupe_key: str | None = None,
    user: "User | None" = None,
) -> Outbox:
    """Queue one message (call inside the transaction that caused it, so a rollback sends
    nothing). With a dedupe key, a message already queued under it on the channel is returned."""
    if dedupe_key:
        existing = Outbox.objects.filter(channel=channel, dedupe_key=dedupe_key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            return Outbox.objects.create(
                channel=channel,
                destination=destination,
                body=body,
                payload=payload or {},
                priority=priority,
                source=source[:100],
                dedupe_key=dedupe_key or None,
                user=user,
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return Outbox.objects.get(channel=channel, dedupe_key=dedupe_key)


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """How long to wait after the n-th failed attempt: RETRY·2^(n-1) seconds, at most an hour,
    with jitter — a random point in the upper half, so senders retrying together spread out."""
    ceiling = min(
        MAX_BACKOFF_SECONDS, settings.GRIDGOV_OUTBOX_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    )
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def _rate_wait(row: Outbox, now: datetime.datetime) -> datetime.timedelta | None:
    """How long the row must wait for its destination's rate limit, or None."""
    limit = settings.GRIDGOV_OUTBOX_RATE_LIMITS.get(row.channel)
    if not limit:
        return None
    count, seconds = limit
    window = datetime.timedelta(seconds=seconds)
    recent = list(
        Outbox.objects.filter(
            channel=row.channel, destination=row.destination, sent_at__gt=now - window
        )
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)[:count]
    )
    if len(recent) < count:
        return None
    return recent[-1] + window - now


def claim_next(sender: str = SENDER_NAME, now: datetime.datetime | None = None) -> Outbox | None:
    """Lease the most urgent due message for `sender`, or None when nothing is due. Rows over their
    destination's rate limit are put off instead. Other senders skip rows being claimed
    (SKIP LOCKED on PostgreSQL; SQLite takes one writer at a time)."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.GRIDGOV_OUTBOX_LEASE_SECONDS)
    due_rows = (
        Outbox.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
    )
    if not due_rows.exists():  # a read first: an idle sender takes no write lock
        return None
    with transaction.atomic():
        while True:
            due = list(
                due_rows.select_for_update(skip_locked=True).order_by("priority", "id")[
                    :CLAIM_WINDOW
                ]
            )
            if not due:
                return None
            for row in due:
                wait = _rate_wait(row, now)
                if wait:
                    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=now + wait)
                    continue
                row.leased_until, row.leased_by = now + lease, sender
                row.attempts += 1
                row.save(update_fields=["leased_until", "leased_by", "attempts"])
                return row


def deliver(row: Outbox, gateway: Gateway) -> SendResult:
    """Hand a leased row to its gateway and record the answer."""
    message = OutgoingMessage(
        id=str(row.pk),
        channel=row.channel,
        destination=row.destination,
        body=row.body,
        payload=row.payload,
    )
    try:
        result = gateway.send(message)
    except Exception as exc:  # a broken gateway fails the attempt, never the sender
        logger.exception("gateway of %s failed on outbox %s", row.channel, row.pk)
        result = SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
    now = timezone.now()
    with transaction.atomic():
        still_pending = Outbox.objects.filter(pk=row.pk, status=OutboxStatus.PENDING)
        if result.ok:
            still_pending.update(
                status=OutboxStatus.SENT,
                sent_at=now,
                gateway_id=result.gateway_id,
                error="",
                leased_until=None,
            )
        elif result.permanent or row.attempts >= settings.GRIDGOV_OUTBOX_MAX_ATTEMPTS:
            still_pending.update(status=OutboxStatus.FAILED, error=result.error, leased_until=None)
            logger.warning("outbox %s failed for good: %s", row.pk, result.error)
        else:
            still_pending.update(
                error=result.error,
                leased_until=None,
                next_attempt_at=now + datetime.timedelta(seconds=backoff_seconds(row.attempts)),
            )
    return result


def send_due(sender: str = SENDER_NAME, limit: int | None = None) -> dict[str, int]:
    """Send until nothing is due (rows committed meanwhile included), most urgent first."""
    gateways: dict[str, Gateway] = {}
    counts = {"sent": 0, "not_sent": 0}
    while limit is None or sum(counts.values()) < limit:
        row = claim_next(sender)
        if row is None:
            break
        if row.channel not in gateways:
            try:
                gateways[row.channel] = gateway_for(row.channel)
            except LookupError as exc:
                gateways[row.channel] = _Refusing(str(exc))
        result = deliver(row, gateways[row.channel])
        counts["sent" if result.ok else "not_sent"] += 1
    return counts


class _Refusing:
    """Stands in for a channel without a gateway: every message fails for good."""

    def __init__(self, error: str):
        self.error = error

    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult(ok=False, error=self.error, permanent=True)
