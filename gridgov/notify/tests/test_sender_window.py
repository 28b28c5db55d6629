"""The sender's sliding window: at most `concurrency` messages are ever accepted by the gateway
and not yet written back, a slow message does not hold the others, every answer is recorded."""

import threading
import time

import pytest

from gridgov.notify import outbox
from gridgov.notify.gateways import GATEWAYS, OutgoingMessage, SendResult
from gridgov.notify.models import Outbox, OutboxStatus, Priority

pytestmark = pytest.mark.django_db


class WatchedGateway:
    """Accepts every message; counts those accepted and not yet recorded by the sender."""

    name = "watched"

    def __init__(self, slow: set[str] = frozenset(), fail: set[str] = frozenset()):
        self.lock = threading.Lock()
        self.unrecorded: set[str] = set()
        self.most = 0
        self.slow, self.fail = slow, fail
        self.order: list[str] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        if message.destination in self.slow:
            time.sleep(0.3)
        with self.lock:
            self.unrecorded.add(message.id)
            self.most = max(self.most, len(self.unrecorded))
            self.order.append(message.destination)
        if message.destination in self.fail:
            return SendResult(ok=False, error="busy")
        return SendResult(ok=True, gateway_id=f"gw-{message.id}", request="GET", response="0")


@pytest.fixture
def watched(monkeypatch):
    gateway = WatchedGateway(slow={"13900000000"}, fail={"13900000005"})
    monkeypatch.setitem(GATEWAYS, "sms", lambda: gateway)
    record = outbox.record_answers

    def recording(answers, now):
        record(answers, now)
        with gateway.lock:
            gateway.unrecorded -= {str(row.pk) for row, _, _ in answers}

    monkeypatch.setattr(outbox, "record_answers", recording)
    return gateway


def test_the_window_never_holds_more_than_the_concurrency(watched):
    outbox.enqueue_messages(
        "sms",
        [
            {"destination": f"139{k:08d}", "body": "预警", "priority": Priority.WARNING}
            for k in range(40)
        ],
    )
    counts = outbox.send_due(concurrency=4)
    assert counts == {"sent": 39, "not_sent": 1}
    assert watched.most <= 4
    assert not watched.unrecorded
    # the slow first message did not hold the window: others went out meanwhile
    assert watched.order.index("13900000000") > 3
    sent = Outbox.objects.filter(status=OutboxStatus.SENT)
    assert sent.count() == 39
    assert set(sent.values_list("gateway", flat=True)) == {"watched"}
    assert sent.get(destination="13900000001").gateway_id.startswith("gw-")
    retry = Outbox.objects.get(destination="13900000005")
    assert retry.status == OutboxStatus.PENDING and retry.error == "busy"
    assert retry.next_attempt_at is not None and retry.leased_until is None


def test_a_stop_waits_for_the_messages_out_and_records_them(watched):
    outbox.enqueue_messages(
        "sms",
        [
            {"destination": f"139{k:08d}", "body": "x", "priority": Priority.WARNING}
            for k in range(8)
        ],
    )
    stopping = threading.Event()
    stopping.set()  # asked to stop before the first round: nothing is leased
    assert outbox.send_due(concurrency=4, stopping=stopping) == {"sent": 0, "not_sent": 0}
    assert outbox.send_due(concurrency=4, limit=5) == {"sent": 5, "not_sent": 0}
    assert not watched.unrecorded
    assert (
        Outbox.objects.filter(status=OutboxStatus.PENDING, leased_until__isnull=False).count() == 0
    )


def test_an_answer_does_not_overwrite_a_row_settled_meanwhile(watched):
    row = outbox.enqueue_message("sms", "13900000009", "x", priority=Priority.WARNING)
    (leased,) = outbox.claim_due(n=1)
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.FAILED, error="cancelled")
    outbox.record_answers(
        [(leased, watched, SendResult(ok=True, gateway_id="late"))], row.created_at
    )
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.error == "cancelled" and row.gateway_id == ""
