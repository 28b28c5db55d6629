"""The outbox: one delivery mechanism for every outbound channel (docs/outbox.md).

Callers write a row inside the transaction that caused it (`enqueue_message`); a sender
(`gridgov sender`, and the periodic job `notify.send_outbox` as a fallback) leases the most urgent
due row, hands it to the channel's gateway and records the answer. Delivery is at least once: a
sender killed after the gateway accepted a message but before the row was marked sends it again
once its lease ends, with the same message id.
"""

import collections
import datetime
import logging
import os
import queue
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from gridgov.notify import segments, sending_rules
from gridgov.notify.gateways import Gateway, OutgoingMessage, SendResult, gateway_for
from gridgov.notify.models import Outbox, OutboxStatus, Priority

if TYPE_CHECKING:
    from gridgov.accounts.models import User

logger = logging.getLogger(__name__)
SENDER_NAME = f"{socket.gethostname()}:{os.getpid()}"
MAX_BACKOFF_SECONDS = 3600
CLAIM_WINDOW = 20  # due rows looked at per claim, most urgent first
# A concurrent sender keeps up to this many times its concurrency leased ahead: one claim feeds
# several rounds (a claim costs more than a round's answers).
LEASED_AHEAD = 3


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
    area_code: str | None = None,
    not_before: datetime.datetime | None = None,
    **sms_fields: Any,
) -> Outbox:
    """Queue one message (call inside the transaction that caused it, so a rollback sends
    nothing). With a dedupe key, a message already queued under it on the channel is returned.

    SMS (docs/sms.md): `area_code` is the unit whose log and statistics show it (by default the
    addressee's first scope area); the row is billed in parts, a number on the opt-out list is
    recorded as failed (except warnings to staff), and bulk waits for the send window.
    `not_before` sends it no earlier (a scheduled send)."""
    if dedupe_key:
        existing = Outbox.objects.filter(channel=channel, dedupe_key=dedupe_key).first()
        if existing:
            return existing
    row = Outbox(
        channel=channel,
        destination=destination,
        body=body,
        payload=payload or {},
        priority=priority,
        source=source[:100],
        dedupe_key=dedupe_key or None,
        user=user,
        next_attempt_at=not_before,
        **sms_fields,
    )
    if channel == "sms":
        _apply_sms_rules(row, area_code)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            return row
    except IntegrityError:
        if not dedupe_key:
            raise
        return Outbox.objects.get(channel=channel, dedupe_key=dedupe_key)


def enqueue_messages(channel: str, messages: list[dict[str, Any]]) -> None:
    """Queue many messages at once (a warning to thousands): each dict holds enqueue_message's
    arguments (`destination`, `body`, `priority`, `source`, `dedupe_key`, `user`, `area_code`,
    …). The same rules apply; a message whose dedupe key is already queued is skipped."""
    rows = []
    for m in messages:
        m = dict(m)
        area_code = m.pop("area_code", None)
        row = Outbox(
            channel=channel,
            destination=m.pop("destination"),
            body=m.pop("body", ""),
            payload=m.pop("payload", None) or {},
            source=m.pop("source", "")[:100],
            dedupe_key=m.pop("dedupe_key", None) or None,
            next_attempt_at=m.pop("not_before", None),
            **m,
        )
        if channel == "sms":
            _apply_sms_rules(row, area_code, check_opt_out=False)
        rows.append(row)
    if channel == "sms":
        for priority, to_staff in {(r.priority, r.user_id is not None) for r in rows}:
            group = [r for r in rows if (r.priority, r.user_id is not None) == (priority, to_staff)]
            out = sending_rules.suppressed(
                [r.destination for r in group], priority=priority, to_staff=to_staff
            )
            for row in group:
                if row.destination in out:
                    row.status, row.error = OutboxStatus.FAILED, sending_rules.OPTED_OUT
    Outbox.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def _apply_sms_rules(row: Outbox, area_code: str | None, check_opt_out: bool = True) -> None:
    if area_code is None and row.user is not None:
        area_code = row.user.audit_area_code
    row.area_code = area_code or ""
    row.parts = segments.count(row.body).parts
    if check_opt_out and sending_rules.suppressed(
        [row.destination], priority=row.priority, to_staff=row.user is not None
    ):
        row.status, row.error = OutboxStatus.FAILED, sending_rules.OPTED_OUT
        return
    if sending_rules.waits_for_window(row.priority):
        opening = sending_rules.window_opening(row.next_attempt_at)
        if opening is not None:
            row.next_attempt_at = opening


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


