"""Messages with the same text in one gateway call, the delivery reports of such a call, and
delivery reports written together."""

import datetime
import urllib.parse

import pytest

from gridgov.notify import delivery, outbox
from gridgov.notify.gateways import OutgoingMessage, SendResult
from gridgov.notify.models import Delivery, DeliveryReport, Outbox, OutboxStatus, Priority
from gridgov.notify.outbox import enqueue_message, send_due
from gridgov.notify.sms_gateways import KannelGateway, batch_of

pytestmark = pytest.mark.django_db


class Recording:
    """A gateway that takes several receivers a call and remembers its calls."""

    name = "recording"

    def __init__(self, per_call: int):
        self.receivers_per_call = per_call
        self.calls: list[list[str]] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        return self.send_many([message])[0]

    def send_many(self, messages: list[OutgoingMessage]) -> list[SendResult]:
        assert len({m.body for m in messages}) == 1
        self.calls.append([m.destination for m in messages])
        return [SendResult(ok=True, request=f"to {m.destination}") for m in messages]


@pytest.mark.parametrize(("per_call", "sizes"), [(3, [1, 3, 3]), (10, [1, 1, 5])])
def test_rows_with_the_same_text_share_a_call_up_to_the_gateway_s_size(
    monkeypatch, per_call, sizes
):
    gateway = Recording(per_call=per_call)
    monkeypatch.setattr(outbox, "gateway_for", lambda channel: gateway)
    warned = [enqueue_message("sms", f"1380000{n:04d}", "红色预警") for n in range(5)]
    other = enqueue_message("sms", "13900000001", "会议通知")
    again = enqueue_message("sms", "13800000000", "红色预警", dedupe_key="second")  # same number
    assert send_due(concurrency=8) == {"sent": 7, "not_sent": 0}
    calls = sorted(gateway.calls)
    assert sorted(len(c) for c in calls) == sizes
    for call in calls:
        assert len(set(call)) == len(call)  # never the same number twice in one call
    assert sorted(n for c in calls for n in c) == sorted(
        r.destination for r in [*warned, other, again]
    )
    for row in [*warned, other, again]:
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_a_gateway_without_calls_for_several_receivers_gets_one_message_a_call(monkeypatch):
    gateway = Recording(per_call=1)
    monkeypatch.setattr(outbox, "gateway_for", lambda channel: gateway)
    for n in range(4):
        enqueue_message("sms", f"1380000{n:04d}", "红色预警")
    assert send_due(concurrency=4) == {"sent": 4, "not_sent": 0}
    assert sorted(len(c) for c in gateway.calls) == [1, 1, 1, 1]


def test_a_failed_call_fails_each_of_its_messages_for_a_retry(monkeypatch):
    class Broken(Recording):
        def send_many(self, messages):
            raise ConnectionError("gateway down")

    monkeypatch.setattr(outbox, "gateway_for", lambda channel: Broken(per_call=4))
    rows = [enqueue_message("sms", f"1380000{n:04d}", "红色预警") for n in range(3)]
    assert send_due(concurrency=4) == {"sent": 0, "not_sent": 3}
    for row in rows:
        row.refresh_from_db()
        assert row.status == OutboxStatus.PENDING and "gateway down" in row.error


def _report_url(gateway: KannelGateway, rows: list[Outbox], receiver: str, kind: int = 1) -> str:
    """The dlr-url of one call as Kannel fills it in for `receiver`."""
    messages = [
        OutgoingMessage(id=str(r.pk), channel="sms", destination=r.destination, body=r.body)
        for r in rows
    ]
    url = gateway.batch_dlr_url(messages)
    filled = url.replace("%p", urllib.parse.quote(receiver))  # Kannel escapes what it fills in
    filled = filled.replace("%d", str(kind)).replace("%T", "1800000000")
    return filled.replace("%A", "").replace("%F", "kannel-7").removeprefix("http://platform")


