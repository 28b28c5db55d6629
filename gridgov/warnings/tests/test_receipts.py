"""Escalation of silence in time, SMS delivery reports and acknowledgement by reply code, and the
board with its ETag."""

import datetime
import json

import pytest

from gridgov.notify import segments
from gridgov.notify.models import Message, Outbox
from gridgov.notify.signals import sms_delivery, sms_received
from gridgov.warnings.escalation import escalate_silence
from gridgov.warnings.models import Channel, Receipt
from gridgov.warnings.tests.helpers import issued

pytestmark = pytest.mark.django_db
MEMBER = "grid_41010500100101"


def test_red_silence_renotifies_then_sms_then_supervisor(staff, users):
    w = issued(users["district"], "410105", "red")
    member = staff[MEMBER]
    sent = w.sent
    assert escalate_silence(now=sent + datetime.timedelta(minutes=4))["renotified"] == 0
    done = escalate_silence(now=sent + datetime.timedelta(minutes=5, seconds=1))
    assert done["renotified"] == 25
    assert Message.objects.filter(user=member).count() == 1
    sms_before = Outbox.objects.filter(user=member).count()
    done = escalate_silence(now=sent + datetime.timedelta(minutes=10, seconds=1))
    assert done["sms"] == 25 and Outbox.objects.filter(user=member).count() == sms_before + 1
    supervisor = staff["comm_410105001001"]
    before = Message.objects.filter(user=supervisor).count()
    done = escalate_silence(now=sent + datetime.timedelta(minutes=15, seconds=1))
    assert done["supervisors"] == 25
    told = Message.objects.filter(user=supervisor).order_by("-id")
    assert told.count() == before + 1
    assert "5" in told[0].title.split()  # the five silent grid members of the community
    assert escalate_silence(now=sent + datetime.timedelta(hours=2)) == {
        "renotified": 0,
        "sms": 0,
        "supervisors": 0,
    }


def test_acknowledged_receipts_are_not_escalated(staff, users):
    from gridgov.warnings import services

    w = issued(users["district"], "410105", "orange")
    services.acknowledge(w, acting_user=staff[MEMBER])
    escalate_silence(now=w.sent + datetime.timedelta(minutes=16))
    assert Receipt.objects.get(warning=w, user=staff[MEMBER], channel=Channel.APP).escalation == 0


def test_yellow_goes_by_sms_only_after_silence_blue_later(staff, users):
    y = issued(users["district"], "410105", "yellow")
    assert not Outbox.objects.exists()
    escalate_silence(now=y.sent + datetime.timedelta(minutes=61))
    assert not Outbox.objects.exists()  # re-notified only
    escalate_silence(now=y.sent + datetime.timedelta(minutes=121))
    assert Outbox.objects.count() == 22
    b = issued(users["district"], "410105", "blue", headline="蓝色")
    escalate_silence(now=b.sent + datetime.timedelta(minutes=239))
    assert Outbox.objects.count() == 22
    escalate_silence(now=b.sent + datetime.timedelta(minutes=241))
    assert Outbox.objects.count() == 44


def test_delivery_report_updates_the_sms_receipt(staff, users):
    w = issued(users["district"], "410105", "red")
    receipt = Receipt.objects.get(warning=w, user=staff[MEMBER], channel=Channel.SMS)
    row = Outbox.objects.get(source=f"warnings.receipt:{receipt.pk}")
    at = w.sent + datetime.timedelta(seconds=3)
    sms_delivery.send(sender=None, message=row, delivered=True, at=at)
    receipt.refresh_from_db()
    assert receipt.delivered_at == at and receipt.sent_at is not None
    other = Receipt.objects.get(warning=w, user=staff["grid_41010500100102"], channel=Channel.SMS)
    row = Outbox.objects.get(source=f"warnings.receipt:{other.pk}")
    sms_delivery.send(sender=None, message=row, delivered=False, at=at)
    other.refresh_from_db()
    assert other.failed_at == at and other.delivered_at is None


def test_reply_with_the_code_acknowledges(staff, users):
    w = issued(users["district"], "410105", "red")
    member = staff[MEMBER]
    wrong = sms_received.send(
        sender=None, phone=member.phone, text="收到 0000", message_id="1", at=w.sent
    )
    assert not any(r for _f, r in wrong)
    other_phone = sms_received.send(
        sender=None, phone="13800000000", text=f"{w.ack_code}", message_id="2", at=w.sent
    )
    assert not any(r for _f, r in other_phone)
    answers = sms_received.send(
        sender=None, phone=member.phone, text=f"收到{w.ack_code}", message_id="3", at=w.sent
    )
    assert any(r is True for _f, r in answers)
    rows = Receipt.objects.filter(warning=w, user=member)
    assert all(r.acknowledged_at and r.ack_via == "sms" for r in rows)


def test_board_counts_per_level_and_answers_304_when_unchanged(staff, users, client_for):
    from gridgov.warnings import services

    w = issued(users["district"], "410105", "red")
    client = client_for(users["district"])
    url = f"/api/v1/warnings/{w.pk}/board"
    first = client.get(url)
    board = json.loads(first.content)
    grid = next(r for r in board["levels"] if r["level"] == "grid")
    assert grid == {
        "level": "grid",
        "label": grid["label"],
        "total": 17,
        "acknowledged": 0,
        "read": 0,
        "not_reached": 17,
        "sms_delivered": 0,
    }
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.acknowledge(w, acting_user=staff[MEMBER])
    services.mark_read(w, acting_user=staff["grid_41010500100102"])
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    grid = next(r for r in json.loads(changed.content)["levels"] if r["level"] == "grid")
    assert (grid["acknowledged"], grid["read"], grid["not_reached"]) == (1, 1, 15)
    street_b = json.loads(client_for(users["op_b"]).get(url).content)
    assert street_b["totals"]["total"] == 12  # street B's own part only: 2 + 2 + 8


def test_warning_sms_rows_carry_the_recipients_unit_and_billed_parts(staff, users):
    """The fan-out writes outbox rows in bulk: they must still show in each unit's SMS log and
    statistics (area) and be costed (parts), as rows queued one by one are."""
    issued(users["district"], "410105", "red")
    member = staff[MEMBER]
    row = Outbox.objects.get(user=member, source__startswith="warnings.receipt:")
    assert row.area_code == MEMBER.removeprefix("grid_")
    assert row.parts == segments.count(row.body).parts >= 1