def _near_limit(rows: list[Outbox], now: datetime.datetime) -> set[tuple[str, str]]:
    """The (channel, destination) pairs among `rows` that have reached their rate limit: one
    query per channel, so most rows need no look of their own."""
    busy: set[tuple[str, str]] = set()
    for channel in {r.channel for r in rows}:
        limit = settings.GRIDGOV_OUTBOX_RATE_LIMITS.get(channel)
        if not limit:
            continue
        count, seconds = limit
        destinations = {r.destination for r in rows if r.channel == channel}
        full = (
            Outbox.objects.filter(
                channel=channel,
                destination__in=destinations,
                sent_at__gt=now - datetime.timedelta(seconds=seconds),
            )
            .values("destination")
            .annotate(n=Count("id"))
            .filter(n__gte=count)
            .values_list("destination", flat=True)
        )
        busy.update((channel, d) for d in full)
    return busy


def look_up_phones(rows: list[Outbox]) -> None:
    """Rows queued for a user without a number get the user's phone in memory (one query for
    all of them): the sender before sending (the row keeps it once the answer is recorded), the
    SMS log pages before showing it masked."""
    wanted = {r.user_id for r in rows if not r.destination and r.user_id}
    if not wanted:
        return
    from gridgov.accounts.models import User

    phones = dict(User.objects.filter(pk__in=wanted).values_list("pk", "phone"))
    for row in rows:
        if not row.destination and row.user_id:
            row.destination = phones.get(row.user_id, "")


def claim_next(sender: str = SENDER_NAME, now: datetime.datetime | None = None) -> Outbox | None:
    """Lease the most urgent due message for `sender`, or None when nothing is due."""
    rows = claim_due(sender, 1, now)
    return rows[0] if rows else None


def claim_due(
    sender: str = SENDER_NAME,
    n: int = 1,
    now: datetime.datetime | None = None,
    skip: set[int] | frozenset[int] = frozenset(),
) -> list[Outbox]:
    """Lease up to `n` of the most urgent due messages for `sender` in one transaction. Rows over
    their destination's rate limit are put off instead. Other senders skip rows being claimed
    (SKIP LOCKED on PostgreSQL; SQLite takes one writer at a time). Rows in `skip` (this
    sender's own, still at the gateway) are never taken, even if their lease has run out."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.GRIDGOV_OUTBOX_LEASE_SECONDS)
    due_rows = (
        Outbox.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
    )
    if not due_rows.exists():  # a read first: an idle sender takes no write lock
        return []
    claimed: list[Outbox] = []
    with transaction.atomic():
        while len(claimed) < n:
            due = list(
                due_rows.exclude(pk__in=[r.pk for r in claimed] + sorted(skip))
                .select_for_update(skip_locked=True)
                .order_by("priority", "id")[: max(CLAIM_WINDOW, n)]
            )
            if not due:
                break
            look_up_phones(due)
            busy = _near_limit(due, now)
            for row in due:
                wait = _rate_wait(row, now) if (row.channel, row.destination) in busy else None
                if wait:
                    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=now + wait)
                    continue
                row.leased_until, row.leased_by = now + lease, sender
                row.attempts += 1
                claimed.append(row)
                if len(claimed) == n:
                    break
        Outbox.objects.filter(pk__in=[r.pk for r in claimed]).update(
            leased_until=now + lease, leased_by=sender, attempts=F("attempts") + 1
        )
    return claimed


def _send(row: Outbox, gateway: Gateway) -> SendResult:
    if not row.destination:
        return SendResult(ok=False, permanent=True, error="no destination (the user has no phone)")
    message = OutgoingMessage(
        id=str(row.pk),
        channel=row.channel,
        destination=row.destination,
        body=row.body,
        payload=row.payload,
    )
    try:
        return gateway.send(message)
    except Exception as exc:  # a broken gateway fails the attempt, never the sender
        logger.exception("gateway of %s failed on outbox %s", row.channel, row.pk)
        return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])


def send_now(rows: list[Outbox]) -> dict[str, int]:
    """Send these rows at once, in this thread, and record the answers as the sender does (an
    attempt counted each time): for a set-up that must show its deliveries before any sender runs,
    such as the demo's webhook log. Rows no longer pending are left alone."""
    rows = [r for r in rows if r.status == OutboxStatus.PENDING]
    gateways: dict[str, Gateway] = {}
    answers = []
    for row in rows:
        row.attempts += 1
        gateway = _gateway(gateways, row.channel)
        answers.append((row, gateway, _send(row, gateway)))
    Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(attempts=F("attempts") + 1)
    record_answers(answers, timezone.now())
    return {
        "sent": sum(1 for _r, _g, result in answers if result.ok),
        "not_sent": sum(1 for _r, _g, result in answers if not result.ok),
    }


