import datetime
import hmac
import json
import uuid
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import BaseModel

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.models import Department
from gridgov.accounts.system import SMS_INTAKE, system_user
from gridgov.areas.crs import Crs
from gridgov.cases import queries, services, whistle, worktime
from gridgov.cases.filters import CaseFilter
from gridgov.cases.models import (
    AttachmentKind,
    Case,
    CaseRequest,
    Category,
    Channel,
    Grade,
    Urgency,
)
from gridgov.cases.models.case import FINAL_STATUSES
from gridgov.cases.routing import dispatch_choices
from gridgov.cases.voice import check_voice_note
from gridgov.input_guard import column
from gridgov.mobile import attachments
from gridgov.registry.gazetteer import place_of_text

router = Router(tags=["cases"])


class CategoryOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    department_line: str


class CaseIn(BaseModel):
    """A plain pydantic model, not a ninja Schema: the hot intake path skips ninja's ORM getter."""

    description: str = Field(..., max_length=2000)
    category: str | None = Field(
        None, max_length=12, description="A category code, e.g. C0101 (上水井盖)."
    )
    title: str = Field("", max_length=100)
    lon: float | None = None
    lat: float | None = None
    crs: Crs = Crs.WGS84
    address: str = Field("", max_length=200)
    urgency: Urgency = Urgency.NORMAL
    channel: Channel = Channel.API
    idempotency_key: str | None = Field(
        None,
        min_length=8,
        max_length=64,
        description="Made by the client; the same key twice makes one case.",
    )
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)


class CaseOut(Schema):
    id: int
    number: str
    title: str
    description: str
    status: str
    status_label: str
    channel: str
    urgency: str
    grade: str = Grade.GENERAL
    category: str | None
    lon: float | None
    lat: float | None
    address: str
    area_code: str
    level_code: str
    needs_locating: bool
    department: str | None
    stage: str
    stage_deadline: datetime.datetime | None
    stage_deadline_estimated: bool = Field(
        False, description="The deadline falls in a year whose public holidays are not entered."
    )
    stage_card: str
    supervised: bool
    escalations: int
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    actions: list[str] = []

    @staticmethod
    def of(case: Case, user=None) -> "CaseOut":
        return CaseOut(
            id=case.pk,
            number=case.number,
            title=case.title,
            description=case.description,
            status=case.status,
            status_label=str(case.get_status_display()),
            channel=case.channel,
            urgency=case.urgency,
            grade=case.grade,
            category=case.category.code if case.category is not None else None,
            lon=case.lon,
            lat=case.lat,
            address=case.address,
            area_code=case.area_code,
            level_code=case.level_code,
            needs_locating=case.needs_locating,
            department=case.department.code if case.department is not None else None,
            stage=case.stage,
            stage_deadline=case.stage_deadline,
            stage_deadline_estimated=case.stage_deadline is not None
            and worktime.estimated(case.stage_deadline),
            stage_card=case.stage_card,
            supervised=case.supervised,
            escalations=case.escalations,
            created_at=case.created_at,
            closed_at=case.closed_at,
            actions=[t.action for t in services.allowed_actions(case, user)]
            if user is not None
            else [],
        )


class CaseCreated(BaseModel):
    id: int
    number: str
    status: str
    area_code: str
    needs_locating: bool
    stage_deadline: datetime.datetime | None


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class CaseFilters(Schema):
    queue: str = Field(
        "all",
        max_length=20,
        description="accept, file, dispatch, handle, verify, overdue, supervised, mine or all "
        "(work queues list the nearest deadline first, the others the newest case first)",
    )
    status: str | None = Field(None, max_length=16)
    category: str | None = Field(None, max_length=12)
    area: str | None = Field(None, max_length=20, description="An area code: cases in its subtree.")
    q: str | None = Field(None, max_length=100, description="Words of the title, text or address.")
    since: datetime.date | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class EventOut(Schema):
    time: datetime.datetime
    action: str
    actor: str
    role: str
    from_status: str
    to_status: str
    note: str
    department: str | None
    stage: str
    deadline: datetime.datetime | None
    on_time: bool | None
    photos: list[int]


