"""Through a real Kannel (bearerbox, smsbox, fakesmsc): sending, delivery reports, inbound texts."""

import time

import pytest
from django.db import transaction
from django.dispatch import receiver

from gridgov.cases.models import Case
from gridgov.jobs.tests.processes import wait_for
from gridgov.notify import outbox
from gridgov.notify.models import Delivery, DeliveryReport, OptOut, Outbox, OutboxStatus, Priority
from gridgov.notify.outbox import enqueue_message, send_due
from gridgov.notify.signals import sms_delivery, sms_received

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def between_requests(kannel, read):
    """`read()` run while no live-server request is using the shared test database."""
    with kannel.gate:
        return read()


def test_a_warning_reaches_the_smsc_as_ucs2_and_its_delivery_report_updates_the_row(
    through_kannel, monkeypatch
):
    reports = []
    record = outbox.record_answers

    def slow_record(*args, **kwargs):
        """Fakesmsc answers at once: keep the result's transaction open long enough for the
        delivery report to arrive while it is being written, as it can on a loaded machine."""
        with transaction.atomic():
            time.sleep(1.5)
            record(*args, **kwargs)

    monkeypatch.setattr(outbox, "record_answers", slow_record)

    @receiver(sms_delivery, weak=False)
    def remember(message, delivered, at, **kwargs):
        reports.append((message.pk, delivered))

    try:
        with through_kannel.gate:
            row = enqueue_message(
                "sms", "13800001234", "暴雨红色预警：请立即转移", priority=Priority.WARNING
            )
            before = len(through_kannel.received())
            assert send_due() == {"sent": 1, "not_sent": 0}
        wait_for(lambda: len(through_kannel.received()) > before, 30, "the text at fakesmsc")
        got = through_kannel.received()[-1]
        assert (got.to, got.kind, got.text) == ("13800001234", "ucs-2", "暴雨红色预警：请立即转移")
        wait_for(lambda: reports, 30, "the delivery report")
    finally:
        sms_delivery.disconnect(remember)
    with through_kannel.gate:
        row.refresh_from_db()
    assert (row.status, row.delivery, row.gateway) == (
        OutboxStatus.SENT,
        Delivery.DELIVERED,
        "kannel",
    )
    assert row.delivered_at is not None and row.gateway_id  # Kannel's id came with the report
    assert reports == [(row.pk, True)]
    assert 1 in set(DeliveryReport.objects.filter(message=row).values_list("kind", flat=True))
    assert "coding=2" in row.gateway_request and "kannel-test" not in row.gateway_request
    assert row.gateway_response.startswith("202 ")


def test_a_delivery_report_with_a_forged_token_changes_nothing(through_kannel, client):
    row = enqueue_message("sms", "13800001234", "hello")
    answer = client.get(f"/notify/sms/dlr/{row.pk}/", {"t": "0" * 32, "type": "1", "at": "0"})
    assert answer.status_code == 404
    row.refresh_from_db()
    assert row.delivery == "" and not DeliveryReport.objects.exists()


def test_a_text_from_a_handset_becomes_a_case(through_kannel, tree):
    through_kannel.inject("13912345678", "幸福路口路灯坏了")
    case = wait_for(
        lambda: between_requests(through_kannel, Case.objects.filter(channel="sms").first),
        30,
        "the case",
    )
    assert (case.description, case.reporter_phone) == ("幸福路口路灯坏了", "13912345678")


def test_another_part_can_claim_an_inbound_text(through_kannel, tree):
    claimed = []

    @receiver(sms_received, weak=False)
    def acknowledgement(phone, text, message_id, at, **kwargs):
        if text.startswith("确认"):
            claimed.append((phone, text))
            return True
        return False

    try:
        through_kannel.inject("13912345678", "确认 4821")
        wait_for(lambda: claimed, 30, "the receiver")
    finally:
        sms_received.disconnect(acknowledgement)
    assert claimed == [("13912345678", "确认 4821")]
    assert not between_requests(through_kannel, Case.objects.exists)


def test_a_stop_reply_puts_the_number_on_the_opt_out_list(through_kannel, tree):
    through_kannel.inject("13912345670", "退订")
    wait_for(
        lambda: between_requests(through_kannel, OptOut.objects.filter(phone="13912345670").exists),
        30,
        "the opt-out",
    )
    assert not Case.objects.exists()
    row = enqueue_message("sms", "13912345670", "通知", priority=Priority.BULK)
    assert (row.status, row.error) == (OutboxStatus.FAILED, "opted out")
    warning = enqueue_message("sms", "13912345670", "预警", priority=Priority.WARNING)
    assert warning.status == OutboxStatus.FAILED  # a citizen's opt-out holds even for warnings
    assert Outbox.objects.count() == 2


def test_one_text_to_several_numbers_goes_in_one_call_and_each_report_finds_its_row(
    through_kannel, settings
):
    settings.GRIDGOV_KANNEL_RECEIVERS_PER_CALL = 8
    numbers = ["13800002001", "13800002002", "13800002003"]
    with through_kannel.gate:
        rows = [
            enqueue_message("sms", n, "橙色预警：请关注", priority=Priority.WARNING)
            for n in numbers
        ]
        before = len(through_kannel.received())
        assert send_due(concurrency=8) == {"sent": 3, "not_sent": 0}
    wait_for(lambda: len(through_kannel.received()) >= before + 3, 30, "the texts at fakesmsc")
    got = through_kannel.received()[before:]
    assert sorted((g.to, g.text) for g in got) == [(n, "橙色预警：请关注") for n in numbers]

    def delivered() -> list[tuple[str, str]]:
        return list(
            Outbox.objects.filter(pk__in=[r.pk for r in rows])
            .order_by("destination")
            .values_list("destination", "delivery")
        )

    wait_for(
        lambda: (
            between_requests(through_kannel, delivered)
            == [(n, Delivery.DELIVERED) for n in numbers]
        ),
        30,
        "a delivery report on each row",
    )
    with through_kannel.gate:
        for row in rows:
            row.refresh_from_db()
            assert row.gateway_request.endswith("(1 of 3 in one call)")
            assert f"to={row.destination}" in row.gateway_request
            assert DeliveryReport.objects.filter(message=row, kind=1).count() == 1
