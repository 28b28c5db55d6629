"""Demo warnings, through the services: past warnings of the district (issued, acknowledged by most,
closed by a cancellation or an all-clear, their SMS sent and mostly delivered), and active ones: a
red rainstorm warning forwarded by a street with local instructions, a yellow one of a street,
each with some acknowledgements; and the three early-warning rules."""

import datetime

import numpy as np
import time_machine
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Level
from gridgov.demo.size import portion
from gridgov.notify.models import Outbox, OutboxStatus
from gridgov.warnings import services
from gridgov.warnings.models import Channel, Kind, Receipt, RuleKind, Warning
from gridgov.warnings.services import WarningInput

PAST = [  # days ago, colour, event, headline, instruction, closed by
    (200, "blue", "大风", "大风蓝色预警", "加固户外广告牌和临时搭建物", Kind.CANCEL),
    (150, "yellow", "高温", "高温黄色预警", "避免午后户外作业，关注独居老人", Kind.ALL_CLEAR),
    (96, "orange", "暴雨", "暴雨橙色预警", "排查低洼地带和地下空间，准备转移", Kind.ALL_CLEAR),
    (60, "yellow", "寒潮", "寒潮黄色预警", "检查供暖和燃气设施", Kind.ALL_CLEAR),
    (21, "red", "暴雨", "暴雨红色预警", "停止户外作业，立即转移危险区域群众", Kind.ALL_CLEAR),
    (9, "blue", "大雾", "大雾蓝色预警", "提醒居民出行注意安全", Kind.CANCEL),
]
RULES = [
    ("分类激增（网格）", RuleKind.GRID_CLASS_SPIKE, {"min_reports": 5}),
    ("重点人群走访逾期率（社区）", RuleKind.OVERDUE_VISITS, {"level": Level.COMMUNITY}),
    ("部门超期率上升", RuleKind.DEPARTMENT_OVERDUE, {}),
]


def _issue(user, area_code: str, data: WarningInput, at: datetime.datetime, approver=None):
    warning = services.create_draft(acting_user=user, area_code=area_code, data=data)
    warning = services.approve(warning, acting_user=approver or user)
    return services.issue(warning, acting_user=user, now=at)


def _acknowledge(warning: Warning, rng, share: float, at: datetime.datetime, minutes: float):
    rows = list(
        Receipt.objects.filter(warning=warning, channel=Channel.APP).values_list(
            "user_id", flat=True
        )
    )
    chosen = [uid for uid in rows if rng.random() < share]
    users = User.objects.in_bulk(chosen)
    for uid in chosen:
        when = at + datetime.timedelta(minutes=float(rng.exponential(minutes)))
        via = "sms" if rng.random() < 0.3 else "app"
        services.acknowledge(warning, acting_user=users[uid], via=via, at=when)


def _sent_and_delivered(warning: Warning, rng, at: datetime.datetime) -> None:
    """The SMS of a past warning went out and most reached the handset (as the gateway would
    have reported)."""
    sms = Receipt.objects.filter(warning=warning, channel=Channel.SMS)
    ids = list(sms.values_list("pk", flat=True))
    Outbox.objects.filter(source__in=[f"warnings.receipt:{i}" for i in ids]).update(
        status=OutboxStatus.SENT, sent_at=at + datetime.timedelta(seconds=5), attempts=1
    )
    for pk in ids:
        delivered = rng.random() < 0.96
        services.record_delivery(
            pk,
            delivered=delivered,
            at=at + datetime.timedelta(seconds=float(5 + rng.exponential(20))),
            sent_at=at + datetime.timedelta(seconds=5),
        )


def load(*, stdout, scale: str, seed: int, size: str = "full", **options) -> None:
    rng = np.random.default_rng(seed + 9)
    district = Area.objects.active().filter(level=Level.DISTRICT).order_by("code").first()
    issuer = User.objects.filter(username="district_op").first()
    leader = User.objects.filter(username="leader").first()
    if district is None or issuer is None:
        return
    now = timezone.now().replace(microsecond=0)
    streets = list(
        Area.objects.active().filter(parent=district, level=Level.STREET).order_by("code")[:2]
    )
    past = PAST[-portion(len(PAST), size) :] if scale == "district" else PAST[-2:]
    for days, colour, event, headline, instruction, closing in past:
        at = now - datetime.timedelta(days=days, hours=float(rng.integers(0, 10)))
        data = WarningInput(
            event=event,
            colour=colour,
            headline=headline,
            description=f"{district.name}气象台发布{headline}。",
            instruction=instruction,
            onset=at,
            expires=at + datetime.timedelta(days=1),
            target_codes=[district.code],
        )
        with time_machine.travel(at, tick=False):  # drafted, approved and numbered that day
            warning = _issue(issuer, district.code, data, at, approver=leader)
        _sent_and_delivered(warning, rng, at)
        _acknowledge(warning, rng, 0.9, at, 12)
        closed = at + datetime.timedelta(hours=20)
        with time_machine.travel(closed, tick=False):
            closer = services.follow_up(warning, acting_user=issuer, kind=closing)
            services.approve(closer, acting_user=leader or issuer)
            services.issue(closer, acting_user=issuer, now=closed)
    red = _issue(
        issuer,
        district.code,
        WarningInput(
            event="暴雨",
            colour="red",
            headline="暴雨红色预警",
            description="预计未来3小时内辖区降雨量将达100毫米以上，局地有雷暴大风。",
            instruction="停止户外作业，加强巡查，转移低洼地带和危房群众。",
            certainty="Likely",
            onset=now - datetime.timedelta(minutes=20),
            expires=now + datetime.timedelta(hours=12),
            target_codes=[district.code],
        ),
        now - datetime.timedelta(minutes=20),
        approver=leader,
    )
    _acknowledge(red, rng, 0.55, red.sent, 6)
    if streets:
        street_op = User.objects.filter(username=f"s{streets[0].code}").first()
        if street_op is not None:
            services.forward(
                red,
                acting_user=street_op,
                area_code=streets[0].code,
                instruction="各社区立即排查地下车库和老旧小区，组织转移。",
            )
    if len(streets) > 1:
        street_op = User.objects.filter(username=f"s{streets[1].code}").first()
        if street_op is not None:
            yellow = _issue(
                street_op,
                streets[1].code,
                WarningInput(
                    event="燃气安全",
                    colour="yellow",
                    headline="老旧小区燃气安全黄色预警",
                    instruction="入户检查燃气软管，提醒居民开窗通风。",
                    target_codes=[streets[1].code],
                    expires=now + datetime.timedelta(days=2),
                ),
                now - datetime.timedelta(hours=2),
            )
            _acknowledge(yellow, rng, 0.4, yellow.sent, 30)
    admin = User.objects.filter(username="admin").first()
    for name, kind, params in RULES:
        if admin is not None:
            services.save_rule(
                None,
                acting_user=admin,
                area_code=district.code,
                name=name,
                kind=kind,
                params=params,
                colour="yellow",
                outcome="draft",
                alpha=0.05,
                every_days=7,
                active=True,
            )
    stdout.write(
        f"warnings: {Warning.objects.count()} warnings, {Receipt.objects.count()} receipts"
    )
