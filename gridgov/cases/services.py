"""Every change to a case goes through here: one transaction, one timeline entry, the rules of
`machine.TRANSITIONS`, notifications queued with the change."""

import datetime
import math
import time
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import code_in_scope, has_global_scope, user_may
from gridgov.areas.crs import Crs, to_wgs84
from gridgov.areas.locator import locator
from gridgov.areas.models import Area
from gridgov.cases import machine
from gridgov.cases.deadlines import grade_rule, stage_deadlines
from gridgov.cases.models import (
    Attachment,
    AttachmentKind,
    Card,
    CardKind,
    Case,
    CaseEvent,
    CaseRequest,
    Category,
    Channel,
    Grade,
    HandlingLevel,
    RequestKind,
    RequestStatus,
    Status,
    Supervision,
    Urgency,
    WhistleCall,
)
from gridgov.cases.photos import CheckedPhoto, check_photo
from gridgov.cases.routing import route
from gridgov.cases.worktime import add_working_minutes
from gridgov.notify.services import notify

COMMAND_ROLES = {Role.ADMIN, Role.DISTRICT_OPERATOR, Role.STREET_OPERATOR, Role.COMMUNITY_STAFF}
_CHANNELS = frozenset(Channel.values)
_URGENCIES = frozenset(Urgency.values)

# ---------------------------------------------------------------------------------------------
# who may act


def may_command(user, case: Case) -> bool:
    """The command center holding the case: an operator whose scope contains its level."""
    if not user_may(user, Action.CHANGE) or user.role not in COMMAND_ROLES:
        return False
    return code_in_scope(user, case.level_code)


def may_supervise(user, case: Case) -> bool:
    """A level above the holder (or a leader over the case) may supervise and remind."""
    if not user.is_authenticated or not user.is_active:
        return False
    if has_global_scope(user):
        return True
    if user.role == Role.LEADER:
        return code_in_scope(user, case.area_code)
    if user.role not in COMMAND_ROLES:
        return False
    return code_in_scope(user, case.level_code) and case.level_code not in user.scope_codes


def is_department(user, case: Case) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.DEPARTMENT_HANDLER
        and case.department_id is not None
        and user.department_id == case.department_id
    )


