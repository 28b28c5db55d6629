"""The SMS platform's rules at enqueue: parts, the unit that owns a message, opt-out, the send
window; and a sender working several messages at once."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gridgov.notify import outbox
from gridgov.notify.gateways import SendResult
from gridgov.notify.models import OptOut, Outbox, OutboxStatus, Priority
from gridgov.notify.outbox import enqueue_message, send_due
from gridgov.notify.services import notify

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("local", "priority", "waits_until"),
    [
        ("2027-03-02 23:30", Priority.BULK, "2027-03-03 08:00"),
        ("2027-03-03 06:59", Priority.BULK, "2027-03-03 08:00"),
        ("2027-03-03 08:00", Priority.BULK, None),
        ("2027-03-03 20:59", Priority.BULK, None),
        ("2027-03-02 23:30", Priority.WARNING, None),
        ("2027-03-02 23:30", Priority.CASE_STEP, None),
    ],
)
def test_bulk_waits_for_the_send_window_in_local_time(local, priority, waits_until):
    with time_machine.travel(datetime.datetime.fromisoformat(local).replace(tzinfo=TZ), tick=False):
        row = enqueue_message("sms", "13800001234", "通知", priority=priority)
    expected = waits_until and datetime.datetime.fromisoformat(waits_until).replace(tzinfo=TZ)
    assert row.next_attempt_at == expected


@pytest.mark.django_db
def test_a_scheduled_bulk_send_at_night_waits_for_the_morning():
    night = datetime.datetime(2027, 3, 2, 22, 0, tzinfo=TZ)
    with time_machine.travel(datetime.datetime(2027, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        row = enqueue_message(
            "sms", "13800001234", "通知", priority=Priority.BULK, not_before=night
        )
    assert row.next_attempt_at == datetime.datetime(2027, 3, 3, 8, 0, tzinfo=TZ)


@pytest.mark.django_db
def test_opt_out_never_suppresses_a_warning_to_staff(users):
    member = users["member_a"]
    member.phone = "13800001234"
    member.save()
    OptOut.objects.create(phone="13800001234", reason="STOP")
    notify([member], "周报", sms=True, priority=Priority.BULK)
    notify([member], "红色预警", sms=True, priority=Priority.WARNING)
    rows = dict(Outbox.objects.values_list("body", "status"))
    assert rows == {"周报": OutboxStatus.FAILED, "红色预警": OutboxStatus.PENDING}


@pytest.mark.django_db
def test_a_message_belongs_to_its_addressee_s_unit_and_is_billed_in_parts(users):
    member = users["member_a"]
    member.phone = "13800001234"
    member.save()
    notify([member], "井" * 71, sms=True)
    row = Outbox.objects.get()
    assert (row.area_code, row.parts) == (member.scope_codes[0], 2)
    other = enqueue_message("sms", "13800001235", "hi", area_code="410105002")
    assert (other.area_code, other.parts) == ("410105002", 1)


@pytest.mark.django_db
def test_several_messages_go_to_the_gateway_at_once(monkeypatch):
    inside, most, lock = [0], [0], threading.Lock()
    both_in = threading.Barrier(2, timeout=5)

    class Slow:
        name = "slow"

        def send(self, message):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            both_in.wait()  # fails unless two messages are handed over together
            with lock:
                inside[0] -= 1
            return SendResult(ok=True, request=f"to {message.destination}", response="202")

    monkeypatch.setattr(outbox, "gateway_for", lambda channel: Slow())
    rows = [enqueue_message("sms", f"1380000{n:04d}", "hi") for n in range(6)]
    assert send_due(concurrency=2) == {"sent": 6, "not_sent": 0}
    assert most[0] == 2
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.gateway) == (OutboxStatus.SENT, 1, "slow")
        assert row.gateway_request == f"to {row.destination}"


@pytest.mark.django_db
def test_many_messages_are_queued_at_once_with_the_same_rules(users):
    member = users["member_a"]
    OptOut.objects.create(phone="13800000002", reason="STOP")
    enqueue_message("sms", "13800000009", "已在队列", dedupe_key="w1-9")
    messages = [
        {"destination": f"1380000000{n}", "body": "红色预警", "dedupe_key": f"w1-{n}"}
        for n in range(10)
    ]
    messages[1]["user"] = member
    outbox.enqueue_messages("sms", [{**m, "priority": Priority.WARNING} for m in messages])
    outbox.enqueue_messages("sms", [{**m, "priority": Priority.WARNING} for m in messages])
    rows = {r.destination: r for r in Outbox.objects.all()}
    assert len(rows) == 10 and rows["13800000009"].body == "已在队列"
    assert rows["13800000002"].status == OutboxStatus.FAILED  # a citizen who opted out
    assert rows["13800000001"].area_code == member.scope_codes[0]
    assert {r.priority for d, r in rows.items() if d != "13800000009"} == {Priority.WARNING}


@pytest.mark.django_db
def test_the_gateway_rate_limit_paces_the_sender(settings, monkeypatch):
    import time

    settings.GRIDGOV_SMS_GATEWAY_RATE = 20  # messages a second

    class Instant:
        name = "instant"

        def send(self, message):
            return SendResult(ok=True)

    monkeypatch.setattr(outbox, "gateway_for", lambda channel: Instant())
    for n in range(10):
        enqueue_message("sms", f"1380000{n:04d}", "hi")
    began = time.monotonic()
    assert send_due(concurrency=2) == {"sent": 10, "not_sent": 0}
    assert time.monotonic() - began >= 0.45


@pytest.mark.django_db
def test_a_failure_report_records_its_time_and_reason_and_tells_the_warnings(
    client, django_capture_on_commit_callbacks
):
    from gridgov.notify.models import DeliveryReport
    from gridgov.notify.signals import sms_delivery
    from gridgov.notify.sms_gateways import dlr_token

    row = enqueue_message("sms", "13800001234", "预警", priority=Priority.WARNING)
    told = []

    def remember(message, delivered, at, **kwargs):
        told.append((message.pk, delivered, at.timestamp()))

    sms_delivery.connect(remember)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.get(
                f"/notify/sms/dlr/{row.pk}/",
                {"t": dlr_token(str(row.pk)), "type": "16", "at": "1800000000", "reply": "空号"},
            )
    finally:
        sms_delivery.disconnect(remember)
    assert answer.status_code == 200
    row.refresh_from_db()
    assert (row.delivery, row.delivery_error) == ("undelivered", "空号")
    assert row.delivered_at.timestamp() == 1800000000
    assert told == [(row.pk, False, 1800000000)]
    assert list(DeliveryReport.objects.values_list("kind", "text")) == [(16, "空号")]
    bad = client.get(f"/notify/sms/dlr/{row.pk}/", {"t": dlr_token(str(row.pk)), "type": "x"})
    assert bad.status_code == 400
