"""Notifications: in-app messages, and SMS through the outbox (delivered after commit)."""

from collections.abc import Iterable

from django.utils import timezone

from gridgov.notify.models import Message, Priority
from gridgov.notify.outbox import enqueue_messages


def notify(
    users: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    *,
    sms: bool = False,
    source: str = "",
    priority: int = Priority.CASE_STEP,
    area_code: str | None = None,
) -> int:
    """Message each user in the app (and by SMS when asked and they have a phone); call inside
    the transaction that caused it, so a rollback sends nothing. The SMS rows carry the SMS
    platform's rules (parts, opt-out, send window: notify.outbox); `area_code` is whose log
    shows them (by default each addressee's first scope area)."""
    users = [u for u in users if u is not None]
    Message.objects.bulk_create(
        [Message(user=u, title=title[:200], body=body, url=url) for u in users]
    )
    if sms:
        text = f"{title} {body}".strip()[:500]
        enqueue_messages(
            "sms",
            [
                {
                    "destination": u.phone,
                    "body": text,
                    "user": u,
                    "source": source,
                    "priority": priority,
                    "area_code": area_code,
                }
                for u in users
                if u.phone
            ],
        )
    return len(users)


def mark_read(user, message_ids: Iterable[int] | None = None) -> int:
    unread = Message.objects.filter(user=user, read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=list(message_ids))
    return unread.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).count()
