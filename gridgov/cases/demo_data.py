"""A year of case history for the demo district, taken through the case services as in real
use: reports from every channel (some with photos), acceptance, filing, dispatch, handling,
checks and closing, rework, wrong dispatches sent back, requests for more time or suspension,
escalation, summons (吹哨报到), supervision (督办) and satisfaction visits (回访); the deadline
sweep raises the yellow and red cards and escalates on red. Each step runs with the clock at its
moment in the past (`gridgov.demo.clock`), so every card, escalation and supervision is in its
case's timeline and the assessment counts it from there. Deterministic for the seed."""

import datetime
import json
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import shapely
from django.db.models import F
from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.accounts.system import DEMO, JOBS, SMS_INTAKE, system_user
from gridgov.areas.models import Area, Level
from gridgov.cases import machine, services, whistle
from gridgov.cases.models import (
    AttachmentKind,
    Card,
    Case,
    CaseEvent,
    CaseRequest,
    Category,
    Channel,
    RequestStatus,
    Status,
    Supervision,
    Urgency,
)
from gridgov.cases.photos import check_photo
from gridgov.cases.routing import dispatch_choices
from gridgov.cases.worktime import add_working_minutes, working_minutes_between
from gridgov.demo.clock import Replay, printer
from gridgov.demo.names import mobile_number, person_name
from gridgov.demo.photos import Album
from gridgov.demo.showcase import showcase
from gridgov.demo.size import portion
from gridgov.notify.models import Message, Outbox, OutboxStatus

# Every case takes some ten service calls; this many keeps the full demo within a few minutes.
CASES = {"district": 3_000, "city": 0}
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
PUBLIC = (Channel.HOTLINE, Channel.CITIZEN, Channel.SMS)
SHOWN_GRID_SHARE, SHOWN_COMMUNITY_SHARE = 0.03, 0.04


@dataclass
class Plan:
    """What will happen to one case (decided up front, so the run is deterministic)."""

    created: datetime.datetime
    grid: str
    category: Category
    channel: str
    urgent: bool
    photo: bool
    story: str  # normal, self, rejected
    stuck: bool = False  # the department does not finish until supervised (or at all)
    late: bool = False  # handling runs past its deadline
    escalate: bool = False  # the community hands it to the street (上报上级)
    whistle: bool = False  # the street summons departments to the site (吹哨报到)
    wrong_dispatch: bool = False
    extension: bool = False
    suspend: bool = False
    rework: bool = False
    pk: int = 0
    returned: bool = False
    reworked: bool = False
    supervised: bool = False  # a supervision is booked
    summoned: list = field(default_factory=list)


