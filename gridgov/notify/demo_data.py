"""The SMS platform's demo: each street's approved templates, groups (staff, contacts, smart), its
composed messages in every folder (through the services), and a year of sending history — case
reminders, meeting notices and warnings — delivered or failed, for the statistics and the log.
Deterministic for the seed."""

import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import ForceType, User
from gridgov.areas.models import Area, Level
from gridgov.demo.names import mobile_number, person_name
from gridgov.demo.size import portion
from gridgov.notify import segments, sms_services
from gridgov.notify.models import (
    Delivery,
    GroupKind,
    OptOut,
    Outbox,
    OutboxStatus,
    Priority,
)

HISTORY = {"district": 20_000, "city": 0}
TEMPLATES = [
    ("会议通知", "{name}同志：请于{time}到{place}参加{meeting}，请准时参会。", "SMS_310001"),
    ("事件催办", "您有一件{category}事件即将超期，请尽快处置。", "SMS_310002"),
    ("防汛提醒", "气象台发布{level}预警，请网格员立即开展巡查，做好转移准备。", "SMS_310003"),
]
TEXTS = [
    (Priority.CASE_STEP, "【网格中心】您有新的事件待处置，请登录平台查看。"),
    (Priority.CASE_STEP, "【网格中心】您上报的事件已办结，感谢您的参与。"),
    (Priority.BULK, "【网格中心】请各网格员本周五前完成重点人员走访。"),
    (Priority.WARNING, "【金水区】暴雨黄色预警：请立即巡查低洼地段，回复确认码确认收到。"),
]
FAILURES = ["用户关机", "空号", "用户欠费停机", "短信中心拒收"]


def load(*, stdout, scale: str, seed: int, **options) -> None:
    total = portion(HISTORY.get(scale, 0), options.get("size", "full"))
    if not total:
        return
    rng = np.random.default_rng(seed + 9)
    streets = list(Area.objects.filter(level=Level.STREET).order_by("code"))
    operators = {
        u.scope_codes[0]: u for u in User.objects.filter(username__startswith="s") if u.scope_codes
    }
    district_op = User.objects.filter(username="district_op").first()
    with transaction.atomic():
        for street in streets:
            operator = operators.get(street.code)
            if operator is not None and district_op is not None:
                _street(operator, district_op, street, rng)
        _history(streets, total, rng)
    stdout.write(f"  SMS platform: {total} messages of history, templates, groups")


def _street(operator: User, approver: User, street: Area, rng) -> None:
    templates = []
    for name, body, code in TEMPLATES:
        t = sms_services.save_template(
            operator, name=name, signature=street.name, body=body, provider_code=code
        )
        templates.append(sms_services.decide_template(approver, t, approve=True))
    sms_services.save_template(
        operator,
        name="志愿服务招募",
        signature=street.name,
        body="招募{activity}志愿者，请回复报名。",
    )
    smart = sms_services.save_group(
        operator,
        name=f"{street.name}全体网格员",
        kind=GroupKind.SMART,
        query={"area": street.code, "force_type": ForceType.GRID_MEMBER},
    )
    contacts = sms_services.save_group(
        operator,
        name="辖区物业联系人",
        kind=GroupKind.CONTACTS,
        contacts=[(person_name(rng), mobile_number(rng)) for _ in range(6)],
    )
    meeting = {
        "name": "各位",
        "time": "周一上午9时",
        "place": "街道三楼会议室",
        "meeting": "网格工作例会",
    }
    sent = sms_services.save_batch(
        operator,
        body="",
        template=templates[0],
        variables=meeting,
        recipients={"groups": [smart.pk, contacts.pk]},
    )
    sms_services.send_batch(operator, sent)
    old = sms_services.save_batch(
        operator,
        body="【网格中心】上月网格考核结果已发布，请登录平台查看。",
        template=None,
        variables={},
        recipients={"groups": [smart.pk, contacts.pk]},
    )
    sms_services.file_batch(operator, sms_services.send_batch(operator, old), "archive")
    later = sms_services.save_batch(
        operator,
        body="",
        template=templates[2],
        variables={"level": "暴雨蓝色"},
        recipients={"groups": [smart.pk, contacts.pk]},
        scheduled_at=timezone.now() + datetime.timedelta(days=1),
    )
    sms_services.send_batch(operator, later)
    sms_services.save_batch(
        operator,
        body="【网格中心】请于月底前更新辖区出租房屋信息。",
        template=None,
        variables={},
        recipients={"areas": [street.code]},
    )
    dropped = sms_services.save_batch(
        operator, body="测试短信，请忽略。", template=None, variables={}, recipients={}
    )
    sms_services.file_batch(operator, dropped, "delete")
    sms_services.add_opt_out(operator, phone=mobile_number(rng), reason="本人要求")


def _history(streets: list[Area], total: int, rng) -> None:
    """A year of sent messages in bulk: sent, then delivered (most) or failed."""
    now = timezone.now()
    codes = [s.code for s in streets] or [""]
    rows, queued = [], []
    for k in range(total):
        priority, text = TEXTS[int(rng.integers(len(TEXTS)))]
        created = now - datetime.timedelta(minutes=int(rng.integers(10, 365 * 24 * 60)))
        sent = created + datetime.timedelta(seconds=int(rng.integers(1, 30)))
        queued.append(created)
        roll = rng.random()
        delivery, error, status = Delivery.DELIVERED, "", OutboxStatus.SENT
        if roll < 0.04:
            delivery, error = Delivery.UNDELIVERED, FAILURES[int(rng.integers(len(FAILURES)))]
        elif roll < 0.05:
            delivery, status, error = "", OutboxStatus.FAILED, "HTTP 503: Service Unavailable"
        rows.append(
            Outbox(
                channel="sms",
                destination=mobile_number(rng),
                body=text,
                priority=priority,
                source="demo",
                area_code=codes[k % len(codes)],
                parts=segments.count(text).parts,
                status=status,
                attempts=1 if status == OutboxStatus.SENT else 8,
                sent_at=sent if status == OutboxStatus.SENT else None,
                gateway="kannel",
                gateway_response="202 0: Accepted for delivery"
                if status == OutboxStatus.SENT
                else "",
                delivery=delivery,
                delivered_at=sent + datetime.timedelta(seconds=int(rng.integers(2, 90)))
                if delivery
                else None,
                delivery_error=error if delivery == Delivery.UNDELIVERED else "",
                error=error if status == OutboxStatus.FAILED else "",
            )
        )
    Outbox.objects.bulk_create(rows, batch_size=2000)
    # created_at is stamped at insert: move each row back to when it was queued
    for row, created in zip(rows, queued, strict=True):
        row.created_at = created
    Outbox.objects.bulk_update(rows, ["created_at"], batch_size=2000)
    OptOut.objects.get_or_create(phone=mobile_number(rng), defaults={"reason": "STOP"})
