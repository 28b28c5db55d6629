"""A year of case history for the demo district: about 20,000 cases in every state, with their
timelines, on-time and late stages, yellow and red cards, escalations and supervision. Written in
bulk (the loop's rules are followed by construction), deterministic for the seed."""

import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area, Level
from gridgov.cases.deadlines import limit_for
from gridgov.cases.machine import STAGE_OF_STATUS
from gridgov.cases.models import Card, Case, CaseEvent, Category, Channel, Status, Supervision
from gridgov.cases.worktime import add_working_minutes, deadline_after, minutes_per_workday
from gridgov.demo.names import mobile_number, person_name
from gridgov.demo.size import portion

CASES = {"district": 20_000, "city": 0}
DESCRIPTIONS = {
    "上水井盖": "井盖松动，行人踩踏有响声",
    "污水井盖": "污水井盖破损，有异味",
    "雨水箅子": "雨水箅子缺失，存在安全隐患",
    "路灯": "路灯夜间不亮",
    "暴露垃圾": "路边有暴露垃圾未清运",
    "积存垃圾渣土": "小区门口积存建筑垃圾",
    "道路不洁": "路面油污、垃圾较多",
    "非法小广告": "墙面张贴非法小广告",
    "施工扰民": "夜间施工噪音扰民",
    "工地扬尘": "工地未覆盖，扬尘严重",
    "店外经营": "商户占道店外经营",
    "机动车乱停放": "机动车占用人行道停放",
    "非机动车乱停放": "共享单车堆放堵塞通道",
    "矛盾纠纷": "邻里因漏水发生纠纷",
    "治安隐患": "楼道照明损坏存在治安隐患",
    "消防安全隐患": "楼道堆放杂物堵塞消防通道",
    "民生服务诉求": "独居老人需要上门帮扶",
    "下水道堵塞或破损": "下水道堵塞污水外溢",
    "道路积水": "雨后路面积水严重",
    "私搭乱建": "楼顶私搭乱建彩钢房",
}
STAGE_TARGET = {Status.ACCEPTED: Status.REPORTED, Status.FILED: Status.ACCEPTED}


