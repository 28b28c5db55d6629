"""The 12345 adapter against a fake 12345 platform on loopback."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.accounts.system import HOTLINE_12345, system_user
from gridgov.cases.models import Case, CaseEvent, Channel, Status
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (fixture)
from gridgov.exchange.models import HotlineOrder, OrderState
from gridgov.exchange.services import hotline
from gridgov.exchange.tests.fake_12345 import Fake12345
from gridgov.notify.gateways import signature
from gridgov.notify.models import Outbox, OutboxStatus
from gridgov.notify.outbox import send_due

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]


def order(no="GD20261202001", **extra):
    return {
        "order_no": no,
        "content": "来电人反映经八路1号门口路灯不亮，请处理",
        "address": "经八路1号",
        "caller_name": "王先生",
        "caller_phone": "13800000001",
        "type": "投诉",
        "sign_deadline": "2026-12-02T18:00:00",
        "reply_deadline": "2026-12-09T18:00:00",
        **extra,
    }


@pytest.fixture
def fake(settings):
    with Fake12345() as server:
        settings.GRIDGOV_12345_URL = server.url
        settings.GRIDGOV_12345_SECRET = "s3cret"
        yield server


@pytest.fixture
def received(users):
    made, _created = hotline.receive_order(order(), actor=system_user(HOTLINE_12345))
    # the district hands the case to street A, whose operator acts on the order
    Case.objects.filter(pk=made.case_id).update(level_code="410105001", area_code="410105001")
    HotlineOrder.objects.filter(pk=made.pk).update(area_code="410105001")
    made.refresh_from_db()
    return made


def test_an_order_enters_intake_once_per_order_number(users):
    actor = system_user(HOTLINE_12345)
    first, created = hotline.receive_order(order(), actor=actor)
    again, created_again = hotline.receive_order(order(content="重复推送"), actor=actor)
    assert created and not created_again and again.pk == first.pk
    case = first.case
    assert case.channel == Channel.HOTLINE_12345 and case.needs_locating
    assert case.reporter_phone == "13800000001"
    assert Case.objects.filter(channel=Channel.HOTLINE_12345).count() == 1
    # the 12345 deadlines sit beside the grid's own stage deadline, in local time
    local = timezone.localtime(first.reply_deadline)
    assert (local.day, local.hour) == (9, 18) and case.stage_deadline is not None


def test_only_the_adapter_files_orders_and_bad_orders_are_refused(users):
    with pytest.raises(PermissionDenied):
        hotline.receive_order(order(), actor=users["admin"])
    for bad in ({"order_no": "", "content": "x"}, order(content=""), order(sign_deadline="soon")):
        with pytest.raises(ValidationError):
            hotline.receive_order(bad, actor=system_user(HOTLINE_12345))


def test_sign_goes_back_through_the_outbox(fake, received, users):
    hotline.sign(received, actor=users["op_a"])
    row = Outbox.objects.get(channel="12345")
    assert row.destination == f"{fake.url}/orders/GD20261202001/sign"
    send_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    [hit] = fake.received
    assert hit["path"] == "/api/orders/GD20261202001/sign"
    assert hit["json"]["step"] == "sign" and hit["json"]["unit"] == "410105001"
    assert hit["signature"] == signature("s3cret", hit["body"])
    assert hit["message_id"] == str(row.pk)
    assert CaseEvent.objects.filter(case=received.case, action="hotline").exists()
    with pytest.raises(ValidationError):
        hotline.sign(received, actor=users["op_a"])


def test_other_streets_may_not_act(fake, received, users):
    with pytest.raises(PermissionDenied):
        hotline.sign(received, actor=users["op_b"])


def test_return_with_reason(fake, received, users):
    with pytest.raises(ValidationError):
        hotline.return_order(received, actor=users["op_a"], reason="")
    hotline.return_order(received, actor=users["op_a"], reason="不属于本区管辖，属高新区")
    send_due()
    [(path, body)] = fake.steps()
    assert path.endswith("/return") and body["reason"] == "不属于本区管辖，属高新区"
    received.refresh_from_db()
    assert received.state == OrderState.RETURNED
    assert received.case.status == Status.REJECTED


def test_extension(fake, received, users):
    hotline.sign(received, actor=users["op_a"])
    with pytest.raises(ValidationError):
        hotline.request_extension(received, actor=users["op_a"], days=90, reason="x")
    hotline.request_extension(received, actor=users["op_a"], days=5, reason="需协调供电公司")
    send_due()
    path, body = fake.steps()[-1]
    assert (
        path.endswith("/extension")
        and body["days"] == 5
        and body["until"].startswith("2026-12-14T18:00")
    )


def test_reply_when_done(fake, received, users):
    hotline.sign(received, actor=users["op_a"])
    with pytest.raises(ValidationError):  # not handled yet
        hotline.reply(received, actor=users["op_a"], text="已修复")
    Case.objects.filter(pk=received.case_id).update(status=Status.HANDLED)
    hotline.reply(received, actor=users["op_a"], text="路灯已更换灯泡，恢复照明")
    send_due()
    path, body = fake.steps()[-1]
    assert path.endswith("/reply") and body["result"] == "路灯已更换灯泡，恢复照明"
    assert body["case_number"] == received.case.number


@pytest.mark.parametrize(("word", "score"), [("满意", 5), ("基本满意", 3), ("不满意", 1)])
def test_follow_up_rating_maps_to_the_platform_scale(received, word, score):
    Case.objects.filter(pk=received.case_id).update(status=Status.CLOSED)
    hotline.receive_rating(received.order_no, word, actor=system_user(HOTLINE_12345))
    received.refresh_from_db()
    assert received.rating == word and received.state == OrderState.RATED
    assert received.case.satisfaction == score
    with pytest.raises(ValidationError):
        hotline.receive_rating(received.order_no, "一般", actor=system_user(HOTLINE_12345))


def test_a_reopened_order_of_a_closed_case_becomes_a_new_case(received):
    actor = system_user(HOTLINE_12345)
    old = received.case
    Case.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    again, created = hotline.receive_order(order(reopen=True, content="路灯又不亮了"), actor=actor)
    assert not created and again.pk == received.pk
    assert again.state == OrderState.REOPENED and again.reopen_count == 1
    assert again.case_id != old.pk and again.case.is_open
    assert "重办" in again.case.description and old.number in again.case.description
    # the same re-open pushed twice still makes one new case per re-opening
    assert Case.objects.filter(channel=Channel.HOTLINE_12345).count() == 2


def test_a_reopened_open_case_gets_the_reason_on_its_timeline(received):
    hotline.receive_reopen(received.order_no, "市民称未处理", actor=system_user(HOTLINE_12345))
    received.refresh_from_db()
    assert received.reopen_count == 1 and received.case.is_open
    assert CaseEvent.objects.filter(case=received.case, note__contains="未处理").exists()


def test_a_failing_12345_is_tried_again(settings, received, users):
    with Fake12345(fail_first=1) as server:
        settings.GRIDGOV_12345_URL = server.url
        hotline.sign(received, actor=users["op_a"])
        send_due()
        row = Outbox.objects.get(channel="12345")
        assert row.status == OutboxStatus.PENDING and "503" in row.error
        Outbox.objects.filter(pk=row.pk).update(
            next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        send_due()
        row.refresh_from_db()
        assert row.status == OutboxStatus.SENT and len(server.received) == 1