def is_summoned(user, case: Case) -> bool:
    """A handler of a department summoned to this case (吹哨报到): it joins the handling notes."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.DEPARTMENT_HANDLER
        and user.department_id
        and WhistleCall.objects.filter(case=case, department_id=user.department_id).exists()
    )


def may_verify(user, case: Case) -> bool:
    if may_command(user, case):
        return True
    return (
        user.is_authenticated
        and user.role == Role.GRID_MEMBER
        and code_in_scope(user, case.area_code)
    )


def _actor_may(kind: str, user, case: Case) -> bool:
    if kind == machine.COMMAND:
        return may_command(user, case)
    if kind == machine.DEPARTMENT:
        return is_department(user, case)
    if kind == machine.VERIFIER:
        return may_verify(user, case) or is_department(user, case)
    if kind == machine.REPORTER:
        return (
            user.is_authenticated and case.reporter_id == user.pk and user.role == Role.GRID_MEMBER
        )
    if kind == machine.SUPERVISOR:
        return may_supervise(user, case)
    return False


def allowed_actions(case: Case, user) -> list[machine.Transition]:
    """The actions this user may take on this case now (what the page shows as buttons)."""
    result = []
    for t in machine.TRANSITIONS.values():
        if t.action == "comment" and case.status in t.sources and is_summoned(user, case):
            result.append(t)
            continue
        if case.status not in t.sources or not _actor_may(t.actor, user, case):
            continue
        if t.action == "request_suspension" and may_command(user, case):
            result.append(t)
            continue
        if t.action == "decide" and not case.requests.filter(status=RequestStatus.PENDING).exists():
            continue
        if t.action == "locate" and not case.needs_locating:
            continue
        if t.action == "escalate" and len(case.level_code) <= 6:
            continue
        result.append(t)
    return result


# ---------------------------------------------------------------------------------------------
# caches for the intake path (the locator is in memory; so are these small tables)

_CACHE: dict[str, tuple[float, dict]] = {}
CACHE_TTL = 60.0


def _cached(name: str, load) -> dict:
    stamp, value = _CACHE.get(name, (0.0, {}))
    if time.monotonic() - stamp > CACHE_TTL:
        value = load()
        _CACHE[name] = (time.monotonic(), value)
    return value


def forget_caches() -> None:
    _CACHE.clear()


def _categories() -> dict[str, Category]:
    return _cached("categories", lambda: {c.code: c for c in Category.objects.filter(active=True)})


def _area_classes() -> dict[str, str]:
    return _cached(
        "area_classes", lambda: dict(Area.objects.active().values_list("code", "area_class"))
    )


def category_by_code(code: str) -> Category:
    category = _categories().get(code)
    if category is None:
        raise ValidationError({"category": _("Unknown category %(code)s.") % {"code": code}})
    return category


# ---------------------------------------------------------------------------------------------
# the timeline and the clock


def _event(
    case: Case,
    actor,
    action: str,
    from_status: str,
    note: str = "",
    *,
    now,
    completes=None,
    data=None,
    save: bool = True,
) -> CaseEvent:
    on_time = None
    deadline = None
    if completes and case.stage == completes and case.stage_deadline:
        deadline = case.stage_deadline
        on_time = now <= case.stage_deadline
    event = CaseEvent(
        case=case,
        time=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "full_name", "") or getattr(actor, "username", ""))
        if actor
        else "系统",
        actor_role=getattr(actor, "role", "") if actor else "system",
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        department=case.department,
        area_code=case.area_code,
        level_code=case.level_code,
        stage=completes or "",
        deadline=deadline,
        on_time=on_time,
        data=data or {},
    )
    if save:
        event.save()
    return event


def record_step(
    case: Case,
    actor,
    action: str,
    note: str = "",
    *,
    now: datetime.datetime,
    department: Department | None = None,
    deadline: datetime.datetime | None = None,
    on_time: bool | None = None,
    data: dict | None = None,
) -> CaseEvent:
    """A timeline entry for a step that is not a status change (a whistle, an arrival on site),
    written by the service that takes the step, in its transaction."""
    event = _event(case, actor, action, case.status, note, now=now, data=data, save=False)
    if department is not None:
        event.department = department
    event.deadline, event.on_time = deadline, on_time
    event.save()
    return event


def _enter_stage(case: Case, now: datetime.datetime) -> None:
    """Start the clock of the stage the case now waits in (or stop it)."""
    stage = machine.STAGE_OF_STATUS.get(case.status, "")
    case.stage = stage
    case.stage_card = ""
    if not stage:
        case.stage_started_at = case.stage_deadline = case.stage_red_at = None
        return
    area_class = _area_classes().get(case.area_code, "B")
    case.stage_started_at = now
    case.stage_deadline, case.stage_red_at = stage_deadlines(
        now, case.category, area_class, stage, case.grade
    )


def _clear_cards(case: Case, now) -> None:
    Card.objects.filter(case=case, cleared_at__isnull=True).update(cleared_at=now)


def _attach(
    case: Case, event: CaseEvent | None, photos: Sequence[tuple[CheckedPhoto, str]], actor
) -> None:
    for photo, kind in photos:
        Attachment.objects.create(
            case=case,
            event=event,
            kind=kind,
            original=photo.original,
            public=photo.public,
            thumbnail=photo.thumbnail,
            content_type=photo.content_type,
            size=photo.size,
            width=photo.width,
            height=photo.height,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )


def check_photos(files: Sequence[tuple[bytes, str]]) -> list[CheckedPhoto]:
    """Check uploads before the transaction starts (decoding images is slow)."""
    return [check_photo(data, name) for data, name in files]


@transaction.atomic
def add_photo(case: Case, photo: CheckedPhoto, kind: str, *, actor) -> Attachment:
    """A photo added to an open case by someone working on it (the timeline says so)."""
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Unknown photo kind %(k)s.") % {"k": kind}})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not (may_verify(actor, case) or is_department(actor, case) or case.reporter_id == actor.pk):
        raise PermissionDenied(_("You may not add photos to this case."))
    if not case.is_open:
        raise ValidationError(_("The case is finished: no more photos."))
    event = _event(case, actor, "photo", case.status, now=timezone.now(), data={"kind": kind})
    _attach(case, event, [(photo, kind)], actor)
    return case.attachments.order_by("-id").first()


@transaction.atomic
def rate_case(case: Case, score: int, *, actor, note: str = "") -> Case:
    """A satisfaction rating (1–5) of a closed case, by its reporter or by the command center on
    the caller's behalf (回访). The latest rating counts; the timeline keeps every one."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("A rating is a whole number from 1 to 5.")})
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.reporter_id != getattr(actor, "pk", None) and not may_command(actor, case):
        raise PermissionDenied(_("You may not rate this case."))
    if case.status != Status.CLOSED:
        raise ValidationError(_("Only a closed case can be rated."))
    _event(
        case,
        actor,
        "rate",
        case.status,
        (note or "").strip()[:500],
        now=timezone.now(),
        data={"score": score},
    )
    case.satisfaction = score
    case.save(update_fields=["satisfaction", "updated_at"])
    return case