class History:
    """The steps of every case, each booked on the replay at its moment."""

    def __init__(self, rng, replay: Replay) -> None:
        self.rng, self.replay = rng, replay
        self.users = {u.username: u for u in User.objects.filter(is_active=True)}
        self.district = Area.objects.filter(level=Level.DISTRICT).values_list("code", flat=True)[0]
        departments = list(Department.objects.filter(active=True))
        self.by_line = {(d.line, d.area_code): d for d in departments}
        self.handlers = {d.pk: self.users.get(f"d{d.code}") for d in departments}
        self.album = Album(rng)
        self.sweeps: set[datetime.datetime] = set()
        self._shapes: dict[str, shapely.Geometry] = {}

    # -- who acts ------------------------------------------------------------------------------

    def operator(self, level_code: str) -> User:
        """The command center holding the case: community staff, street or district operator."""
        prefix = {12: "c", 9: "s"}.get(len(level_code))
        return self.users[f"{prefix}{level_code}"] if prefix else self.users["district_op"]

    def department(self, plan: Plan, level_code: str, avoid: int | None = None):
        line, street = plan.category.department_line, plan.grid[:9]
        for key in ((line, street), (line, self.district), ("城市管理", street)):
            d = self.by_line.get(key)
            if d and level_code.startswith(d.area_code) and d.pk != avoid:
                return d
        return self.by_line.get(("城市管理", self.district))

    # -- booking -------------------------------------------------------------------------------

    def later(self, case: Case, share: float, plan: Plan) -> datetime.datetime:
        """The moment a share of the current stage's time limit has passed (of what is left
        of it, when the replay is already past the stage's start: after an extension)."""
        start, deadline = case.stage_started_at, case.stage_deadline
        if self.replay.current and start < self.replay.current < deadline:
            start = self.replay.current
        if plan.category.natural_time:
            return start + (deadline - start) * share
        minutes = max(working_minutes_between(start, deadline) * share, 5)
        return add_working_minutes(start, minutes)

    def book(self, case: Case, plan: Plan, step, share: float | None = None, **kw) -> None:
        """Book the case's next step after a share of its stage's limit (usually well within);
        if it will come late, book the sweeps that find it late."""
        if share is None:
            share = float(self.rng.lognormal(-1.4, 0.55))
        self.book_at(case, plan, self.later(case, share, plan), step, **kw)

    def book_at(self, case: Case, plan: Plan, when: datetime.datetime, step, **kw) -> None:
        self.watch(case, plan, when)
        self.replay.at(when, partial(step, plan, **kw))

    def watch(self, case: Case, plan: Plan, until: datetime.datetime | None) -> None:
        """Sweeps at the deadline and at the red line the case will pass (as the minutely job
        would find them), and a supervision after a red card now and then."""
        if case.stage_deadline is None or (until and until <= case.stage_deadline):
            return
        self.sweep_at(case.stage_deadline + datetime.timedelta(minutes=1))
        red = case.stage_red_at
        if red and (until is None or until > red):
            self.sweep_at(red + datetime.timedelta(minutes=1))
            if not plan.supervised and (plan.stuck or self.rng.random() < 0.4):
                plan.supervised = True
                when = add_working_minutes(red, float(self.rng.uniform(60, 960)))
                self.replay.at(when, partial(self.supervise, plan))

    def sweep_at(self, when: datetime.datetime) -> None:
        when = when.replace(second=0, microsecond=0)
        if when not in self.sweeps:
            self.sweeps.add(when)
            self.replay.at(when, self.sweep)

    def sweep(self, when) -> None:
        services.sweep_deadlines(now=when, actor=system_user(JOBS))

    # -- the steps -----------------------------------------------------------------------------

    def take(self, plan: Plan, action: str, who, **kw) -> Case | None:
        """One loop step through `services.perform`, when the case is still where it allows.
        `who`: "command" (the level holding the case), "department" (the one it is dispatched
        to), "member" (the grid's member) or a user."""
        status, level, department = Case.objects.values_list(
            "status", "level_code", "department_id"
        ).get(pk=plan.pk)
        actor = {
            "command": lambda: self.operator(level),
            "department": lambda: self.handlers.get(department),
            "member": lambda: self.users.get(f"g{plan.grid}"),
        }.get(who, lambda: who)()
        if actor is None or status not in machine.transition(action).sources:
            return None
        return services.perform(Case(pk=plan.pk), action, actor=actor, **kw)

    def report(self, plan: Plan, when) -> None:
        description = DESCRIPTIONS.get(
            plan.category.name, f"发现{plan.category.name}问题，请尽快处理"
        )
        actor = {
            Channel.GRID_MEMBER: self.users.get(f"g{plan.grid}"),
            Channel.HOTLINE: self.users["district_op"],
            Channel.CITIZEN: self.users.get(f"c{plan.grid[:12]}"),
            Channel.SMS: system_user(SMS_INTAKE),
        }.get(plan.channel) or system_user(DEMO)
        caller = plan.channel in (Channel.HOTLINE, Channel.SMS)
        photos = [check_photo(*self.album.problem())] if plan.photo else []
        lon, lat = self.point(plan.grid)
        case, _created = services.report_case(
            actor=actor,
            channel=plan.channel,
            description=description,
            category=plan.category,
            lon=lon,
            lat=lat,
            reporter_name=person_name(self.rng) if caller else "",
            reporter_phone=mobile_number(self.rng) if caller else "",
            urgency=Urgency.URGENT if plan.urgent else Urgency.NORMAL,
            photos=photos,
        )
        plan.pk, plan.grid = case.pk, case.area_code
        if plan.story == "self":
            minutes = int(self.rng.integers(10, 90))
            self.book_at(case, plan, when + datetime.timedelta(minutes=minutes), self.self_handle)
        elif plan.story == "rejected":
            self.book(case, plan, self.reject)
        else:
            self.book(case, plan, self.accept)

    def self_handle(self, plan: Plan, when) -> None:
        photos = [
            (check_photo(*self.album.problem()), AttachmentKind.BEFORE),
            (check_photo(*self.album.solved()), AttachmentKind.AFTER),
        ]
        self.take(plan, "self_handle", "member", note="现场已处置", photos=photos)

    def reject(self, plan: Plan, when) -> None:
        self.take(plan, "reject", "command", note="重复上报，已有同类事件")

    def accept(self, plan: Plan, when) -> None:
        case = self.take(plan, "accept", "command")
        if case:
            nxt = self.escalate if plan.escalate and len(case.level_code) > 9 else self.file
            self.book(case, plan, nxt, share=0.3 if nxt == self.escalate else None)

    def escalate(self, plan: Plan, when) -> None:
        note = "涉及多个部门，社区无法协调，上报街道"
        case = self.take(plan, "escalate", "command", note=note)
        if case:
            self.book(case, plan, self.file)

    def file(self, plan: Plan, when) -> None:
        case = self.take(plan, "file", "command")
        if case is None:
            return
        if plan.whistle and len(case.level_code) == 9:
            self.book(case, plan, self.blow, share=0.1)
        else:
            self.book(case, plan, self.dispatch)

    def blow(self, plan: Plan, when) -> None:
        case = Case.objects.get(pk=plan.pk)
        street = self.operator(case.level_code)
        choices = [d for d in dispatch_choices(case)[:40] if self.handlers.get(d.pk)]
        picked = self.rng.choice(len(choices), size=min(len(choices), 2), replace=False)
        departments = [choices[int(i)] for i in picked]
        minutes = int(self.rng.choice([30, 60, 120]))
        whistle.blow_whistle(
            case,
            acting_user=street,
            departments=departments,
            minutes=minutes,
            note="多部门职责交叉，请到现场联合处置",
        )
        plan.summoned = [d.pk for d in departments]
        last = when
        for d in departments:
            share = float(self.rng.uniform(0.3, 0.95) if self.rng.random() < 0.8 else 1.5)
            arrive = when + datetime.timedelta(minutes=minutes * share)
            last = max(last, arrive)
            self.replay.at(arrive, partial(self.report_in, plan, department=d))
        self.book_at(case, plan, last + datetime.timedelta(minutes=45), self.dispatch)

    def report_in(self, plan: Plan, when, *, department) -> None:
        whistle.report_in(
            Case(pk=plan.pk), acting_user=self.handlers[department.pk], note="已到现场，联合处置"
        )

    def dispatch(self, plan: Plan, when, avoid: int | None = None) -> None:
        level = Case.objects.values_list("level_code", flat=True).get(pk=plan.pk)
        department = self.department(plan, level, avoid)
        summoned = Department.objects.filter(pk__in=plan.summoned).order_by("pk").first()
        if summoned and level.startswith(summoned.area_code):
            department = summoned  # one of the departments that came to the site takes it
        case = self.take(plan, "dispatch", "command", department=department)
        if case is None:
            return
        if plan.wrong_dispatch and not plan.returned:
            self.book(case, plan, self.send_back, share=float(self.rng.uniform(0.05, 0.2)))
        else:
            self.book(case, plan, self.start, share=float(self.rng.uniform(0.05, 0.3)))

    def send_back(self, plan: Plan, when) -> None:
        avoid = Case.objects.values_list("department_id", flat=True).get(pk=plan.pk)
        case = self.take(plan, "return", "department", note="不属于本部门职责，请重新派遣")
        if case:
            plan.returned = True
            self.book(case, plan, self.dispatch, avoid=avoid)

    def start(self, plan: Plan, when) -> None:
        case = self.take(plan, "start", "department")
        if case is None:
            return
        if plan.suspend:
            self.book(case, plan, self.ask, kind="request_suspension", share=0.4)
        elif plan.extension:
            self.book(case, plan, self.ask, kind="request_extension", share=0.6)
        elif plan.stuck:
            self.watch(case, plan, None)  # nobody finishes it: the sweep and supervision come
        else:
            share = float(self.rng.uniform(1.1, 3.5)) if plan.late else None
            self.book(case, plan, self.feedback, share=share)

    def ask(self, plan: Plan, when, *, kind: str) -> None:
        note = {
            "request_suspension": "需纳入年度改造计划，申请挂账",
            "request_extension": "需协调施工单位，申请延期",
        }[kind]
        hours = int(self.rng.choice([8, 16, 24])) if kind == "request_extension" else None
        case = self.take(plan, kind, "department", note=note, hours=hours)
        if case:
            minutes = float(self.rng.uniform(60, 300))
            self.book_at(case, plan, add_working_minutes(when, minutes), self.decide)

    def decide(self, plan: Plan, when) -> None:
        request = CaseRequest.objects.filter(case_id=plan.pk, status=RequestStatus.PENDING).first()
        if request is None:
            return
        case = self.take(plan, "decide", "command", request=request, grant=True, note="同意")
        if case and case.status == Status.HANDLING:
            self.book(case, plan, self.feedback)

    def supervise(self, plan: Plan, when) -> None:
        case = Case.objects.get(pk=plan.pk)
        if case.stage_card != "red" or case.status not in machine.transition("supervise").sources:
            return
        actor = self.users["district_op"]
        if not services.may_supervise(actor, case):
            actor = self.users["leader"]
        note = "区级督办：超时未办结，请加快处置"
        case = self.take(plan, "supervise", actor, hours=16, note=note)
        if case and plan.stuck and case.status == Status.HANDLING and self.rng.random() < 0.7:
            minutes = float(self.rng.uniform(240, 2400))  # half a day to a week of work
            self.book_at(case, plan, add_working_minutes(when, minutes), self.feedback)

    def feedback(self, plan: Plan, when) -> None:
        photos = (
            [(check_photo(*self.album.solved()), AttachmentKind.AFTER)]
            if self.rng.random() < 0.25
            else []
        )
        note = "已返工处理" if plan.reworked else "已处置完毕"
        case = self.take(plan, "feedback", "department", note=note, photos=photos)
        if case:
            self.book(case, plan, self.verify)

    def verify(self, plan: Plan, when) -> None:
        if plan.rework and not plan.reworked:
            case = self.take(plan, "verify_fail", "member", note="现场复核未解决，要求返工")
            if case:
                plan.reworked = True
                self.book(case, plan, self.feedback)
            return
        case = self.take(plan, "verify_pass", "member")
        if case:
            self.book(case, plan, self.close)

    def close(self, plan: Plan, when) -> None:
        case = self.take(plan, "close", "command")
        if case and plan.channel in PUBLIC and self.rng.random() < 0.7:
            minutes = float(self.rng.uniform(120, 960))  # called back in office hours
            self.replay.at(add_working_minutes(when, minutes), partial(self.rate, plan))

    def rate(self, plan: Plan, when) -> None:
        """The command center calls the reporter back (回访) and records the rating."""
        case = Case.objects.get(pk=plan.pk)
        score = int(self.rng.choice([5, 4, 3, 2, 1], p=[0.55, 0.28, 0.1, 0.04, 0.03]))
        services.rate_case(case, score, actor=self.operator(case.level_code), note="电话回访")

    # -- places --------------------------------------------------------------------------------

    def shapes(self, codes) -> None:
        geoms = Area.objects.filter(code__in=codes).values_list("code", "geometry")
        self._shapes = {c: shapely.from_geojson(json.dumps(g)) for c, g in geoms}

    def point(self, grid: str) -> tuple[float, float]:
        shape = self._shapes[grid]
        x0, y0, x1, y1 = shape.bounds
        for _ in range(30):
            x, y = self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)
            if shapely.contains_xy(shape, x, y):
                return float(x), float(y)
        p = shape.representative_point()
        return p.x, p.y