class ActionIn(Schema):
    note: str = Field(
        "", max_length=500, description="Also the reason of a request or a supervision."
    )
    department: str | None = Field(None, max_length=32, description="Department code (dispatch).")
    hours: int | None = Field(
        None, ge=1, le=2000, description="Working hours (extension, supervision)."
    )
    request: int | None = Field(None, description="The pending request to decide.")
    grant: bool | None = None
    target: int | None = Field(None, description="The case to merge into.")
    lon: float | None = None
    lat: float | None = None
    crs: Crs = Crs.WGS84
    grade: Grade | None = Field(None, description="The event grade (grade).")


class SmsIn(Schema):
    sender: str = Field(..., max_length=20, alias="from")
    text: str = Field(..., min_length=1, max_length=1000)
    message_id: str = Field(
        ...,
        min_length=1,
        max_length=60,
        description="The gateway's id: a resent message makes one case.",
    )


@router.get("/categories", response=list[CategoryOut], summary="The case taxonomy")
def categories(request: HttpRequest):
    return [
        CategoryOut(
            code=c.code,
            name=c.name,
            kind=c.kind,
            parent_code=c.parent.code if c.parent is not None else None,
            department_line=c.department_line,
        )
        for c in Category.objects.filter(active=True).select_related("parent")
    ]


@router.post("/cases", response={200: CaseCreated, 201: CaseCreated}, summary="Report a case")
def report_case(request: AuthenticatedRequest, payload: CaseIn):
    """Report from any system. Send a position (and its `crs`) or an address. Replaying the same
    `idempotency_key` returns the case made the first time (200 instead of 201)."""
    case, created = services.report_case(actor=request.user, **payload.model_dump())
    answer = {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "area_code": case.area_code,
        "needs_locating": case.needs_locating,
        "stage_deadline": case.stage_deadline,
    }
    return Status(201 if created else 200, answer)


@router.get("/cases", response=CasePage, summary="List cases in your scope")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    cases = CaseFilter(request.GET, request.user).rows()
    items = list(cases[filters.offset : filters.offset + filters.limit])
    return CasePage(count=cases.count(), items=[CaseOut.of(c) for c in items])


@router.get("/cases/map.geojson", response={200: dict}, summary="Cases as GeoJSON points for maps")
def cases_geojson(
    request: HttpRequest,
    status: str = Query("open", max_length=16),
    category: str | None = Query(None, max_length=12),
    days: int = Query(90, ge=1, le=3660),
):
    cases = queries.cases_for(request.user).filter(
        lon__isnull=False,
        created_at__gte=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days),
    )
    if status == "open":
        cases = cases.open()
    elif status != "all":
        cases = cases.filter(status=status)
    if category:
        cases = cases.filter(category__code__startswith=category)
    rows = cases.values_list("pk", "lon", "lat", "title", "status", "stage_card", "area_code")[
        :20000
    ]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": pk,
                "title": title,
                "status": st,
                "card": card,
                "area_code": area_code,
            },
        }
        for pk, lon, lat, title, st, card, area_code in rows
    ]
    return HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        content_type="application/geo+json",
    )


@router.post(
    "/cases/sms",
    auth=None,
    response={200: CaseOut, 201: CaseOut},
    summary="An inbound SMS becomes a case",
)
def inbound_sms(request: HttpRequest, payload: SmsIn):
    """For the SMS gateway: send `X-Gridgov-Token` with the configured inbound token. The text
    becomes a case to be located by the command center; the sender is its reporter's phone."""
    expected = settings.GRIDGOV_SMS_INBOUND_TOKEN
    given = request.headers.get("X-Gridgov-Token", "")
    if not expected or not hmac.compare_digest(expected, given):
        raise HttpError(401, _("A valid X-Gridgov-Token is required."))
    if not payload.sender.replace("+", "").isdigit():
        raise ValidationError({"from": _("The phone number may contain digits only.")})
    actor = system_user(SMS_INTAKE)
    where = place_of_text(actor, payload.text) or {"address": _("(from SMS, to be located)")}
    case, created = services.report_case(
        actor=actor,
        channel=Channel.SMS,
        description=payload.text,
        title=payload.text[:30],
        reporter_phone=payload.sender,
        idempotency_key=f"sms-{payload.message_id}"[:64],
        **where,
    )
    return Status(201 if created else 200, CaseOut.of(case))


class CallerQuery(Schema):
    phone: str = Field(..., min_length=5, max_length=20, pattern=r"^[0-9+\-]+$")


class CallerCaseOut(Schema):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    open: bool
    address: str
    created_at: datetime.datetime