# ---------------------------------------------------------------------------------------------
# people to tell


def department_members(department: Department | None) -> QuerySet:
    if department is None:
        return User.objects.none()
    return User.objects.filter(department=department, is_active=True)


def level_operators(level_code: str) -> QuerySet:
    roles = [Role.DISTRICT_OPERATOR, Role.STREET_OPERATOR, Role.COMMUNITY_STAFF]
    return User.objects.filter(
        role__in=roles, scope_areas__code=level_code, is_active=True
    ).distinct()


def case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


# ---------------------------------------------------------------------------------------------
# intake


def _locate(lon, lat, crs) -> tuple[float, float, str | None]:
    try:
        x, y = (float(v) for v in to_wgs84(lon, lat, Crs(crs)))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {"crs": _("Unknown coordinate system %(crs)s.") % {"crs": crs}}
        ) from exc
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise ValidationError({"lon": _("The position is not a valid longitude and latitude.")})
    hit = locator.locate(x, y)
    return x, y, hit.code if hit else None


def default_area_code(actor) -> str:
    """Where a report without a position goes: the reporter's own area, else the top of the tree."""
    codes = (
        getattr(actor, "scope_codes", None)
        if actor is not None and getattr(actor, "pk", None)
        else None
    )
    if codes:
        return codes[0]
    top = (
        Area.objects.active()
        .filter(parent__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if top is None:
        raise ValidationError(_("There is no area to receive the report."))
    return top


def level_for(area_code: str) -> str:
    """A case first goes to the community of its grid (小事不出网格), or to the area it names."""
    return area_code[:12] if len(area_code) > 12 else area_code


def report_case(
    *,
    actor,
    channel: str,
    description: str,
    category: Category | str | None = None,
    title: str = "",
    lon: float | None = None,
    lat: float | None = None,
    crs: str = Crs.WGS84,
    address: str = "",
    idempotency_key: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    urgency: str = Urgency.NORMAL,
    photos: Sequence[CheckedPhoto] = (),
    area_code: str | None = None,
) -> tuple[Case, bool]:
    """Record a report from any channel. The same idempotency key twice from the same reporter
    (or, without an account, the same channel) gives the same case (a phone retrying on a bad
    network makes one case): returns (case, created). `actor` None is an inbound gateway that
    authenticated itself (SMS); a user needs the right to report."""
    if actor is not None and not user_may(actor, Action.REPORT):
        raise PermissionDenied(_("You may not report cases."))
    if channel not in _CHANNELS:
        raise ValidationError({"channel": _("Unknown channel %(c)s.") % {"c": channel}})
    if urgency not in _URGENCIES:
        raise ValidationError({"urgency": _("Unknown urgency %(u)s.") % {"u": urgency}})
    description = (description or "").strip()
    if not description and not title:
        raise ValidationError({"description": _("Describe the problem.")})
    if idempotency_key is not None and not (8 <= len(idempotency_key) <= 64):
        raise ValidationError(
            {"idempotency_key": _("The idempotency key must have 8 to 64 characters.")}
        )
    if reporter_phone and not reporter_phone.replace("-", "").replace("+", "").isdigit():
        raise ValidationError({"reporter_phone": _("The phone number may contain digits only.")})
    if isinstance(category, str):
        category = category_by_code(category)
    x = y = None
    needs_locating = False
    if lon is not None or lat is not None:
        if lon is None or lat is None:
            raise ValidationError({"lat": _("Give both longitude and latitude, or neither.")})
        x, y, grid = _locate(lon, lat, crs)
        if grid is None:
            raise ValidationError(
                {"lon": _("The position lies outside every grid of the jurisdiction.")}
            )
        code = grid
    else:
        if not address.strip():
            raise ValidationError({"address": _("Give a position on the map or an address.")})
        code = area_code or default_area_code(actor)
        needs_locating = True
    now = timezone.now()
    # Everything is prepared before the write transaction, which only inserts: writers queue on
    # the database, so the shorter the locked part, the more reports per second.
    case = Case(
        title=(title or (category.name if category else description[:30]))[:100],
        description=description,
        category=category,
        channel=channel,
        urgency=urgency,
        lon=x,
        lat=y,
        address=address[:200],
        area_code=code,
        needs_locating=needs_locating,
        level_code=level_for(code),
        reporter=actor if getattr(actor, "pk", None) else None,
        reporter_name=reporter_name[:50],
        reporter_phone=reporter_phone[:20],
        idempotency_scope=idempotency_scope(actor, channel),
        idempotency_key=idempotency_key or None,
        created_at=now,
    )
    _enter_stage(case, now)
    event = _event(
        case, actor, "report", "", description[:500], now=now, data={"channel": channel}, save=False
    )
    try:
        with transaction.atomic():
            _insert(case)
            event.case = case
            _insert(event)
            _attach(case, event, [(p, AttachmentKind.REPORT) for p in photos], actor)
    except IntegrityError:
        # The key was used before (a retry): the unique index said so, no lookup needed up front.
        existing = (
            find_case_by_idempotency_key(case.idempotency_scope, idempotency_key)
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return existing, False
    return case, True


_INSERTS: dict[type, tuple[str, list]] = {}
# Field types whose Python values the database driver takes as they are.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
)


def _insert(obj) -> None:
    """INSERT one row with a statement prepared once per model: the intake path's two writes
    skip the ORM's per-call query compilation and field-by-field preparation."""
    model = type(obj)
    if model not in _INSERTS:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608 (names from the model)
        plan = [
            (
                f.attname,
                None if (isinstance(f, _PLAIN) or f.is_relation) and not f.choices else f,
                getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False),
            )
            for f in fields
        ]
        _INSERTS[model] = (sql, plan)
    sql, plan = _INSERTS[model]
    params = []
    now = timezone.now()
    for attname, field, stamp in plan:
        if stamp:
            setattr(obj, attname, now)
        value = getattr(obj, attname)
        params.append(value if field is None else field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias


def idempotency_scope(actor, channel: str) -> str:
    """Whose keys a key is compared with: the reporter's own, or the channel's for gateways."""
    pk = getattr(actor, "pk", None)
    return f"user:{pk}" if pk else f"channel:{channel}"


def find_case_by_idempotency_key(scope: str, key: str) -> Case | None:
    """The case this reporter's (or channel's) key made, if any — never another reporter's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM cases_case WHERE idempotency_scope = %s AND idempotency_key = %s",
            [scope, key],
        )
        row = cursor.fetchone()
    return Case.objects.get(pk=row[0]) if row else None


# ---------------------------------------------------------------------------------------------
# the loop


def perform(
    case: Case,
    action: str,
    *,
    actor,
    note: str = "",
    department: Department | None = None,
    hours: int | None = None,
    request: CaseRequest | int | None = None,
    grant: bool | None = None,
    target: Case | None = None,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = Crs.WGS84,
    photos: Sequence[tuple[CheckedPhoto, str]] = (),
    grade: str | None = None,
) -> Case:
    """Take one step of the loop, or refuse it with a message saying why."""
    try:
        t = machine.transition(action)
    except LookupError:
        raise ValidationError(_("Unknown action %(a)s.") % {"a": action}) from None
    note = (note or "").strip()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("category", "department")
            .get(pk=case.pk)
        )
        if case.status not in t.sources:
            raise ValidationError(
                _("The case is “%(status)s”: “%(action)s” is not possible now.")
                % {"status": case.get_status_display(), "action": t.label}
            )
        allowed = (
            _actor_may(t.actor, actor, case)
            or (action == "request_suspension" and may_command(actor, case))
            or (action == "comment" and is_summoned(actor, case))
        )
        if not allowed:
            raise PermissionDenied(_("You may not “%(action)s” this case.") % {"action": t.label})
        if "note" in t.needs and not note:
            raise ValidationError({"note": _("Give a note: why, or what was done.")})
        if "hours" in t.needs and (not hours or hours < 1 or hours > 2000):
            raise ValidationError(
                {"hours": _("Give a number of working hours between 1 and 2000.")}
            )
        now = timezone.now()
        before = case.status
        step = _STEPS.get(action, _plain)
        step(
            case,
            t,
            actor,
            now=now,
            note=note,
            department=department,
            hours=hours,
            request=request,
            grant=grant,
            target=target,
            lon=lon,
            lat=lat,
            crs=crs,
            photos=photos,
            grade=grade,
        )
        if t.target is not None:
            case.status = t.target
        status_changed = case.status != before
        completes = t.completes
        event = _event(
            case,
            actor,
            action,
            before,
            note,
            now=now,
            completes=completes,
            data=_data_for(
                action,
                department=department,
                hours=hours,
                target=target,
                grant=grant,
                request=request,
                grade=grade,
            ),
        )
        if status_changed:
            _clear_cards(case, now)
            _enter_stage(case, now)
        if case.status in (Status.CLOSED, Status.REJECTED, Status.CANCELLED, Status.MERGED):
            case.closed_at = now
        case.save()
        if photos:
            _attach(case, event, photos, actor)
        _after(case, action, actor, note)
    return case


def _data_for(action, *, department, hours, target, grant, request, grade=None) -> dict:
    data = {}
    if action == "grade" and grade:
        data["grade"] = grade
    if department is not None:
        data["department"] = department.code
    if hours:
        data["hours"] = hours
    if target is not None:
        data["target"] = target.pk
    if grant is not None:
        data["grant"] = grant
    if request is not None:
        data["request"] = request.pk if isinstance(request, CaseRequest) else request
    return data


def _plain(case, t, actor, **_kw) -> None:
    return None


def _dispatch(case, t, actor, *, department, **_kw) -> None:
    if department is None:
        department = route(case)
        if department is None:
            raise ValidationError(
                {"department": _("Choose a department: no routing rule matches this case.")}
            )
    if not department.active or not case.level_code.startswith(department.area_code):
        raise ValidationError(
            {"department": _("The department must belong to this level or the levels above it.")}
        )
    case.department = department
    case.assignee = None


def _return(case, t, actor, **_kw) -> None:
    case.assignee = None


def _start(case, t, actor, **_kw) -> None:
    case.assignee = actor


def _feedback(case, t, actor, *, photos, **_kw) -> None:
    return None


def _self_handle(case, t, actor, *, photos, **_kw) -> None:
    kinds = {kind for _p, kind in photos} | set(case.attachments.values_list("kind", flat=True))
    if not {AttachmentKind.BEFORE, AttachmentKind.AFTER} <= kinds:
        raise ValidationError(
            {"photos": _("Handling on the spot needs a photo before and a photo after.")}
        )
    case.self_handled = True


def _escalate(case, t, actor, **_kw) -> None:
    parent = level_parent(case.level_code)
    if parent is None:
        raise ValidationError(_("The case is already at the top level."))
    case.level_code = parent
    case.escalations += 1


def _grade(case, t, actor, *, grade, now, **_kw) -> None:
    """Set the event grade: the stage's clock keeps its start and takes the grade's limit, and a
    grade that must be held higher (a major event at the district) lifts the case there."""
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose a grade.")})
    if grade == case.grade:
        raise ValidationError({"grade": _("The case already has this grade.")})
    case.grade = grade
    if case.stage and case.stage_started_at:
        area_class = _area_classes().get(case.area_code, "B")
        case.stage_deadline, case.stage_red_at = stage_deadlines(
            case.stage_started_at, case.category, area_class, case.stage, grade
        )
        case.stage_card = ""
    rule = grade_rule(case.category, grade)
    width = {HandlingLevel.DISTRICT: 6, HandlingLevel.STREET: 9}.get(
        rule.handling_level if rule else ""
    )
    if width is not None and len(case.level_code) > width:
        case.level_code = case.level_code[:width]
        case.escalations += 1


def level_parent(level_code: str) -> str | None:
    for width in (9, 6):
        if len(level_code) > width:
            return level_code[:width]
    return None


def _request(kind):
    def step(case, t, actor, *, note, hours, **_kw) -> None:
        if case.requests.filter(kind=kind, status=RequestStatus.PENDING).exists():
            raise ValidationError(_("A request of this kind is already waiting for a decision."))
        CaseRequest.objects.create(
            case=case, kind=kind, hours=hours, reason=note, requested_by=actor
        )

    return step


def _decide(case, t, actor, *, request, grant, note, **_kw) -> None:
    pending = case.requests.filter(status=RequestStatus.PENDING)
    item = (
        pending.filter(pk=request.pk if isinstance(request, CaseRequest) else request).first()
        if request
        else None
    )
    if item is None or grant is None:
        raise ValidationError({"request": _("Choose a pending request and whether to grant it.")})
    item.status = RequestStatus.GRANTED if grant else RequestStatus.REFUSED
    item.decided_by, item.decided_at, item.decision_note = actor, timezone.now(), note[:500]
    item.save()
    if not grant:
        return
    now = timezone.now()
    if item.kind == RequestKind.EXTENSION and case.stage_deadline:
        case.stage_deadline = add_working_minutes(case.stage_deadline, item.hours * 60)
        case.stage_red_at = add_working_minutes(
            case.stage_red_at or case.stage_deadline, item.hours * 60
        )
        case.stage_card = ""
        _clear_cards(case, now)
    elif item.kind == RequestKind.SUSPENSION:
        case.status_before_suspension = case.status
        case.status = Status.SUSPENDED
    elif item.kind == RequestKind.CANCELLATION:
        case.status = Status.CANCELLED


def _resume(case, t, actor, **_kw) -> None:
    case.status = case.status_before_suspension or Status.FILED
    case.status_before_suspension = ""


def _supervise(case, t, actor, *, hours, note, **_kw) -> None:
    Supervision.objects.create(
        case=case,
        by=actor,
        level_code=(actor.scope_codes[0] if actor.scope_codes else ""),
        deadline=add_working_minutes(timezone.now(), hours * 60),
        note=note,
    )
    case.supervised = True


def _merge(case, t, actor, *, target, **_kw) -> None:
    if target is None or target.pk == case.pk or not target.is_open:
        raise ValidationError({"target": _("Choose another open case to merge into.")})
    if not may_command(actor, target) and not code_in_scope(actor, target.area_code):
        raise ValidationError({"target": _("Choose another open case to merge into.")})
    case.duplicate_of = target
    CaseEvent.objects.create(
        case=target,
        time=timezone.now(),
        actor=actor,
        actor_name=actor.full_name or actor.username,
        actor_role=actor.role,
        action="merged_in",
        from_status=target.status,
        to_status=target.status,
        note=_("Case %(n)s was merged into this one.") % {"n": case.number},
        department=target.department,
        area_code=target.area_code,
        level_code=target.level_code,
        data={"source": case.pk},
    )


def _relocate(case, t, actor, *, lon, lat, crs, **_kw) -> None:
    if lon is None or lat is None:
        raise ValidationError({"lon": _("Give the position.")})
    x, y, grid = _locate(lon, lat, crs)
    if grid is None:
        raise ValidationError(
            {"lon": _("The position lies outside every grid of the jurisdiction.")}
        )
    if not may_command(actor, Case(level_code=level_for(grid))) and not has_global_scope(actor):
        raise ValidationError({"lon": _("The position lies outside your area.")})
    case.lon, case.lat, case.area_code, case.needs_locating = x, y, grid, False
    if len(case.level_code) < len(level_for(grid)) and not case.escalations:
        case.level_code = level_for(grid)


_STEPS = {
    "dispatch": _dispatch,
    "return": _return,
    "start": _start,
    "feedback": _feedback,
    "self_handle": _self_handle,
    "escalate": _escalate,
    "request_extension": _request(RequestKind.EXTENSION),
    "request_suspension": _request(RequestKind.SUSPENSION),
    "request_cancellation": _request(RequestKind.CANCELLATION),
    "decide": _decide,
    "resume": _resume,
    "supervise": _supervise,
    "merge": _merge,
    "locate": _relocate,
    "grade": _grade,
}


def _after(case: Case, action: str, actor, note: str) -> None:
    """Tell the people who must act next (in the same transaction; SMS leaves after commit)."""
    url = case_url(case)
    if action == "dispatch":
        notify(
            department_members(case.department),
            _("New case dispatched: %(t)s") % {"t": case.title},
            case.address,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )
    elif action in ("verify_fail",):
        notify(
            department_members(case.department),
            _("Rework needed: %(t)s") % {"t": case.title},
            note,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )
    elif action in (
        "return",
        "request_extension",
        "request_suspension",
        "request_cancellation",
        "feedback",
    ):
        notify(
            level_operators(case.level_code),
            _("Case %(n)s needs you: %(t)s") % {"n": case.number, "t": case.title},
            note,
            url,
        )
    elif action == "escalate":
        notify(
            level_operators(case.level_code),
            _("Case escalated to you: %(t)s") % {"t": case.title},
            note,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )
    elif action in ("remind", "supervise"):
        people = (
            list(department_members(case.department))
            if case.department
            else list(level_operators(case.level_code))
        )
        if case.assignee:
            people.append(case.assignee)
        title = (
            _("Reminder (催办): %(t)s")
            if action == "remind"
            else _("Under supervision (督办): %(t)s")
        )
        notify(
            set(people),
            title % {"t": case.title},
            note,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )


# ---------------------------------------------------------------------------------------------
# deadlines


def sweep_deadlines(now: datetime.datetime | None = None) -> dict:
    """Raise yellow cards for passed deadlines and red cards for deadlines passed by their limit
    again; tell the assignee and the command center; escalate on red when configured."""
    from django.conf import settings

    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "escalated": 0}
    running = list(machine.STAGE_OF_STATUS)
    red_ids = list(
        Case.objects.filter(status__in=running, stage_red_at__lt=now)
        .exclude(stage_card="red")
        .values_list("pk", flat=True)[:2000]
    )
    yellow_ids = list(
        Case.objects.filter(status__in=running, stage_deadline__lt=now, stage_card="")
        .exclude(pk__in=red_ids)
        .values_list("pk", flat=True)[:2000]
    )
    for kind, ids in ((CardKind.RED, red_ids), (CardKind.YELLOW, yellow_ids)):
        for pk in ids:
            with transaction.atomic():
                case = (
                    Case.objects.select_for_update(of=("self",))
                    .select_related("department")
                    .get(pk=pk)
                )
                if case.status not in running:
                    continue
                Card.objects.get_or_create(
                    case=case,
                    stage=case.stage,
                    kind=kind,
                    deadline=case.stage_deadline,
                    defaults={
                        "raised_at": now,
                        "area_code": case.area_code,
                        "level_code": case.level_code,
                        "department": case.department,
                    },
                )
                case.stage_card = kind
                _event(
                    case,
                    None,
                    f"{kind}_card",
                    case.status,
                    _("Deadline passed: %(d)s")
                    % {"d": timezone.localtime(case.stage_deadline).strftime("%Y-%m-%d %H:%M")},
                    now=now,
                    data={"stage": case.stage},
                )
                people = set(department_members(case.department)) | set(
                    level_operators(case.level_code)
                )
                label = _("Yellow card") if kind == CardKind.YELLOW else _("Red card")
                notify(
                    people,
                    f"{label}: {case.title}",
                    case.number,
                    case_url(case),
                    sms=kind == CardKind.RED,
                    source=f"cases.case:{case.pk}",
                )
                counts[kind] += 1
                if (
                    kind == CardKind.RED
                    and settings.GRIDGOV_ESCALATE_ON_RED
                    and level_parent(case.level_code)
                ):
                    before = case.status
                    case.level_code = level_parent(case.level_code)
                    case.escalations += 1
                    Card.objects.filter(case=case, kind=kind, stage=case.stage).update(
                        escalated=True
                    )
                    _event(
                        case,
                        None,
                        "escalate",
                        before,
                        _("Escalated automatically on a red card."),
                        now=now,
                        data={"auto": True},
                    )
                    notify(
                        level_operators(case.level_code),
                        _("Case escalated to you: %(t)s") % {"t": case.title},
                        case.number,
                        case_url(case),
                        sms=True,
                        source=f"cases.case:{case.pk}",
                    )
                    counts["escalated"] += 1
                case.save()
    return counts