def _calls(rows: list[Outbox], gateways: dict[str, Gateway]) -> list[tuple[list[Outbox], Gateway]]:
    """The gateway calls for `rows`, most urgent first: rows with the same text to different
    numbers (digits) share a call where the gateway takes several receivers (`send_many`), up to its
    `receivers_per_call`; every other row is a call of its own."""
    calls: list[tuple[list[Outbox], Gateway]] = []
    open_calls: dict[tuple[str, str], list[Outbox]] = {}
    for row in rows:
        gateway = _gateway(gateways, row.channel)
        size = getattr(gateway, "receivers_per_call", 1) if hasattr(gateway, "send_many") else 1
        if size <= 1 or not row.destination.isdigit():
            calls.append(([row], gateway))
            continue
        key = (row.channel, row.body)
        call = open_calls.get(key)
        if call is None or len(call) >= size or any(r.destination == row.destination for r in call):
            call = open_calls[key] = []
            calls.append((call, gateway))
        call.append(row)
    return calls


def _send_call(call: list[Outbox], gateway: Gateway) -> list[SendResult]:
    """One gateway call for the rows of `call` (see `_calls`): their answers, in order."""
    if len(call) == 1:
        return [_send(call[0], gateway)]
    messages = [
        OutgoingMessage(
            id=str(row.pk), channel=row.channel, destination=row.destination, body=row.body
        )
        for row in call
    ]
    try:
        return gateway.send_many(messages)  # type: ignore[attr-defined]
    except Exception as exc:  # a broken gateway fails the attempt, never the sender
        logger.exception("gateway of %s failed on outbox %s", call[0].channel, call[0].pk)
        return [SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500]) for _ in call]


RECORDED_FIELDS = [
    "destination",
    "status",
    "sent_at",
    "error",
    "next_attempt_at",
    "leased_until",
    "gateway",
    "gateway_request",
    "gateway_response",
]


def max_attempts(channel: str) -> int:
    """Attempts before a message fails for good: per channel where set (webhooks retry for a
    day and more), else GRIDGOV_OUTBOX_MAX_ATTEMPTS."""
    by_channel = settings.GRIDGOV_OUTBOX_MAX_ATTEMPTS_BY_CHANNEL
    return by_channel.get(channel, settings.GRIDGOV_OUTBOX_MAX_ATTEMPTS)


