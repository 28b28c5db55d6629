"""Registry corrections from the phone and the conflicts list, under /api/v1/phone/."""

import datetime
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import BaseModel, Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user
from gridgov.mobile import queries
from gridgov.mobile import services_corrections as services

router = Router(tags=["mobile"])

Text = Annotated[str, Field(max_length=50)]


class CorrectionIn(BaseModel):
    id: uuid.UUID = Field(..., description="Made on the phone: the idempotency key")
    kind: Literal["person", "house"]
    record_id: int = Field(..., ge=1)
    base_version: datetime.datetime = Field(
        ..., description="The record's `updated_at` as the phone showed it"
    )
    values: dict[Text, Text | bool] = Field(
        ...,
        max_length=8,
        description="person: phone, occupation, employer, moved_out (true); house: use, state",
    )


class CorrectionOut(Schema):
    id: uuid.UUID
    kind: str
    record_id: int
    record_label: str
    state: str
    values: dict[str, Any]
    desk_values: dict[str, Any]
    desk_changed_by: str
    desk_changed_at: datetime.datetime | None
    created_at: datetime.datetime
    resolved_at: datetime.datetime | None


@router.post(
    "/phone/corrections",
    response={200: CorrectionOut, 201: CorrectionOut},
    summary="Correct a registry record from the phone (a conflict when it changed since)",
)
def submit_correction(request: AuthenticatedRequest, payload: CorrectionIn):
    """Applied through the registry's services when the record's `updated_at` still equals
    `base_version` (`state` "applied"); otherwise nothing is written and the correction waits in
    the conflicts list (`state` "conflict"). The same `id` again answers the first outcome (200)."""
    correction, created = services.submit_correction(
        actor=request.user,
        correction_id=payload.id,
        kind=payload.kind,
        record_id=payload.record_id,
        base_version=payload.base_version,
        values=dict(payload.values),
    )
    return Status(201 if created else 200, correction)


class ConflictsOut(Schema):
    count: int
    items: list[CorrectionOut]


@router.get("/phone/conflicts", response=ConflictsOut, summary="My open conflicts")
def list_conflicts(request: HttpRequest):
    """The caller's corrections that met a newer desk edit, oldest first, with the member's values
    and the desk's side by side (a phone number masked on both)."""
    rows = list(queries.open_conflicts(request.user, own=True))
    return ConflictsOut(count=len(rows), items=[CorrectionOut.from_orm(r) for r in rows])


class ResolveIn(BaseModel):
    keep: Literal["mine", "desk"]


@router.post(
    "/phone/conflicts/{correction_id}/resolve",
    response=CorrectionOut,
    summary="Resolve a conflict: apply mine, or keep the desk's",
)
def resolve_conflict(request: AuthenticatedRequest, correction_id: uuid.UUID, payload: ResolveIn):
    correction = get_for_user(
        queries.conflicts_base(request.user, Action.CHANGE),
        request.user,
        Action.CHANGE,
        pk=correction_id,
    )
    return services.resolve_conflict(correction, actor=request.user, keep=payload.keep)
