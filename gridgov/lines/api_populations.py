"""API of special populations and rental housing (the same filters, queries and services as
the pages; every read of a special-population record is in the access log)."""

import datetime
import uuid
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.lines import queries_populations as queries
from gridgov.lines.filters_populations import (
    ForeignerFilter,
    LedgerWarningFilter,
    RentalFilter,
    SpecialRecordFilter,
)
from gridgov.lines.models import SpecialRecord, SpecialVisit
from gridgov.lines.services import populations, rentals
from gridgov.masking import mask_name
from gridgov.mobile import attachments

router = Router(tags=["lines"])

YesNo = Literal["", "0", "1"]


class RecordOut(Schema):
    id: int
    name: str
    category: str
    category_id: int
    category_name: str
    group: str
    risk_level: int
    state: str
    next_visit_due: datetime.date | None
    overdue: bool
    last_visit_at: datetime.datetime | None
    responsible: str
    area_code: str


class RecordDetailOut(RecordOut):
    supervising_office: str
    guardian: str
    assistance_group: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    details: dict
    interval_days: int
    updated_at: datetime.datetime


class RecordQuery(Schema):
    area: str = Field("", max_length=20)
    category: str = Field("", max_length=32)
    group: Literal["", "control", "care"] = ""
    risk: int | None = Field(None, ge=0, le=9)
    state: Literal["", "active", "lost", "closed"] = ""
    overdue: YesNo = ""
    limit: int = Field(50, ge=1, le=200)


class VisitIn(BaseModel):
    met: bool = True
    note: str = Field("", max_length=2000)
    # where the phone was (evidence; both or neither), flagged when far from the home
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    accuracy: float | None = Field(None, ge=0, le=100_000)
    # the phone outbox's key (a UUID): the same key again answers the first visit (200)
    client_key: str = Field("", max_length=64)


class VisitOut(Schema):
    id: int
    time: datetime.datetime
    met: bool
    note: str
    area_code: str
    distance_m: float | None
    far: bool


class VisitVoiceOut(Schema):
    id: int
    voice_type: str
    url: str


class RentalOut(Schema):
    id: int
    house_code: str
    risk_colour: str
    max_occupants: int
    area_code: str


class RentalQuery(Schema):
    area: str = Field("", max_length=20)
    colour: Literal["", "green", "yellow", "red"] = ""
    q: str = Field("", max_length=48)
    limit: int = Field(50, ge=1, le=200)


class ForeignerOut(Schema):
    id: int
    name: str
    nationality: str
    arrived_at: datetime.datetime
    registered_at: datetime.datetime | None
    registration_late: bool
    visa_expiry: datetime.date | None
    area_code: str
    left_on: datetime.date | None = Field(None, description="The day the stay ended.")


class ForeignerQuery(Schema):
    area: str = Field("", max_length=20)
    nationality: str = Field("", max_length=40)
    registered: YesNo = ""
    expiring: YesNo = ""
    limit: int = Field(50, ge=1, le=200)


class LedgerWarningOut(Schema):
    id: int
    kind: str
    title: str
    flagged: bool
    raised_at: datetime.datetime
    resolved_at: datetime.datetime | None
    area_code: str


class LedgerWarningQuery(Schema):
    area: str = Field("", max_length=20)
    kind: str = Field("", max_length=24)
    closed: YesNo = ""
    limit: int = Field(50, ge=1, le=200)


def _require(request: AuthenticatedRequest, action: str) -> None:
    if not user_may(request.user, action):
        raise PermissionDenied


def _record(request: AuthenticatedRequest, record_id: int) -> SpecialRecord:
    _require(request, Action.VIEW_SPECIAL_POPULATION)
    return get_for_user(
        SpecialRecord.objects.select_related("category", "person", "responsible"),
        request.user,
        Action.VIEW_SPECIAL_POPULATION,
        pk=record_id,
    )


@router.get(
    "/lines/populations",
    response=list[RecordOut],
    summary="Special-population records (masked)",
)
def list_records(request: AuthenticatedRequest, filters: Query[RecordQuery]):
    _require(request, Action.VIEW_SPECIAL_POPULATION)
    listing = SpecialRecordFilter(request.GET, request.user)
    rows = list(listing.rows()[: filters.limit])
    queries.log_list_read(request.user, rows, listing.area_chosen())
    return [queries.present(r) for r in rows]


@router.get(
    "/lines/populations/{record_id}",
    response=RecordDetailOut,
    summary="One special-population record (access-logged)",
)
def get_record(request: AuthenticatedRequest, record_id: int):
    return record_detail(request, _record(request, record_id))