def load(*, stdout, scale: str, seed: int, **options) -> None:
    total = portion(CASES.get(scale, 0), options.get("size", "full"))
    if not total:
        return
    rng = np.random.default_rng(seed + 4)
    now = timezone.now()
    replay = Replay()
    history = History(rng, replay)
    if "district_op" not in history.users:
        stdout.write("  no staff accounts (--no-users): no case history")
        return
    plans = _plans(rng, total, now)
    history.shapes({p.grid for p in plans})
    for plan in plans:
        replay.at(plan.created, partial(history.report, plan))
    replay.run(now, progress=printer("case history"))
    services.sweep_deadlines(now=now, actor=system_user(JOBS))
    _delivered(now)
    stdout.write(
        f"  {Case.objects.count():,} cases, {CaseEvent.objects.count():,} timeline entries,"
        f" {Card.objects.count():,} cards, {Supervision.objects.count():,} supervisions,"
        f" {replay.taken:,} steps"
    )


def _plans(rng, total: int, now: datetime.datetime) -> list[Plan]:
    grids = list(Area.objects.active().grids().order_by("code").values_list("code", flat=True))
    community, shown = showcase()
    neighbours = [g for g in grids if g.startswith(community) and g != shown]
    cats = list(Category.objects.filter(parent__isnull=False, active=True).select_related("parent"))
    weights = np.array([8.0 if c.name in DESCRIPTIONS else 1.0 for c in cats])
    weights /= weights.sum()
    # Busy grids: a few hot spots get many more cases (markets, old neighbourhoods).
    grid_weights = rng.gamma(1.5, 1.0, len(grids))
    grid_weights /= grid_weights.sum()
    start = now - datetime.timedelta(days=365)
    seconds = np.sort(rng.power(1.6, total)) * (now - start).total_seconds()
    plans = []
    for i in range(total):
        r = rng.random()
        if r < SHOWN_GRID_SHARE:
            grid = shown
        elif r < SHOWN_GRID_SHARE + SHOWN_COMMUNITY_SHARE and neighbours:
            grid = neighbours[int(rng.integers(len(neighbours)))]
        else:
            grid = grids[rng.choice(len(grids), p=grid_weights)]
        channel = _channel(rng)
        created = start + datetime.timedelta(seconds=float(seconds[i]))
        if channel == Channel.GRID_MEMBER:  # grid members report on their rounds, by day
            local = timezone.localtime(created)
            created = local.replace(hour=int(rng.integers(8, 18)), minute=int(rng.integers(60)))
        story = str(rng.choice(["normal", "self", "rejected"], p=[0.85, 0.12, 0.03]))
        if story == "self" and channel != Channel.GRID_MEMBER:
            story = "normal"
        plans.append(
            Plan(
                created=created,
                grid=grid,
                category=cats[rng.choice(len(cats), p=weights)],
                channel=channel,
                urgent=bool(rng.random() < 0.05),
                photo=channel == Channel.GRID_MEMBER and bool(rng.random() < 0.3),
                story=story,
                stuck=bool(rng.random() < 0.03),
                late=bool(rng.random() < 0.08),
                escalate=bool(rng.random() < 0.04),
                whistle=bool(rng.random() < 0.5),
                wrong_dispatch=bool(rng.random() < 0.03),
                extension=bool(rng.random() < 0.03),
                suspend=bool(rng.random() < 0.015),
                rework=bool(rng.random() < 0.06),
            )
        )
    _show_every_kind(plans, shown, now)
    return plans


