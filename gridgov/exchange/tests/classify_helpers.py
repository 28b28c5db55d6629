"""Closed cases to learn from, written for the tests (neither the demo's phrases nor the
evaluation file's texts)."""

import datetime

from django.utils import timezone

from gridgov.accounts.system import SMS_INTAKE, system_user
from gridgov.cases.models import Case, Channel, Status
from gridgov.cases.services import report_case

TRAINING = {
    "C0110": ["路灯不亮", "晚上路灯坏了", "这段路灯熄灭", "路灯杆歪了", "街灯闪烁不亮"],
    "E0102": ["垃圾没人清运", "路边一堆生活垃圾", "垃圾桶满了溢出", "乱扔垃圾很臭", "垃圾堆积"],
    "E0504": ["汽车停在人行道", "乱停车堵路", "轿车占道停放", "车辆违停挡门", "机动车乱停"],
    "E0301": ["夜间施工噪音", "工地半夜很吵", "晚上施工扰民", "打桩声音太大", "凌晨施工噪声"],
}


def closed_cases(per_class: int = 6, start: datetime.datetime | None = None) -> list[Case]:
    """Closed cases over three months, each class in each month."""
    actor = system_user(SMS_INTAKE)
    start = start or timezone.make_aware(datetime.datetime(2026, 8, 3, 10))
    made = []
    for code, phrases in TRAINING.items():
        for i in range(per_class):
            text = f"{phrases[i % len(phrases)]}，请处理{i}"
            case, _new = report_case(
                actor=actor,
                channel=Channel.SMS,
                description=text,
                category=code,
                address="经八路1号",
                area_code="410105001",
            )
            at = start + datetime.timedelta(days=(i * 90) // per_class)
            Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, created_at=at)
            made.append(case)
    return made


def sms_case(text: str, area_code: str = "410105001") -> Case:
    case, _new = report_case(
        actor=system_user(SMS_INTAKE),
        channel=Channel.SMS,
        description=text,
        address="经八路2号",
        area_code=area_code,
    )
    return case