def record_answers(
    answers: list[tuple[Outbox, Gateway, SendResult]], now: datetime.datetime
) -> None:
    """Write the gateways' answers on the rows still pending: one prepared UPDATE run over the
    whole batch (executemany) in one transaction; a row answered meanwhile (a delivery report,
    a cancel) is left as it is by the statement's own status check."""
    changed = []
    for row, gateway, result in answers:
        row.gateway = getattr(gateway, "name", "")
        row.gateway_request, row.gateway_response = result.request, result.response
        row.leased_until = None
        if result.ok:
            row.status, row.sent_at, row.error = OutboxStatus.SENT, now, ""
        elif result.permanent or row.attempts >= max_attempts(row.channel):
            row.status, row.error = OutboxStatus.FAILED, result.error
            logger.warning("outbox %s failed for good: %s", row.pk, result.error)
        else:
            row.error = result.error
            row.next_attempt_at = now + datetime.timedelta(seconds=backoff_seconds(row.attempts))
        changed.append((row, (result.gateway_id or "")[:100] if result.ok else ""))
    if not changed:
        return
    connection = connections[Outbox.objects.db]
    meta = Outbox._meta
    fields = [meta.get_field(name) for name in RECORDED_FIELDS]
    quote = connection.ops.quote_name
    gateway_id = quote(meta.get_field("gateway_id").column)
    # names from the model's meta, values as parameters
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608
        + ", ".join(f"{quote(f.column)} = %s" for f in fields)
        # Kannel's id comes later, with the delivery report: keep one already known
        + f", {gateway_id} = CASE WHEN %s = '' THEN {gateway_id} ELSE %s END"
        + f" WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('status').column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
        + [known, known, row.pk, OutboxStatus.PENDING]
        for row, known in changed
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def deliver(row: Outbox, gateway: Gateway) -> SendResult:
    """Hand a leased row to its gateway and record the answer."""
    result = _send(row, gateway)
    record_answers([(row, gateway, result)], timezone.now())
    return result


