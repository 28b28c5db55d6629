"""Notifications: in-app messages and SMS through the outbox (never sent inside a transaction)."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gridgov.jobs.services import enqueue
from gridgov.notify.gateways import gateway
from gridgov.notify.models import Message, Outbox, OutboxStatus

MAX_ATTEMPTS = 6


def notify(
    users: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    *,
    sms: bool = False,
    source: str = "",
) -> int:
    """Message each user in the app (and by SMS when asked and they have a phone); call inside
    the transaction that caused it, so a rollback sends nothing."""
    users = [u for u in users if u is not None]
    Message.objects.bulk_create(
        [Message(user=u, title=title[:200], body=body, url=url) for u in users]
    )
    if sms:
        rows = [
            Outbox(phone=u.phone, body=f"{title} {body}"[:500], user=u, source=source)
            for u in users
            if u.phone
        ]
        if rows:
            Outbox.objects.bulk_create(rows)
            transaction.on_commit(lambda: enqueue("notify.send_sms", unique_key="notify.send_sms"))
    return len(users)


def send_pending(limit: int = 500) -> dict:
    """Send what is due; failures are retried with exponential backoff, then marked failed."""
    now = timezone.now()
    due = list(
        Outbox.objects.filter(status=OutboxStatus.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("id")[:limit]
    )
    sender = gateway()
    sent = failed = 0
    for row in due:
        result = sender.send(row.phone, row.body)
        row.attempts += 1
        if result.ok:
            row.status, row.sent_at, row.gateway_id, row.error = (
                OutboxStatus.SENT,
                timezone.now(),
                result.gateway_id,
                "",
            )
            sent += 1
        else:
            row.error = result.error
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
                failed += 1
            else:
                row.next_attempt_at = timezone.now() + datetime.timedelta(
                    seconds=30 * 2**row.attempts
                )
        row.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "gateway_id",
                "error",
                "next_attempt_at",
            ]
        )
    return {"sent": sent, "failed": failed, "due": len(due)}


def mark_read(user, message_ids: Iterable[int] | None = None) -> int:
    unread = Message.objects.filter(user=user, read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=list(message_ids))
    return unread.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).count()
