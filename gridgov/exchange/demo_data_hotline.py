"""Demo of the 12345 adapter and the classifier: a model trained on the demo district's closed
cases, a few SMS cases waiting with a suggestion, and a few 12345 work orders at their steps."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.system import CLASSIFIER, HOTLINE_12345, SMS_INTAKE, system_user
from gridgov.cases.models import Channel
from gridgov.cases.services import report_case
from gridgov.exchange.models import HotlineOrder
from gridgov.exchange.services import classify, hotline

SMS = [
    "我们楼下那盏路灯坏了好久，晚上黑漆漆的",
    "小区东门外的垃圾三天没人拉了",
    "有辆白色轿车一直停在盲道上",
    "旁边工地夜里十二点还在打桩",
]
ORDERS = [
    ("投诉", "来电人反映纬五路某小区门口污水井盖破损，夜间行人易踩空。"),
    ("求助", "来电人称家中老人独居，希望社区上门了解养老服务。"),
    ("投诉", "来电人反映花园路一饭店长期在门外摆桌经营，占用人行道。"),
]


def load(*, stdout, scale: str, seed: int, size: str = "full", **options) -> None:
    try:
        model = classify.train(actor=system_user(CLASSIFIER))
    except ValidationError:
        stdout.write("  classifier: too few closed cases, no model")
        return
    stdout.write(f"  classifier: trained on {model.texts} closed cases")
    sms = system_user(SMS_INTAKE)
    for i, text in enumerate(SMS):
        case, _new = report_case(
            actor=sms,
            channel=Channel.SMS,
            description=text,
            address="（短信未说明位置）",
            idempotency_key=f"demo-classify-sms-{seed}-{i}",
        )
        classify.suggest_for_case(case, actor=system_user(CLASSIFIER))
    operator = User.objects.filter(username="district_op").first()
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    for i, (kind, content) in enumerate(ORDERS):
        order, created = hotline.receive_order(
            {
                "order_no": f"DEMO12345{seed:04d}{i:03d}",
                "content": content,
                "type": kind,
                "sign_deadline": (now + datetime.timedelta(hours=2)).isoformat(),
                "reply_deadline": (now + datetime.timedelta(days=5)).isoformat(),
            },
            actor=system_user(HOTLINE_12345),
        )
        if created and operator is not None and i == 0 and hotline.adapter_configured():
            hotline.sign(order, actor=operator)
    stdout.write(f"  12345: {HotlineOrder.objects.count()} work orders")
