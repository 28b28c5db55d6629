"""The loop (受理 → 立案 → 派遣 → 处置 → 核查 → 结案): `perform` takes one step of
`machine.TRANSITIONS` with its rule; photos and ratings of a case."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.scope import code_in_scope, has_global_scope
from gridgov.areas.crs import Crs
from gridgov.cases import machine
from gridgov.cases.deadlines import grade_rule, stage_deadlines
from gridgov.cases.models import (
    Attachment,
    AttachmentKind,
    Case,
    CaseEvent,
    CaseRequest,
    Grade,
    HandlingLevel,
    RequestKind,
    RequestStatus,
    Status,
    Supervision,
    VoiceNote,
)
from gridgov.cases.photos import CheckedPhoto, check_photo
from gridgov.cases.routing import route
from gridgov.cases.services.intake import _locate, level_for
from gridgov.cases.services.notices import _after
from gridgov.cases.services.permissions import (
    _actor_may,
    is_department,
    is_summoned,
    may_command,
    may_verify,
)
from gridgov.cases.services.timeline import (
    _area_classes,
    _attach,
    _clear_cards,
    _enter_stage,
    _event,
)
from gridgov.cases.voice import CheckedVoiceNote
from gridgov.cases.worktime import add_working_minutes


def check_photos(files: Sequence[tuple[bytes, str]]) -> list[CheckedPhoto]:
    """Check uploads before the transaction starts (decoding images is slow)."""
    return [check_photo(data, name) for data, name in files]


@transaction.atomic
def add_photo(case: Case, photo: CheckedPhoto, kind: str, *, actor: User) -> Attachment:
    """A photo added to an open case by someone working on it (the timeline says so)."""
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Unknown photo kind %(k)s.") % {"k": kind}})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not (may_verify(actor, case) or is_department(actor, case) or case.reporter_id == actor.pk):
        raise PermissionDenied(_("You may not add photos to this case."))
    if not case.is_open:
        raise ValidationError(_("The case is finished: no more photos."))
    event = _event(case, actor, "photo", case.status, now=timezone.now(), data={"kind": kind})
    [attachment] = _attach(case, event, [(photo, kind)], actor)
    return attachment


@transaction.atomic
def add_voice_note(case: Case, note: CheckedVoiceNote, *, actor: User) -> VoiceNote:
    """A voice note added to an open case by its reporter or someone working on it; the
    timeline says so and the desk plays it on the case page."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not (may_verify(actor, case) or is_department(actor, case) or case.reporter_id == actor.pk):
        raise PermissionDenied(_("You may not add voice notes to this case."))
    if not case.is_open:
        raise ValidationError(_("The case is finished: no more voice notes."))
    event = _event(case, actor, "voice", case.status, now=timezone.now())
    return VoiceNote.objects.create(
        case=case,
        event=event,
        file=note.file,
        content_type=note.content_type,
        size=note.size,
        uploaded_by=actor,
    )


@transaction.atomic
def rate_case(case: Case, score: int, *, actor: User, note: str = "") -> Case:
    """A satisfaction rating (1–5) of a closed case, by its reporter or by the command center on
    the caller's behalf (回访). The latest rating counts; the timeline keeps every one."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("A rating is a whole number from 1 to 5.")})
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.reporter_id != actor.pk and not may_command(actor, case):
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


MAX_NOTE = 500


def perform(
    case: Case,
    action: str,
    *,
    actor: User,
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
    if len(note) > MAX_NOTE:
        # The note also becomes a request's reason or a supervision's note (500 characters).
        raise ValidationError(
            {"note": _("Keep the note within %(n)d characters.") % {"n": MAX_NOTE}}
        )
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


def _plain(case, t, actor: User, **_kw) -> None:
    return None


def _dispatch(case, t, actor: User, *, department, **_kw) -> None:
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


def _return(case, t, actor: User, **_kw) -> None:
    case.assignee = None


def _start(case, t, actor: User, **_kw) -> None:
    case.assignee = actor


def _feedback(case, t, actor: User, *, photos, **_kw) -> None:
    return None


def _self_handle(case, t, actor: User, *, photos, **_kw) -> None:
    kinds = {kind for _p, kind in photos} | set(case.attachments.values_list("kind", flat=True))
    if not {AttachmentKind.BEFORE, AttachmentKind.AFTER} <= kinds:
        raise ValidationError(
            {"photos": _("Handling on the spot needs a photo before and a photo after.")}
        )
    case.self_handled = True


def _escalate(case, t, actor: User, **_kw) -> None:
    parent = level_parent(case.level_code)
    if parent is None:
        raise ValidationError(_("The case is already at the top level."))
    case.level_code = parent
    case.escalations += 1


def _grade(case, t, actor: User, *, grade, now, **_kw) -> None:
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
    widths: dict[str, int] = {HandlingLevel.DISTRICT: 6, HandlingLevel.STREET: 9}
    width = widths.get(rule.handling_level if rule else "")
    if width is not None and len(case.level_code) > width:
        case.level_code = case.level_code[:width]
        case.escalations += 1


def level_parent(level_code: str) -> str | None:
    for width in (9, 6):
        if len(level_code) > width:
            return level_code[:width]
    return None


def _request(kind):
    def step(case, t, actor: User, *, note, hours, **_kw) -> None:
        if case.requests.filter(kind=kind, status=RequestStatus.PENDING).exists():
            raise ValidationError(_("A request of this kind is already waiting for a decision."))
        CaseRequest.objects.create(
            case=case, kind=kind, hours=hours, reason=note, requested_by=actor
        )

    return step


def _decide(case, t, actor: User, *, request, grant, note, **_kw) -> None:
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


def _resume(case, t, actor: User, **_kw) -> None:
    case.status = case.status_before_suspension or Status.FILED
    case.status_before_suspension = ""


def _supervise(case, t, actor: User, *, hours, note, **_kw) -> None:
    Supervision.objects.create(
        case=case,
        by=actor,
        level_code=(actor.scope_codes[0] if actor.scope_codes else ""),
        deadline=add_working_minutes(timezone.now(), hours * 60),
        note=note,
    )
    case.supervised = True


def _merge(case, t, actor: User, *, target, **_kw) -> None:
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


def _relocate(case, t, actor: User, *, lon, lat, crs, **_kw) -> None:
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