def load(*, stdout, scale: str, seed: int, **options) -> None:
    total = portion(CASES.get(scale, 0), options.get("size", "full"))
    if not total:
        return
    rng = np.random.default_rng(seed + 4)
    grids = list(Area.objects.active().grids().values_list("code", flat=True))
    cats = list(Category.objects.filter(parent__isnull=False).select_related("parent"))
    weights = np.array([8.0 if c.name in DESCRIPTIONS else 1.0 for c in cats])
    weights /= weights.sum()
    users = dict(User.objects.values_list("username", "id"))
    names = dict(User.objects.values_list("id", "full_name"))
    departments = list(Department.objects.all())
    by_line: dict[tuple[str, str], Department] = {}
    for d in departments:
        by_line[(d.line, d.area_code)] = d
    district = Area.objects.filter(level=Level.DISTRICT).values_list("code", flat=True).first()
    area_class = dict(Area.objects.active().values_list("code", "area_class"))
    now = timezone.now()
    start = now - datetime.timedelta(days=365)
    workday = minutes_per_workday()

    # Busy grids: a few hot spots get many more cases (markets, old neighbourhoods).
    grid_weights = rng.gamma(1.5, 1.0, len(grids))
    grid_weights /= grid_weights.sum()
    seconds = np.sort(rng.power(1.6, total)) * (now - start).total_seconds()
    cases, events, cards, supervisions = [], [], [], []
    with tqdm(total=total, desc="cases", unit="case") as bar:
        for i in range(total):
            created = start + datetime.timedelta(seconds=float(seconds[i]))
            grid = grids[rng.choice(len(grids), p=grid_weights)]
            category = cats[rng.choice(len(cats), p=weights)]
            street, community = grid[:9], grid[:12]
            member = users.get(f"g{grid}")
            operator = users.get(f"c{community}") or users.get(f"s{street}")
            department = (
                by_line.get((category.department_line, street))
                or by_line.get((category.department_line, district))
                or by_line.get(("城市管理", street))
            )
            handler = users.get(f"d{department.code}") if department else None
            age_days = (now - created).days
            case = Case(
                title=category.name,
                description=DESCRIPTIONS.get(category.name, f"发现{category.name}问题，请尽快处理"),
                category=category,
                channel=_channel(rng),
                area_code=grid,
                level_code=community,
                lon=None,
                lat=None,
                reporter_id=member,
                created_at=created,
                urgency="urgent" if rng.random() < 0.05 else "normal",
            )
            if case.channel in (Channel.HOTLINE, Channel.SMS):
                case.reporter_name, case.reporter_phone = person_name(rng), mobile_number(rng)
            story = _story(rng, age_days)
            trail = _walk(
                case,
                story,
                created,
                now,
                rng,
                category,
                area_class.get(grid, "B"),
                workday,
                actors={
                    "member": member,
                    "operator": operator,
                    "handler": handler,
                    "street": users.get(f"s{street}"),
                },
                department=department,
                names=names,
            )
            case._trail = trail
            cases.append(case)
            bar.update()
    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=2000)
        for case in tqdm(cases, desc="timelines", unit="case"):
            for kind, payload in case._trail:
                if kind == "event":
                    events.append(CaseEvent(case=case, area_code=case.area_code, **payload))
                elif kind == "card":
                    cards.append(
                        Card(
                            case=case,
                            area_code=case.area_code,
                            level_code=case.level_code,
                            department=case.department,
                            **payload,
                        )
                    )
                elif kind == "supervision":
                    supervisions.append(Supervision(case=case, **payload))
        CaseEvent.objects.bulk_create(events, batch_size=5000)
        Card.objects.bulk_create(cards, batch_size=5000, ignore_conflicts=True)
        Supervision.objects.bulk_create(supervisions, batch_size=2000)
    _place(cases, rng)
    rated = _rate(cases, rng)
    stdout.write(
        f"  {len(cases):,} cases, {len(events):,} timeline entries, {len(cards):,} cards, "
        f"{rated:,} ratings"
    )


def _rate(cases, rng) -> int:
    """Callers and citizens rate most closed cases when called back (回访), mostly well."""
    public = (Channel.HOTLINE, Channel.CITIZEN, Channel.SMS)
    closed = [c for c in cases if c.status == Status.CLOSED and c.channel in public and c.closed_at]
    chosen = [c for c in closed if rng.random() < 0.7]
    scores = rng.choice([5, 4, 3, 2, 1], size=len(chosen), p=[0.55, 0.28, 0.1, 0.04, 0.03])
    events = []
    for case, score in zip(chosen, scores, strict=True):
        case.satisfaction = int(score)
        events.append(
            CaseEvent(
                case=case,
                time=case.closed_at + datetime.timedelta(hours=20),
                actor_name="回访员",
                actor_role="system",
                action="rate",
                from_status=Status.CLOSED,
                to_status=Status.CLOSED,
                area_code=case.area_code,
                level_code=case.level_code,
                data={"score": int(score)},
            )
        )
    with transaction.atomic():
        Case.objects.bulk_update(chosen, ["satisfaction"], batch_size=2000)
        CaseEvent.objects.bulk_create(events, batch_size=5000)
    return len(chosen)


def _channel(rng) -> str:
    r = rng.random()
    if r < 0.62:
        return Channel.GRID_MEMBER
    if r < 0.82:
        return Channel.HOTLINE
    if r < 0.90:
        return Channel.CITIZEN
    if r < 0.95:
        return Channel.SMS
    return Channel.API