def test_a_report_for_a_call_to_several_receivers_lands_on_the_receiver_s_row(client):
    gateway = KannelGateway(
        "http://kannel/cgi-bin/sendsms", "u", "p", "10690000", "http://platform"
    )
    rows = [enqueue_message("sms", f"1380000{n:04d}", "红色预警") for n in range(3)]
    url = _report_url(gateway, rows, receiver="13800000001")
    assert client.get(url).status_code == 200
    for row in rows:
        row.refresh_from_db()
    assert [r.delivery for r in rows] == ["", Delivery.DELIVERED, ""]
    assert rows[1].gateway_id == "kannel-7" and rows[1].delivered_at.timestamp() == 1800000000
    assert list(DeliveryReport.objects.values_list("message_id", "kind")) == [(rows[1].pk, 1)]
    # Kannel may give the number with the country code
    assert client.get(_report_url(gateway, rows, receiver="+8613800000002")).status_code == 200
    rows[2].refresh_from_db()
    assert rows[2].delivery == Delivery.DELIVERED


def test_a_forged_or_stray_report_for_a_call_changes_nothing(client):
    gateway = KannelGateway(
        "http://kannel/cgi-bin/sendsms", "u", "p", "10690000", "http://platform"
    )
    rows = [enqueue_message("sms", f"1380000{n:04d}", "红色预警") for n in range(2)]
    url = _report_url(gateway, rows, receiver="13800000001")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    path = urllib.parse.urlsplit(url).path
    # another row slipped into the signed list: the token no longer matches
    forged = {**query, "b": query["b"] + f"-{rows[0].pk + 99}.13900000000"}
    assert client.get(path, forged).status_code == 404
    # a receiver the call did not have
    assert client.get(path, {**query, "to": "13900000000"}).status_code == 404
    assert not Outbox.objects.exclude(delivery="").exists()
    assert not DeliveryReport.objects.exists()
    # the signed list itself is malformed
    from gridgov.notify.sms_gateways import dlr_token

    bad = "12.x"
    answer = client.get(path, {**query, "b": bad, "t": dlr_token(f"{rows[0].pk}:{bad}")})
    assert answer.status_code == 400


@pytest.mark.parametrize("rows", ["", "1", "1.", ".138", "1.138-", "1.13a", "1%2.138"])
def test_a_malformed_receiver_list_is_refused(rows):
    with pytest.raises(ValueError):
        batch_of(rows)


def test_reports_written_together_each_find_their_row():
    rows = [
        enqueue_message("sms", f"1380000{n:04d}", "红色预警", priority=Priority.WARNING)
        for n in range(3)
    ]
    at = datetime.datetime(2027, 1, 15, 2, 0, tzinfo=datetime.UTC)
    batch = [
        delivery._Report(rows[0].pk, delivery.DELIVERED, at, "", "k-0"),
        delivery._Report(rows[1].pk, delivery.SMSC_REJECTED, at, "空号", "k-1"),
        delivery._Report(rows[2].pk, delivery.SMSC_ACCEPTED, at, "", "k-2"),  # not final
        delivery._Report(rows[2].pk + 1000, delivery.DELIVERED, at, "", "k-x"),  # unknown row
    ]
    delivery._write(batch)
    assert [r.row is not None for r in batch] == [True, True, True, False]
    for row in rows:
        row.refresh_from_db()
    assert [(r.delivery, r.gateway_id) for r in rows] == [
        (Delivery.DELIVERED, "k-0"),
        (Delivery.UNDELIVERED, "k-1"),
        ("", "k-2"),
    ]
    assert rows[1].delivery_error == "空号" and rows[0].delivered_at == at
    assert DeliveryReport.objects.count() == 3


def test_rows_leased_ahead_go_back_unspent_when_the_sender_stops(monkeypatch):
    import threading

    stopping = threading.Event()

    class Stopping(Recording):
        def send_many(self, messages):
            stopping.set()  # SIGTERM while the first call is out
            return super().send_many(messages)

    gateway = Stopping(per_call=2)
    monkeypatch.setattr(outbox, "gateway_for", lambda channel: gateway)
    rows = [enqueue_message("sms", f"1380000{n:04d}", "红色预警") for n in range(12)]
    assert send_due(concurrency=2, stopping=stopping) == {"sent": 2, "not_sent": 0}
    sent = {n for call in gateway.calls for n in call}
    for row in rows:
        row.refresh_from_db()
        if row.destination in sent:
            assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
        else:  # leased ahead, never at the gateway: due again at once, no attempt spent
            assert (row.status, row.attempts, row.leased_until) == (OutboxStatus.PENDING, 0, None)
