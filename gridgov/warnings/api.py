"""Warnings in the JSON API: the same forms, queries and services as the pages.

Polled reads (`/warnings/active`, `/warnings/{id}/board`) answer 304 to a matching
If-None-Match, and never hold a response open."""

import datetime
import json
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.warnings import cap, queries, services
from gridgov.warnings.filters import WarningFilter
from gridgov.warnings.forms import FollowUpForm, WarningForm
from gridgov.warnings.models import Warning

router = Router(tags=["warnings"])


class WarningOut(Schema):
    id: int
    identifier: str
    area_code: str
    sender: str
    sender_name: str
    sent: datetime.datetime | None
    status: str
    kind: str
    msg_type: str
    state: str
    original_id: int | None
    forwarded_from_id: int | None
    event: str
    colour: str
    severity: str
    urgency: str
    certainty: str
    onset: datetime.datetime | None
    expires: datetime.datetime | None
    headline: str
    description: str
    instruction: str
    target_codes: list[str]
    polygons: list[dict]
    ack_code: str
    raised_by_id: int | None


class WarningQuery(Schema):
    """The list's parameters (read through filters.WarningFilter, shared with the page)."""

    area: str = Field("", max_length=20)
    state: Literal["", "draft", "approved", "issued", "closed", "discarded"] = ""
    colour: Literal["", "blue", "yellow", "orange", "red"] = ""
    kind: Literal["", "alert", "update", "forward", "cancel", "all_clear"] = ""
    limit: int = Field(50, ge=1, le=200)


class WarningIn(BaseModel):
    area_code: str = Field(..., max_length=20)
    event: str = Field(..., max_length=100)
    colour: str = Field(..., max_length=8)
    headline: str = Field(..., max_length=160)
    certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"] = "Likely"
    status: Literal["Actual", "Exercise", "Test", "Draft"] = "Actual"
    description: str = Field("", max_length=5000)
    instruction: str = Field("", max_length=5000)
    onset: datetime.datetime | None = None
    expires: datetime.datetime | None = None
    target_codes: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=500
    )
    polygons: list[dict] = Field(default_factory=list, max_length=20)


class ForwardIn(BaseModel):
    area_code: str = Field(..., max_length=20)
    instruction: str = Field(..., max_length=5000)


class FollowUpIn(BaseModel):
    kind: Literal["update", "cancel", "all_clear"]


class AckOut(Schema):
    acknowledged: int


def _form_errors(form) -> ValidationError:
    return ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})


def _not_modified_or(request: AuthenticatedRequest, etag: str, make) -> HttpResponse:
    if get_conditional_response(request, etag=etag) is not None:  # weak or strong, listed
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            json.dumps(make(), ensure_ascii=False, default=str),
            content_type="application/json; charset=utf-8",
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@router.get("/warnings", response=list[WarningOut], summary="Warnings in my scope or reaching me")
def list_warnings(request: AuthenticatedRequest, filters: Query[WarningQuery]):
    rows = WarningFilter(request.GET, request.user).rows()
    return list(rows[: filters.limit])


@router.post("/warnings", response={201: WarningOut}, summary="Draft a warning")
def create_warning(request: AuthenticatedRequest, payload: WarningIn):
    if not user_may(request.user, Action.ISSUE_WARNING):
        raise PermissionDenied
    data = payload.model_dump()
    data["polygons"] = json.dumps(data["polygons"]) if data["polygons"] else ""
    for key in ("onset", "expires"):
        data[key] = data[key].isoformat() if data[key] else ""
    form = WarningForm(data, user=request.user)
    if not form.is_valid():
        raise _form_errors(form)
    warning = services.create_draft(
        acting_user=request.user, area_code=payload.area_code, data=form.to_input()
    )
    return Status(201, warning)


@router.get("/warnings/active", summary="Active warnings for the cockpit and the phone (ETag)")
def active_warnings(request: AuthenticatedRequest):
    etag = queries.active_etag(request.user)
    return _not_modified_or(request, etag, lambda: {"items": queries.active_for(request.user)})