def _story(rng, age_days: int) -> str:
    """How far a case has come: old cases are mostly closed, recent ones spread along the loop."""
    if rng.random() < 0.03:
        return "rejected"
    if rng.random() < 0.12:
        return "self"
    if age_days > 30:
        return str(rng.choice(["closed", "suspended", "handling"], p=[0.95, 0.02, 0.03]))
    if age_days > 7:
        return str(
            rng.choice(
                ["dispatched", "handling", "handled", "verified", "closed"],
                p=[0.04, 0.12, 0.06, 0.03, 0.75],
            )
        )
    return str(
        rng.choice(
            [
                "reported",
                "accepted",
                "filed",
                "dispatched",
                "handling",
                "handled",
                "verified",
                "closed",
            ],
            p=[0.08, 0.06, 0.06, 0.1, 0.2, 0.1, 0.05, 0.35],
        )
    )


def _walk(
    case, story, created, now, rng, category, area_class, workday, actors, department, names
) -> list:
    """Walk the case along the loop up to its story's end; record events, lateness and cards."""
    trail = []
    t = created

    def event(
        action,
        actor_key,
        from_status,
        to_status,
        stage="",
        deadline=None,
        on_time=None,
        note="",
        dept=None,
    ):
        actor = actors.get(actor_key)
        trail.append(
            (
                "event",
                {
                    "time": t,
                    "actor_id": actor,
                    "actor_name": names.get(actor, ""),
                    "actor_role": {
                        "member": "grid_member",
                        "operator": "community_staff",
                        "handler": "department_handler",
                        "street": "street_operator",
                    }.get(actor_key, "system"),
                    "action": action,
                    "from_status": from_status,
                    "to_status": to_status,
                    "note": note,
                    "department": dept,
                    "level_code": case.level_code,
                    "stage": stage,
                    "deadline": deadline,
                    "on_time": on_time,
                },
            )
        )

    event("report", "member", "", Status.REPORTED, note=case.description)
    if story == "self":
        t = t + datetime.timedelta(minutes=int(rng.integers(10, 90)))
        case.status, case.self_handled, case.closed_at = Status.CLOSED, True, t
        event("self_handle", "member", Status.REPORTED, Status.CLOSED, note="现场已处置")
        return trail
    path = [
        ("accept", Status.ACCEPTED, "accept"),
        ("file", Status.FILED, "file"),
        ("dispatch", Status.DISPATCHED, "dispatch"),
        ("start", Status.HANDLING, None),
        ("feedback", Status.HANDLED, "handle"),
        ("verify_pass", Status.VERIFIED, "verify"),
        ("close", Status.CLOSED, "close"),
    ]
    stop = {
        "reported": 0,
        "accepted": 1,
        "filed": 2,
        "dispatched": 3,
        "handling": 4,
        "handled": 5,
        "verified": 6,
        "closed": 7,
        "suspended": 4,
        "rejected": 0,
    }[story]
    status = Status.REPORTED
    stage_start = t
    for action, target, stage in path[:stop]:
        stage_name = STAGE_OF_STATUS[status]
        amount, unit = limit_for(category, area_class, stage_name)
        deadline = deadline_after(stage_start, amount, unit, category.natural_time)
        limit_minutes = max((deadline - stage_start).total_seconds() / 60, 1)
        factor = rng.lognormal(-1.4, 0.55) if stage else rng.uniform(0.05, 0.3)
        if action == "feedback" and rng.random() < 0.08:
            factor = rng.uniform(1.1, 3.5)  # some handling runs late
        took = limit_minutes * factor
        t = (
            add_working_minutes(
                stage_start,
                took * (workday / 1440 if unit in ("natural_day", "natural_hour") else 1),
            )
            if not category.natural_time
            else stage_start + datetime.timedelta(minutes=took)
        )
        if t > now:
            break
        on_time = t <= deadline if stage else None
        if stage and not on_time:
            trail.append(
                (
                    "card",
                    {
                        "kind": "yellow",
                        "stage": stage_name,
                        "deadline": deadline,
                        "raised_at": deadline,
                        "cleared_at": t,
                    },
                )
            )
            red_at = deadline_after(deadline, amount, unit, category.natural_time)
            if t > red_at:
                trail.append(
                    (
                        "card",
                        {
                            "kind": "red",
                            "stage": stage_name,
                            "deadline": deadline,
                            "raised_at": red_at,
                            "cleared_at": t,
                            "escalated": True,
                        },
                    )
                )
                case.escalations += 1
                case.level_code = case.area_code[:9]
        if action == "dispatch":
            case.department = department
        actor_key = {
            "accept": "operator",
            "file": "operator",
            "dispatch": "operator",
            "start": "handler",
            "feedback": "handler",
            "verify_pass": "member",
            "close": "operator",
        }[action]
        if case.escalations and actor_key == "operator":
            actor_key = "street"
        event(
            action,
            actor_key,
            status,
            target,
            stage or "",
            deadline if stage else None,
            on_time,
            dept=case.department,
        )
        if action == "feedback" and rng.random() < 0.06:
            event(
                "verify_fail",
                "member",
                Status.HANDLED,
                Status.HANDLING,
                "verify",
                None,
                None,
                "现场复核未解决，要求返工",
                case.department,
            )
            t += datetime.timedelta(hours=float(rng.uniform(4, 30)))
            event(
                "feedback",
                "handler",
                Status.HANDLING,
                Status.HANDLED,
                "handle",
                None,
                None,
                "已返工处理",
                case.department,
            )
        status = target
        if action != "start":
            stage_start = t
    if story == "rejected" and status == Status.REPORTED:
        t = t + datetime.timedelta(minutes=int(rng.integers(5, 40)))
        event(
            "reject", "operator", Status.REPORTED, Status.REJECTED, "accept", None, True, "重复上报"
        )
        status = Status.REJECTED
    if story == "suspended" and status == Status.HANDLING:
        event(
            "decide", "operator", Status.HANDLING, Status.SUSPENDED, note="纳入年度改造计划，挂账"
        )
        status = Status.SUSPENDED
    case.status = status
    if status in (Status.CLOSED, Status.REJECTED):
        case.closed_at = t
    elif status in STAGE_OF_STATUS:
        stage_name = STAGE_OF_STATUS[status]
        amount, unit = limit_for(category, area_class, stage_name)
        case.stage = stage_name
        case.stage_started_at = stage_start
        case.stage_deadline = deadline_after(stage_start, amount, unit, category.natural_time)
        case.stage_red_at = deadline_after(case.stage_deadline, amount, unit, category.natural_time)
        if now > case.stage_red_at:
            case.stage_card = "red"
            trail.append(
                (
                    "card",
                    {
                        "kind": "red",
                        "stage": stage_name,
                        "deadline": case.stage_deadline,
                        "raised_at": case.stage_red_at,
                    },
                )
            )
        elif now > case.stage_deadline:
            case.stage_card = "yellow"
            trail.append(
                (
                    "card",
                    {
                        "kind": "yellow",
                        "stage": stage_name,
                        "deadline": case.stage_deadline,
                        "raised_at": case.stage_deadline,
                    },
                )
            )
        if case.stage_card == "red" and rng.random() < 0.5:
            case.supervised = True
            trail.append(
                (
                    "supervision",
                    {
                        "level_code": case.area_code[:6],
                        "deadline": now + datetime.timedelta(days=2),
                        "note": "区级督办",
                    },
                )
            )
    return trail


def _place(cases: list, rng) -> None:
    """Give every case a point inside its grid (kept apart from the walk so it stays fast)."""
    import json

    import shapely

    codes = sorted({c.area_code for c in cases})
    geoms = dict(
        zip(
            codes,
            shapely.from_geojson(
                [
                    json.dumps(g)
                    for g in Area.objects.filter(code__in=codes)
                    .order_by("code")
                    .values_list("geometry", flat=True)
                ]
            ),
            strict=True,
        )
    )
    shapely.prepare(list(geoms.values()))
    for case in cases:
        geom = geoms[case.area_code]
        x0, y0, x1, y1 = geom.bounds
        for _ in range(30):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(geom, x, y):
                break
        else:
            point = geom.representative_point()
            x, y = point.x, point.y
        case.lon, case.lat = float(x), float(y)
    Case.objects.bulk_update(cases, ["lon", "lat"], batch_size=2000)