def send_due(
    sender: str = SENDER_NAME,
    limit: int | None = None,
    concurrency: int = 1,
    stopping: threading.Event | None = None,
) -> dict[str, int]:
    """Send until nothing is due (rows committed meanwhile included), most urgent first; or
    until `stopping` is set (then the messages at the gateways are waited for and recorded).

    With `concurrency` > 1, up to that many messages are at the gateways at once, each in a
    thread of its own: a thread that has its answer takes the next message without waiting for
    the others (a sliding window, not lockstep batches). The main thread leases the next rows and
    writes the answers that have come back in one statement per round. A message holds its slot
    until its answer is written, so a sender killed at any moment leaves at most `concurrency`
    messages accepted and unmarked: they go again once their lease ends."""
    gateways: dict[str, Gateway] = {}
    counts = {"sent": 0, "not_sent": 0}
    pace = _Pace(settings.GRIDGOV_SMS_GATEWAY_RATE)

    def room() -> int:
        if limit is None:
            return concurrency
        return min(concurrency, limit - sum(counts.values()))

    def count(results: list[SendResult]) -> None:
        for result in results:
            counts["sent" if result.ok else "not_sent"] += 1

    if concurrency <= 1:
        while room() > 0 and not (stopping and stopping.is_set()):
            rows = claim_due(sender, 1)
            if not rows:
                break
            gateway = _gateway(gateways, rows[0].channel)
            result = _send(rows[0], gateway)
            record_answers([(rows[0], gateway, result)], timezone.now())
            count([result])
            pace.wait(1 if rows[0].channel == "sms" else 0)
        return counts
    answers: queue.SimpleQueue[tuple[Outbox, Gateway, SendResult]] = queue.SimpleQueue()
    at_gateway: set[int] = set()
    submitted = 0

    def work(call: list[Outbox], gateway: Gateway) -> None:
        for row, result in zip(call, _send_call(call, gateway), strict=True):
            answers.put((row, gateway, result))

    done: list[tuple[Outbox, Gateway, SendResult]] = []
    # Rows leased ahead of the gateway's free slots, so that most rounds only write answers: a
    # message leased but not yet sent is never doubled by a kill, it waits for its lease.
    ahead: collections.deque[Outbox] = collections.deque()
    margin = datetime.timedelta(seconds=settings.GRIDGOV_OUTBOX_LEASE_SECONDS / 2)
    with ThreadPoolExecutor(concurrency) as pool:
        while True:
            free = concurrency - len(at_gateway) + len(done)
            if limit is not None:
                free = min(free, limit - submitted)
            halt = bool(stopping and stopping.is_set())
            now = timezone.now()
            # a row whose lease is half gone is handed back rather than sent late
            late = [
                r for r in ahead if halt or r.leased_until is None or r.leased_until - now < margin
            ]
            if late:
                ahead = collections.deque(r for r in ahead if r not in late)
            wanted = 0
            if not halt and free > 0 and len(ahead) < free + concurrency:
                wanted = free + LEASED_AHEAD * concurrency - len(ahead)
                if limit is not None:
                    wanted = min(wanted, limit - submitted - len(ahead))
            # the answers back and the next lease in one transaction: one write a round
            with transaction.atomic():
                if done:
                    record_answers(done, now)
                if late:
                    _hand_back(late, sender)
                skip = at_gateway - {row.pk for row, _, _ in done}
                leased = {r.pk for r in ahead}
                rows = claim_due(sender, wanted, skip=skip | leased) if wanted > 0 else []
            ahead.extend(rows)
            at_gateway = skip
            count([result for _, _, result in done])
            going = [ahead.popleft() for _ in range(min(max(free, 0), len(ahead)))]
            for call, gateway in _calls(going, gateways):
                at_gateway.update(row.pk for row in call)
                pool.submit(work, call, gateway)
            submitted += len(going)
            if not at_gateway:  # (rows are leased ahead only within the limit and while going on)
                break
            pace.wait(sum(1 for row in going if row.channel == "sms"))
            done = _answers_back(answers, want=max(1, len(at_gateway) // 2))
    return counts


def _hand_back(rows: list[Outbox], sender: str) -> None:
    """Give leased, unsent rows back to the queue at once (their attempt did not happen)."""
    Outbox.objects.filter(
        pk__in=[r.pk for r in rows], leased_by=sender, status=OutboxStatus.PENDING
    ).update(leased_until=None, attempts=F("attempts") - 1)


def _answers_back(answers: queue.SimpleQueue, want: int, linger: float = 0.005) -> list:
    """Wait for one answer, then up to `linger` seconds for `want` of them in all: a round writes
    several answers at once without holding a slot for long."""
    done = [answers.get()]
    deadline = time.monotonic() + linger
    while len(done) < want:
        left = deadline - time.monotonic()
        try:
            done.append(answers.get(timeout=left) if left > 0 else answers.get_nowait())
        except queue.Empty:
            break
    while True:
        try:
            done.append(answers.get_nowait())
        except queue.Empty:
            return done


def _gateway(gateways: dict[str, Gateway], channel: str) -> Gateway:
    if channel not in gateways:
        try:
            gateways[channel] = gateway_for(channel)
        except LookupError as exc:
            gateways[channel] = _Refusing(str(exc))
    return gateways[channel]


class _Pace:
    """The gateway's rate limit (GRIDGOV_SMS_GATEWAY_RATE messages a second) in this sender."""

    def __init__(self, rate: float):
        self.rate, self.start, self.count = rate, time.monotonic(), 0

    def wait(self, n: int) -> None:
        if not self.rate or not n:
            return
        self.count += n
        ahead = self.count / self.rate - (time.monotonic() - self.start)
        if ahead > 0:
            time.sleep(ahead)


class _Refusing:
    """Stands in for a channel without a gateway: every message fails for good."""

    name = "none"

    def __init__(self, error: str):
        self.error = error

    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult(ok=False, error=self.error, permanent=True)
