"""Demo disputes, screenings, an inspection plan, inspections and hazards for the demo district,
through the services: a mediated neighbourhood dispute with two sessions and a signed agreement,
a referred labour dispute, a high-risk property dispute (escalated), this month's screenings with
some "none found", and inspections of shops with general and major hazards, one closed."""

import datetime

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Level
from gridgov.lines.models import ItemResult, ScreeningTask
from gridgov.lines.services import disputes as ds
from gridgov.lines.services import hazards as hs
from gridgov.registry.models import Organization

CHECKLIST = [
    ("灭火器配置齐全且在有效期内", False),
    ("安全出口、疏散通道畅通", True),
    ("电动自行车不在室内停放充电", False),
    ("电气线路无私拉乱接", False),
    ("燃气使用场所安装报警装置", True),
]
DISPUTES = [  # kind, title, risk, parties, story
    ("neighbourhood", "楼上漏水致楼下天花板受损", "low", ["张建国", "刘红梅"], "mediated"),
    ("labour", "装修工人讨要工资", "medium", ["王师傅", "某装饰公司"], "referred"),
    ("property", "小区物业费上涨引发业主不满", "high", ["业主代表", "物业服务公司"], "open"),
    ("family", "赡养老人费用分担", "low", ["李大哥", "李二弟", "李小妹"], "open"),
]


def load(*, stdout, scale: str, seed: int, size: str = "full", **options) -> None:
    admin = User.objects.filter(username="admin").first()
    operator = User.objects.filter(username="district_op").first()
    grids = list(
        Area.objects.active()
        .filter(level=Level.GRID)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if admin is None or operator is None or not grids:
        return
    today = timezone.localdate()
    for i, (kind, title, risk, names, story) in enumerate(DISPUTES):
        d = ds.register_dispute(
            ds.DisputeInput(
                kind=kind,
                title=title,
                area_code=grids[i % len(grids)],
                risk=risk,
                source="patrol" if i % 2 == 0 else "visit",
                description=f"{title}，双方多次协商未果，请求社区调解。",
                mediation_body="社区人民调解委员会",
                parties=[
                    ds.PartyInput(name=n, role="applicant" if j == 0 else "respondent")
                    for j, n in enumerate(names)
                ],
            ),
            actor=operator,
        )
        if story == "mediated":
            ds.add_session(
                d,
                actor=operator,
                held_on=today - datetime.timedelta(days=10),
                participants="、".join(names) + "、调解员",
                record="双方陈述漏水经过和损失。",
            )
            ds.add_session(
                d,
                actor=operator,
                held_on=today - datetime.timedelta(days=5),
                participants="、".join(names) + "、调解员",
                record="现场查看后协商赔偿。",
                agreed="刘红梅赔偿维修费1200元",
            )
            ds.draft_agreement(
                d,
                "一、刘红梅于七日内赔偿张建国维修费1200元。\n二、刘红梅修复卫生间防水。",
                actor=operator,
            )
            ds.upload_signed_agreement(
                d,
                b"%PDF-1.4 demo scan",
                "signed.pdf",
                actor=operator,
                signed_on=today - datetime.timedelta(days=4),
            )
            ds.record_follow_up(
                d,
                actor=operator,
                visited_on=today - datetime.timedelta(days=1),
                note="已赔偿，防水修复中",
            )
        elif story == "referred":
            r = ds.refer(d, actor=operator, body="justice", body_name="司法所")
            ds.record_referral_outcome(r, actor=operator, accepted_on=today, outcome="")
    ds.create_screenings(actor=admin)
    for task in ScreeningTask.objects.filter(month=ds.month_start(today)).order_by("area_code")[:6]:
        ds.complete_screening(task, actor=operator, found=False, note="入户走访，未发现矛盾纠纷")
    plan = hs.save_plan(
        actor=admin,
        name="九小场所消防安全检查",
        place_type="nine_small",
        items=CHECKLIST,
        organization_kind="shop",
        interval_days=90,
    )
    hs.generate_tasks(actor=admin)
    shops = list(Organization.objects.filter(kind="shop").order_by("pk")[:5])
    items = list(plan.current_items())
    for n, shop in enumerate(shops):
        failing = {items[n % len(items)].pk} if n % 2 == 0 else set()
        results = [
            hs.ResultInput(
                i.pk,
                ItemResult.FAIL if i.pk in failing else ItemResult.PASS,
                "现场发现问题" if i.pk in failing else "",
                b"\xff\xd8 demo photo" if i.pk in failing else b"",
            )
            for i in items
        ]
        inspection = hs.record_inspection(
            actor=operator, plan=plan, organization=shop, results=results
        )
        if n == 0:
            for hazard in inspection.hazards.all():
                hs.reinspect(hazard, actor=operator, rectified=True, proof=b"\xff\xd8 proof")
    stdout.write(f"lines: {len(DISPUTES)} disputes, {len(shops)} inspections\n")