# In the printed grid, one case of each kind of history (so the printed accounts, and a demo of
# any size, show every step): (channel, story, what happens).
SHOWN_KINDS = [
    (Channel.GRID_MEMBER, "normal", {"escalate": True, "whistle": True}),
    (Channel.GRID_MEMBER, "normal", {"stuck": True}),
    (Channel.GRID_MEMBER, "self", {"photo": True}),
    (Channel.GRID_MEMBER, "normal", {"rework": True, "photo": True}),
    (Channel.HOTLINE, "normal", {"wrong_dispatch": True}),
    (Channel.HOTLINE, "normal", {"extension": True}),
    (Channel.SMS, "normal", {"late": True}),
    (Channel.CITIZEN, "normal", {"suspend": True}),
    (Channel.CITIZEN, "rejected", {}),
]


def _show_every_kind(plans: list[Plan], shown: str, now: datetime.datetime) -> None:
    """Give the printed grid one case of every kind, among cases old enough to have run their
    course (reported 40 to 200 days ago)."""
    old = [
        p
        for p in plans
        if datetime.timedelta(days=40) < now - p.created < datetime.timedelta(days=200)
    ]
    chosen = old[:: max(1, len(old) // 20)]
    for plan, (channel, story, flags) in zip(chosen, SHOWN_KINDS, strict=False):
        plan.grid, plan.channel, plan.story = shown, channel, story
        plan.stuck = plan.late = plan.escalate = plan.whistle = plan.photo = False
        plan.wrong_dispatch = plan.extension = plan.suspend = plan.rework = False
        for name, value in flags.items():
            setattr(plan, name, value)


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


def _delivered(now: datetime.datetime) -> None:
    """The history's text messages went out at their time and its messages were read: without
    this, starting the demo would send a year of old SMS at once."""
    Outbox.objects.filter(status=OutboxStatus.PENDING, created_at__lt=now).update(
        status=OutboxStatus.SENT, sent_at=F("created_at"), gateway_id="demo history"
    )
    Message.objects.filter(
        read_at__isnull=True, created_at__lt=now - datetime.timedelta(days=3)
    ).update(read_at=F("created_at"))
