import datetime
import random

import pytest
from django.db import transaction
from django.utils import timezone

from gridgov.notify import outbox
from gridgov.notify.gateways import OutgoingMessage, SendResult
from gridgov.notify.models import Outbox, OutboxStatus, Priority
from gridgov.notify.outbox import backoff_seconds, claim_next, deliver, enqueue_message, send_due
from gridgov.notify.services import notify


class Recording:
    """A gateway that answers `results` in turn (then ok) and remembers what it was given."""

    def __init__(self, *results: SendResult, during_send=None):
        self.results = list(results)
        self.sent: list[OutgoingMessage] = []
        self.during_send = during_send

    def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        if self.during_send:
            self.during_send(message)
        return self.results.pop(0) if self.results else SendResult(ok=True, gateway_id="gw")


@pytest.fixture
def gateway(monkeypatch):
    recording = Recording()
    monkeypatch.setattr(outbox, "gateway_for", lambda channel: recording)
    return recording


def sms(to: str = "13800001234", **kwargs) -> Outbox:
    return enqueue_message("sms", to, kwargs.pop("body", "hello"), **kwargs)


@pytest.mark.django_db
def test_a_dedupe_key_makes_enqueueing_idempotent():
    first = sms(dedupe_key="case-42-dispatch")
    again = sms(body="changed", dedupe_key="case-42-dispatch")
    other_channel = enqueue_message("webhook", "https://x.example/", dedupe_key="case-42-dispatch")
    assert again.pk == first.pk and again.body == "hello"
    assert other_channel.pk != first.pk
    assert sms().pk != sms().pk  # without a key every call is a message
    assert Outbox.objects.count() == 4


@pytest.mark.django_db
def test_the_most_urgent_message_goes_first(gateway, settings):
    settings.GRIDGOV_SMS_SEND_WINDOW = "00:00-23:59:59.999999"  # bulk waits for the window at night
    for priority in (Priority.BULK, Priority.CASE_STEP, Priority.VERIFICATION, Priority.WARNING):
        sms(to=f"1380000{priority:04d}", body=priority.name, priority=priority)
    sms(to="13800009999", body="second warning", priority=Priority.WARNING)
    assert send_due() == {"sent": 5, "not_sent": 0}
    assert [m.body for m in gateway.sent] == [
        "WARNING",
        "second warning",
        "VERIFICATION",
        "CASE_STEP",
        "BULK",
    ]


@pytest.mark.django_db
def test_a_leased_message_is_not_taken_again_until_its_lease_ends(settings):
    settings.GRIDGOV_OUTBOX_LEASE_SECONDS = 60
    row = sms()
    now = timezone.now()
    claimed = claim_next("sender-a", now=now)
    assert (claimed.pk, claimed.attempts, claimed.leased_by) == (row.pk, 1, "sender-a")
    assert claim_next("sender-b", now=now + datetime.timedelta(seconds=59)) is None
    # sender-a died with the message: once the lease ends another sender takes it, same id
    taken = claim_next("sender-b", now=now + datetime.timedelta(seconds=61))
    assert (taken.pk, taken.attempts, taken.leased_by) == (row.pk, 2, "sender-b")
    deliver(taken, Recording())
    taken.refresh_from_db()
    assert (taken.status, taken.leased_until) == (OutboxStatus.SENT, None)


@pytest.mark.django_db
def test_rows_committed_while_sending_are_sent_in_the_same_run(gateway):
    sms(body="first")
    gateway.during_send = lambda message: message.body == "first" and sms(body="meanwhile")
    assert send_due() == {"sent": 2, "not_sent": 0}
    assert not Outbox.objects.exclude(status=OutboxStatus.SENT).exists()


@pytest.mark.django_db
def test_the_outbox_id_is_the_message_id(gateway):
    row = sms()
    send_due()
    assert [m.id for m in gateway.sent] == [str(row.pk)]
    row.refresh_from_db()
    assert (row.status, row.gateway_id, row.attempts) == (OutboxStatus.SENT, "gw", 1)