def record_detail(request: AuthenticatedRequest, target: SpecialRecord) -> dict:
    """One record in full, its read in the access log."""
    queries.log_detail_read(request.user, target)
    return {
        **queries.present(target),
        "name": target.person.name,
        "supervising_office": target.supervising_office,
        "guardian": target.guardian,
        "assistance_group": target.assistance_group,
        "period_start": target.period_start,
        "period_end": target.period_end,
        "details": target.details,
        "interval_days": populations.interval_days(target.category, target.risk_level),
        "updated_at": target.updated_at,
    }


def _visitable(request: AuthenticatedRequest, record_id: int) -> SpecialRecord:
    """A record the caller may visit: with the special-population right any in their scope
    (for changing); without it only those they are responsible for (the phone's due visits)."""
    rows = restrict(
        SpecialRecord.objects.select_related("category", "person", "responsible"),
        request.user,
        Action.CHANGE,
    )
    if not user_may(request.user, Action.VIEW_SPECIAL_POPULATION):
        rows = rows.filter(responsible=request.user)
    return get_for_user(rows, request.user, Action.CHANGE, pk=record_id)


@router.post(
    "/lines/populations/{record_id}/visits",
    response={200: VisitOut, 201: VisitOut},
    summary="Record a visit to a special-population record (replayable by client_key)",
)
def post_visit(request: AuthenticatedRequest, record_id: int, payload: VisitIn):
    target = _visitable(request, record_id)
    visit, created = populations.record_visit_once(
        target,
        actor=request.user,
        client_key=payload.client_key or None,
        met=payload.met,
        note=payload.note,
        position=_position(payload),
    )
    return Status(201 if created else 200, visit)


def _position(payload: VisitIn) -> populations.VisitPosition | None:
    if payload.lon is None and payload.lat is None:
        return None
    if payload.lon is None or payload.lat is None:
        raise ValidationError({"lat": _("Give both longitude and latitude, or neither.")})
    return populations.VisitPosition(payload.lon, payload.lat, payload.accuracy)


@router.post(
    "/lines/populations/visits/{visit_id}/voice",
    response={201: VisitVoiceOut},
    summary="Add a voice note to a special-population visit (file or resumable upload)",
)
def post_visit_voice(
    request: AuthenticatedRequest,
    visit_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008 (django-ninja declares it so)
    upload: uuid.UUID | None = Form(None),  # noqa: B008
):
    """The recording as the multipart `file`, or as `upload` (a finished resumable upload of
    the caller's). Only the member who made the visit adds its note."""
    visit = get_for_user(
        SpecialVisit.objects.filter(visitor=request.user), request.user, Action.CHANGE, pk=visit_id
    )
    data = attachments.attached_bytes(request.user, file, upload, settings.GRIDGOV_MAX_VOICE_BYTES)
    done = populations.add_visit_voice(visit, actor=request.user, data=data)
    attachments.forget(request.user, upload)
    url = reverse("lines:population_visit_voice", args=[done.pk])
    return Status(201, VisitVoiceOut(id=done.pk, voice_type=done.voice_type, url=url))


@router.get(
    "/lines/rentals",
    response=list[RentalOut],
    summary="Rented houses",
)
def list_rentals(request: AuthenticatedRequest, filters: Query[RentalQuery]):
    rows = RentalFilter(request.GET, request.user).rows()[: filters.limit]
    return [
        {
            "id": r.pk,
            "house_code": r.house.code,
            "risk_colour": r.risk_colour,
            "max_occupants": r.max_occupants,
            "area_code": r.area_code,
        }
        for r in rows
    ]


@router.get(
    "/lines/foreigners",
    response=list[ForeignerOut],
    summary="Foreigners' stays",
)
def list_foreigners(request: AuthenticatedRequest, filters: Query[ForeignerQuery]):
    _require(request, Action.VIEW_FOREIGN_AFFAIRS)
    rows = ForeignerFilter(request.GET, request.user).rows()[: filters.limit]
    return [
        {
            "id": s.pk,
            "name": mask_name(s.person.name),
            "nationality": s.nationality,
            "arrived_at": s.arrived_at,
            "registered_at": s.registered_at,
            "registration_late": rentals.registration_late(s),
            "visa_expiry": s.visa_expiry,
            "area_code": s.area_code,
            "left_on": s.left_on,
        }
        for s in rows
    ]


@router.get(
    "/lines/ledger-warnings",
    response=list[LedgerWarningOut],
    summary="Warnings of the populations and rentals ledgers",
)
def list_ledger_warnings(request: AuthenticatedRequest, filters: Query[LedgerWarningQuery]):
    return list(LedgerWarningFilter(request.GET, request.user).rows()[: filters.limit])