@router.get("/warnings/mine", summary="My receipts")
def my_receipts(request: AuthenticatedRequest, limit: int = 50):
    rows = queries.my_receipts(request.user)[: max(1, min(limit, 200))]
    return [
        {
            "warning": r.warning_id,
            "identifier": r.warning.identifier,
            "headline": r.warning.headline,
            "colour": r.warning.colour,
            "area_code": r.area_code,
            "queued_at": r.queued_at,
            "read_at": r.read_at,
            "acknowledged_at": r.acknowledged_at,
            "ack_code": r.warning.ack_code,
        }
        for r in rows
    ]


@router.post(
    "/warnings/import-cap",
    response={201: WarningOut},
    summary="Import a CAP 1.2 alert as a draft",
)
def import_cap(
    request: AuthenticatedRequest,
    file: File[UploadedFile],
    area_code: str = Form(..., max_length=20),
):
    if not user_may(request.user, Action.ISSUE_WARNING):
        raise PermissionDenied
    document = file.read(cap.MAX_CAP_BYTES + 1)
    return Status(201, cap.import_draft(document, acting_user=request.user, area_code=area_code))


@router.get("/warnings/{warning_id}", response=WarningOut, summary="One warning (read by me)")
def get_warning(request: AuthenticatedRequest, warning_id: int):
    warning = queries.get_warning_for_user(request.user, warning_id)
    services.mark_read(warning, acting_user=request.user)
    return warning


def _step(warning_id: int, request: AuthenticatedRequest, service) -> Warning:
    warning = queries.get_warning_for_user(request.user, warning_id)
    return service(warning, acting_user=request.user)


@router.post("/warnings/{warning_id}/approve", response=WarningOut, summary="Approve a draft")
def approve(request: AuthenticatedRequest, warning_id: int):
    return _step(warning_id, request, services.approve)


@router.post("/warnings/{warning_id}/issue", response=WarningOut, summary="Issue an approved")
def issue(request: AuthenticatedRequest, warning_id: int):
    return _step(warning_id, request, services.issue)


@router.post(
    "/warnings/{warning_id}/forward",
    response={201: WarningOut},
    summary="Forward down with local instructions",
)
def forward(request: AuthenticatedRequest, warning_id: int, payload: ForwardIn):
    warning = queries.get_warning_for_user(request.user, warning_id)
    made = services.forward(
        warning,
        acting_user=request.user,
        area_code=payload.area_code,
        instruction=payload.instruction,
    )
    return Status(201, made)


@router.post(
    "/warnings/{warning_id}/follow-up",
    response={201: WarningOut},
    summary="Draft an update, cancellation or all clear",
)
def follow_up(request: AuthenticatedRequest, warning_id: int, payload: FollowUpIn):
    warning = queries.get_warning_for_user(request.user, warning_id)
    form = FollowUpForm({"kind": payload.kind})
    if not form.is_valid():
        raise _form_errors(form)
    return Status(
        201, services.follow_up(warning, acting_user=request.user, kind=form.cleaned_data["kind"])
    )


@router.post("/warnings/{warning_id}/ack", response=AckOut, summary="Acknowledge (phone)")
def acknowledge(request: AuthenticatedRequest, warning_id: int):
    warning = queries.get_warning_for_user(request.user, warning_id)
    return {"acknowledged": services.acknowledge(warning, acting_user=request.user, via="api")}


@router.get("/warnings/{warning_id}/board", summary="Acknowledged / read / not reached (ETag)")
def board(request: AuthenticatedRequest, warning_id: int):
    warning = queries.get_warning_for_user(request.user, warning_id)
    etag = queries.board_etag(warning, request.user)
    return _not_modified_or(request, etag, lambda: queries.board(warning, request.user))


@router.get("/warnings/{warning_id}/cap", summary="The warning as CAP 1.2 XML")
def cap_xml(request: AuthenticatedRequest, warning_id: int):
    warning = queries.get_warning_for_user(request.user, warning_id)
    return HttpResponse(
        cap.to_xml(warning, request.build_absolute_uri("/")[:-1]),
        content_type="application/cap+xml; charset=utf-8",
    )