@pytest.mark.django_db
def test_failures_back_off_with_jitter_then_give_up(settings, gateway):
    settings.GRIDGOV_OUTBOX_RETRY_SECONDS = 30
    settings.GRIDGOV_OUTBOX_MAX_ATTEMPTS = 3
    gateway.results = [SendResult(ok=False, error="busy")] * 3
    row = sms()
    waits = []
    now = timezone.now()
    for attempt in (1, 2, 3):
        claimed = claim_next("s", now=now)
        assert claimed.attempts == attempt
        before = timezone.now()
        deliver(claimed, gateway)
        row.refresh_from_db()
        if attempt < 3:
            assert row.status == OutboxStatus.PENDING and row.error == "busy"
            waits.append((row.next_attempt_at - before).total_seconds())
            assert claim_next("s", now=row.next_attempt_at - datetime.timedelta(seconds=1)) is None
            now = row.next_attempt_at
    assert row.status == OutboxStatus.FAILED
    assert 15 <= waits[0] <= 30.5 and 30 <= waits[1] <= 60.5


def test_backoff_doubles_is_capped_and_jittered_within_its_bounds(settings):
    settings.GRIDGOV_OUTBOX_RETRY_SECONDS = 30
    rng = random.Random(8)
    for attempts in range(1, 15):
        ceiling = min(3600, 30 * 2 ** (attempts - 1))
        samples = [backoff_seconds(attempts, rng) for _ in range(200)]
        assert all(ceiling / 2 <= s <= ceiling for s in samples)
        assert max(samples) - min(samples) > ceiling / 4  # spread, not one fixed delay


@pytest.mark.django_db
def test_a_refused_message_is_not_retried(gateway):
    gateway.results = [SendResult(ok=False, error="HTTP 400: bad number", permanent=True)]
    row = sms()
    assert send_due() == {"sent": 0, "not_sent": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (OutboxStatus.FAILED, 1, "HTTP 400: bad number")


@pytest.mark.django_db
def test_a_gateway_that_raises_fails_the_attempt_not_the_sender(gateway):
    def explode(message):
        raise RuntimeError("gateway bug")

    gateway.during_send = explode
    row = sms()
    assert send_due() == {"sent": 0, "not_sent": 1}
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and "gateway bug" in row.error
    assert row.next_attempt_at > timezone.now() and row.leased_until is None


@pytest.mark.django_db
def test_a_channel_without_a_gateway_fails_its_messages():
    row = enqueue_message("carrier-pigeon", "loft 3", "hello")
    assert send_due() == {"sent": 0, "not_sent": 1}
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and "carrier-pigeon" in row.error


@pytest.mark.django_db
def test_each_destination_is_rate_limited(settings, gateway):
    settings.GRIDGOV_OUTBOX_RATE_LIMITS = {"sms": (2, 60)}
    busy = [sms(to="13800000001", body=f"a{n}") for n in range(3)]
    sms(to="13800000002", body="b")
    assert send_due() == {"sent": 3, "not_sent": 0}
    assert [m.body for m in gateway.sent] == ["a0", "a1", "b"]
    first, _, third = (Outbox.objects.get(pk=r.pk) for r in busy)
    assert (third.status, third.attempts) == (OutboxStatus.PENDING, 0)
    assert third.next_attempt_at == first.sent_at + datetime.timedelta(seconds=60)
    assert claim_next("s", now=third.next_attempt_at).pk == third.pk


@pytest.mark.django_db
def test_notify_queues_sms_with_its_old_signature_and_a_priority(users):
    handler = users["member_a"]
    handler.phone = "13800001234"
    handler.save()
    notify([handler, None], "新案件", "井盖缺失", "/cases/1/", sms=True, source="cases.case:1")
    notify([handler], "红牌", sms=True, source="cases.case:1", priority=Priority.WARNING)
    rows = list(Outbox.objects.order_by("id").values("channel", "destination", "body", "priority"))
    assert rows == [
        {"channel": "sms", "destination": "13800001234", "body": "新案件 井盖缺失", "priority": 30},
        {"channel": "sms", "destination": "13800001234", "body": "红牌", "priority": 10},
    ]
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([handler], "rolled back", sms=True)
        raise RuntimeError
    assert Outbox.objects.count() == 2