class CallerOut(Schema):
    count: int = Field(description="All of the caller's reports you may see.")
    items: list[CallerCaseOut] = Field(description="Open ones first, then the newest; at most 10.")


@router.get("/cases/by-caller", response=CallerOut, summary="A caller's earlier reports (hotline)")
def cases_by_caller(request: HttpRequest, params: Query[CallerQuery]):
    """For the hotline entry: the reports made before from the same phone number, among the
    cases you may see (command-center staff only)."""
    count, cases = queries.caller_cases(request.user, params.phone)
    return CallerOut(
        count=count,
        items=[
            CallerCaseOut(
                id=c.pk,
                number=c.number,
                title=c.title,
                status=c.status,
                status_label=str(c.get_status_display()),
                open=c.status not in FINAL_STATUSES,
                address=c.address,
                created_at=c.created_at,
            )
            for c in cases
        ],
    )


@router.get("/cases/{case_id}", response=CaseOut, summary="One case, with the actions you may take")
def case_detail(request: HttpRequest, case_id: int):
    return CaseOut.of(queries.get_case_for_user(request.user, case_id), request.user)


@router.get("/cases/{case_id}/timeline", response=list[EventOut], summary="A case's timeline")
def timeline(request: HttpRequest, case_id: int):
    case = queries.get_case_for_user(request.user, case_id)
    return [
        EventOut(
            time=e.time,
            action=e.action,
            actor=e.actor_name,
            role=e.actor_role,
            from_status=e.from_status,
            to_status=e.to_status,
            note=e.note,
            department=e.department.name if e.department is not None else None,
            stage=e.stage,
            deadline=e.deadline,
            on_time=e.on_time,
            photos=[a.pk for a in e.attachments.all()],
        )
        for e in case.events.select_related("department").prefetch_related("attachments")
    ]


@router.post(
    "/cases/{case_id}/actions/{action}", response=CaseOut, summary="Take a step of the loop"
)
def act(request: AuthenticatedRequest, case_id: int, action: str, payload: ActionIn):
    """Actions: accept, reject, file, dispatch, return, start, feedback, verify_pass, verify_fail,
    close, self_handle, escalate, request_extension, request_suspension, request_cancellation,
    decide, resume, supervise, remind, merge, locate, grade, comment. A step the case's status or
    your role does not allow is refused with a message."""
    case = queries.get_case_for_user(request.user, case_id)
    department = None
    if payload.department:
        department = Department.objects.filter(code=payload.department).first()
        if department is None:
            raise ValidationError(
                {"department": _("Unknown department %(d)s.") % {"d": payload.department}}
            )
    target = queries.get_case_for_user(request.user, payload.target) if payload.target else None
    request_obj = (
        CaseRequest.objects.filter(case=case, pk=payload.request).first()
        if payload.request
        else None
    )
    case = services.perform(
        case,
        action,
        actor=request.user,
        note=payload.note,
        department=department,
        hours=payload.hours,
        request=request_obj,
        grant=payload.grant,
        target=target,
        lon=payload.lon,
        lat=payload.lat,
        crs=payload.crs,
        grade=payload.grade,
    )
    return CaseOut.of(case, request.user)


class WhistleIn(Schema):
    departments: list[Annotated[str, column(Department, "code")]] = Field(
        ..., max_length=10, description="Department codes to summon."
    )
    minutes: int = Field(60, ge=10, le=72 * 60, description="Report on site within (natural time).")
    note: str = Field(..., max_length=2000)


class ReportInIn(Schema):
    note: str = Field("", max_length=2000)


class WhistleCallOut(Schema):
    department: str
    department_name: str
    called_at: datetime.datetime
    due_at: datetime.datetime
    reported_at: datetime.datetime | None
    on_time: bool | None

    @staticmethod
    def of(call) -> "WhistleCallOut":
        return WhistleCallOut(
            department=call.department.code,
            department_name=call.department.name,
            called_at=call.called_at,
            due_at=call.due_at,
            reported_at=call.reported_at,
            on_time=call.on_time,
        )


def _calls(case) -> list[WhistleCallOut]:
    return [WhistleCallOut.of(c) for c in case.whistle_calls.select_related("department")]


@router.get(
    "/cases/{case_id}/whistle",
    response=list[WhistleCallOut],
    summary="The departments summoned to a case (吹哨报到) and their arrivals",
)
def whistle_calls(request: HttpRequest, case_id: int):
    return _calls(queries.get_case_for_user(request.user, case_id))


