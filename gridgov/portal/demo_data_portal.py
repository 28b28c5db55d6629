"""Demo of the public portal: the public category list, citizens' reports with photos at points
of the district's grids (most published, some waiting for moderation), a few taken through the
loop, closed and rated, and the public contact cards of the first grids."""

import contextlib

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.accounts.system import DEMO, PORTAL, system_user
from gridgov.areas.models import Area
from gridgov.cases.models import Case
from gridgov.cases.services import check_photos, perform
from gridgov.demo.photos import _picture
from gridgov.demo.size import portion
from gridgov.portal import services
from gridgov.portal.models import Citizen, GridContact, PortalReport, PublicCategory
from gridgov.portal.services import sync_report

REPORTS = {"district": 60, "city": 200}
TEXTS = [
    "小区门口的路灯晚上不亮，走路看不清。",
    "路边垃圾堆了好几天没人清理，味道很大。",
    "人行道上的井盖松动了，踩上去会响。",
    "下雨后这段路积水很深，电动车过不去。",
    "电线杆上贴满了小广告。",
    "共享单车把盲道堵住了。",
    "路面有个坑，晚上骑车很危险。",
    "工地晚上十点以后还在施工，很吵。",
]


def load(*, stdout, scale: str, seed: int, **options) -> None:
    total = portion(REPORTS.get(scale, 0), options.get("size", "full"))
    if not total or PortalReport.objects.exists():
        return
    rng = np.random.default_rng(seed + 11)
    demo, portal = system_user(DEMO), system_user(PORTAL)
    services.seed_public_categories(actor=demo)
    cats = list(PublicCategory.objects.filter(sensitive=False).order_by("order"))
    grids = list(Area.objects.grids().filter(label_lon__isnull=False).order_by("code")[:200])
    if not cats or not grids:
        return
    moderator = User.objects.filter(role="district_operator", is_active=True).order_by("pk").first()
    citizens = [
        Citizen.objects.get_or_create(phone=f"1380000{1000 + i:04d}")[0]
        for i in range(max(3, total // 4))
    ]
    made = []
    for i in range(total):
        grid = grids[int(rng.integers(len(grids)))]
        cat = cats[int(rng.integers(len(cats)))]
        photos = check_photos([(_picture(rng, fixed=False), "demo.jpg")]) if i % 2 == 0 else []
        try:
            with transaction.atomic():
                report = services.submit_report(
                    actor=portal,
                    category=cat,
                    description=TEXTS[i % len(TEXTS)],
                    citizen=citizens[i % len(citizens)],
                    lon=grid.label_lon,
                    lat=grid.label_lat,
                    photos=photos,
                    idempotency_key=f"demo-portal-{i:05d}",
                )
                if moderator is not None and i % 5 != 4:
                    services.moderate(report, actor=moderator, publish=True)
        except (ValidationError, PermissionDenied):
            continue
        made.append(report)
    closed = 0
    for report in made[: max(2, len(made) // 4)]:
        if _close(report.case):
            sync_report(report, actor=portal)
            if report.citizen is not None:
                with contextlib.suppress(ValidationError, PermissionDenied):
                    services.rate_report(
                        report, report.citizen, int(rng.integers(3, 6)), actor=portal
                    )
            closed += 1
    for grid in grids[:10]:
        GridContact.objects.get_or_create(
            grid_code=grid.code,
            member_name=f"{grid.name}网格员",
            defaults={
                "work_phone": f"0371-6{int(rng.integers(1000000, 9999999))}",
                "office": f"{grid.parent.name if grid.parent else ''}社区居委会",
                "office_hours": "周一至周五 8:30–17:30",
            },
        )
    stdout.write(f"  portal: {len(made)} citizen reports, {closed} closed and rated")


def _close(case: Case) -> bool:
    """Take a case through the loop as the demo's staff; False when a step is not possible."""
    op = User.objects.filter(role="district_operator", is_active=True).order_by("pk").first()
    if op is None:
        return False
    try:
        with transaction.atomic():
            for action in ("accept", "file", "dispatch"):
                case = perform(case, action, actor=op)
            handler = User.objects.filter(department=case.department, is_active=True).first()
            if handler is None:
                raise ValidationError("no handler")
            case = perform(case, "start", actor=handler)
            case = perform(case, "feedback", actor=handler, note="已处理完毕")
            case = perform(case, "verify_pass", actor=op)
            perform(case, "close", actor=op)
    except (ValidationError, PermissionDenied):
        return False
    return True