@router.post(
    "/cases/{case_id}/whistle",
    response={201: list[WhistleCallOut]},
    summary="Blow the whistle: summon departments to the case's site (吹哨)",
)
def blow_whistle(request: AuthenticatedRequest, case_id: int, payload: WhistleIn):
    case = queries.get_case_for_user(request.user, case_id)
    found = {d.code: d for d in dispatch_choices(case).filter(code__in=payload.departments)}
    missing = sorted(set(payload.departments) - set(found))
    if missing:
        raise ValidationError(
            {"departments": _("Not a department you may summon: %(d)s") % {"d": ", ".join(missing)}}
        )
    whistle.blow_whistle(
        case,
        acting_user=request.user,
        departments=list(found.values()),
        minutes=payload.minutes,
        note=payload.note,
    )
    return Status(201, _calls(case))


@router.post(
    "/cases/{case_id}/report-in",
    response=list[WhistleCallOut],
    summary="Report on site for your department's summons (报到)",
)
def report_in(request: AuthenticatedRequest, case_id: int, payload: ReportInIn):
    case = queries.get_case_for_user(request.user, case_id)
    whistle.report_in(case, acting_user=request.user, note=payload.note)
    return _calls(case)


class PhotoOut(Schema):
    id: int
    kind: str
    width: int
    height: int


@router.post("/cases/{case_id}/photos", response={201: PhotoOut}, summary="Add a photo to a case")
def add_photo(
    request: AuthenticatedRequest,
    case_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008 (django-ninja declares it so)
    kind: Form[AttachmentKind] = AttachmentKind.REPORT,
    upload: uuid.UUID | None = Form(None),  # noqa: B008
):
    """The photo as the multipart `file`, or as `upload`: the id of a finished resumable upload."""
    case = queries.get_case_for_user(request.user, case_id)
    data = attachments.attached_bytes(request.user, file, upload, settings.GRIDGOV_MAX_PHOTO_BYTES)
    photo = services.check_photos([(data, (file.name if file else "") or "photo")])[0]
    item = services.add_photo(case, photo, kind, actor=request.user)
    attachments.forget(request.user, upload)
    return Status(201, PhotoOut(id=item.pk, kind=item.kind, width=item.width, height=item.height))


class VoiceNoteOut(Schema):
    id: int
    content_type: str
    size: int
    url: str


@router.post(
    "/cases/{case_id}/voice",
    response={201: VoiceNoteOut},
    summary="Add a voice note to a case (WebM, Ogg, MP4 or WAV)",
)
def add_voice_note(
    request: AuthenticatedRequest,
    case_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008 (django-ninja declares it so)
    upload: uuid.UUID | None = Form(None),  # noqa: B008
):
    """The recording as the multipart `file`, or as `upload`: a finished resumable upload."""
    case = queries.get_case_for_user(request.user, case_id)
    data = attachments.attached_bytes(request.user, file, upload, settings.GRIDGOV_MAX_VOICE_BYTES)
    note = services.add_voice_note(case, check_voice_note(data), actor=request.user)
    attachments.forget(request.user, upload)
    url = reverse("cases:voice_note", args=[note.pk])
    return Status(
        201, VoiceNoteOut(id=note.pk, content_type=note.content_type, size=note.size, url=url)
    )


class RatingIn(Schema):
    score: int = Field(..., description="1 (very unsatisfied) to 5 (very satisfied)")
    note: str = Field("", max_length=500)


class RatingOut(Schema):
    id: int
    satisfaction: int


@router.post(
    "/cases/{case_id}/rating", response=RatingOut, summary="Rate a closed case (satisfaction 1–5)"
)
def rate(request: AuthenticatedRequest, case_id: int, payload: RatingIn):
    """By the case's reporter, or by its command center on the caller's behalf (回访)."""
    case = queries.get_case_for_user(request.user, case_id)
    case = services.rate_case(case, payload.score, actor=request.user, note=payload.note)
    return RatingOut(id=case.pk, satisfaction=payload.score)


@router.get(
    "/cases/{case_id}/duplicates", response=list[CaseOut], summary="Possible duplicates of a case"
)
def duplicates(request: HttpRequest, case_id: int):
    case = queries.get_case_for_user(request.user, case_id)
    return [CaseOut.of(c) for c in queries.duplicates_for(request.user, case)]
