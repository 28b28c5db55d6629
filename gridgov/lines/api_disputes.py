"""API of disputes and mediation, monthly screening, hazard inspection and rectification.
The same filters, queries and services as the pages."""

import base64
import binascii
import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.lines import queries_disputes
from gridgov.lines.filters_disputes import DisputeFilter, HazardFilter, ScreeningFilter
from gridgov.lines.models import (
    ChecklistItem,
    Dispute,
    Hazard,
    InspectionPlan,
    InspectionTask,
    Referral,
    ScreeningTask,
)
from gridgov.lines.services import disputes as ds
from gridgov.lines.services import hazards as hs
from gridgov.lines.services.disputes_pdf import agreement_pdf, notice_pdf
from gridgov.registry.models import Organization

router = Router(tags=["lines"])
MAX_SCAN = 10 * 1024 * 1024

Kind = Literal["", "neighbourhood", "family", "property", "labour", "land", "debt", "other"]
Risk = Literal["low", "medium", "high", "group"]


class DisputeOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    area_code: str
    risk: str
    source: str
    state: str
    flagged: bool
    mediation_body: str
    case_id: int | None
    effective_on: datetime.date | None
    court_applied_on: datetime.date | None
    court_result: str
    success: bool | None
    created_at: datetime.datetime


class PartyOut(Schema):
    role: str
    name: str
    person_id: int | None
    organization_id: int | None


class SessionOut(Schema):
    held_on: datetime.date
    place: str
    participants: str
    record: str
    agreed: str


class EventOut(Schema):
    at: datetime.datetime
    what: str
    note: str


class ReferralOut(Schema):
    id: int
    body: str
    body_name: str
    referred_on: datetime.date
    accepted_on: datetime.date | None
    outcome: str


class FollowUpOut(Schema):
    visited_on: datetime.date
    note: str
    fulfilled: bool


class DisputeDetail(DisputeOut):
    description: str
    place: str
    agreement_text: str
    parties: list[PartyOut]
    sessions: list[SessionOut]
    referrals: list[ReferralOut]
    follow_ups: list[FollowUpOut]
    events: list[EventOut]


class DisputeQuery(Schema):
    area: str = Field("", max_length=20)
    q: str = Field("", max_length=50)
    kind: Kind = ""
    state: Literal[
        "", "registered", "mediating", "agreement", "fulfilment", "referred", "closed"
    ] = ""
    risk: Literal["", "low", "medium", "high", "group"] = ""
    flagged: bool = False
    limit: int = Field(50, ge=1, le=200)


class PartyIn(BaseModel):
    name: str = Field(
        "",
        max_length=120,
        description="Required unless linked: a linked party's name is the registry's.",
    )
    role: Literal["applicant", "respondent", "third"] = "applicant"
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)
    organization_id: int | None = Field(None, ge=1, le=2_147_483_647)


class DisputeIn(BaseModel):
    kind: Literal["neighbourhood", "family", "property", "labour", "land", "debt", "other"]
    title: str = Field(..., min_length=1, max_length=100)
    area_code: str = Field(..., max_length=20)
    risk: Risk = "low"
    source: Literal["patrol", "visit", "report", "12345", "petition", "screening"] = "report"
    description: str = Field("", max_length=5000)
    place: str = Field("", max_length=200)
    mediation_body: str = Field("", max_length=100)
    parties: list[PartyIn] = Field(..., min_length=1, max_length=100)
    client_key: str | None = Field(
        None,
        min_length=8,
        max_length=64,
        description="The phone outbox's key: sent again, it answers the first dispute (200).",
    )


class SessionIn(BaseModel):
    held_on: datetime.date
    participants: str = Field(..., min_length=1, max_length=500)
    record: str = Field(..., min_length=1, max_length=10000)
    agreed: str = Field("", max_length=5000)
    place: str = Field("", max_length=200)


class AgreementIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=10000)


class FollowUpIn(BaseModel):
    visited_on: datetime.date
    note: str = Field(..., min_length=1, max_length=500)
    fulfilled: bool = False


class CourtIn(BaseModel):
    applied_on: datetime.date
    result: str = Field("", max_length=200)


class ReferralIn(BaseModel):
    body: Literal["justice", "police", "petition", "court", "department"]
    body_name: str = Field("", max_length=100)


class OutcomeIn(BaseModel):
    accepted_on: datetime.date | None = None
    outcome: str = Field("", max_length=500)


class CloseIn(BaseModel):
    success: bool
    note: str = Field(..., min_length=1, max_length=500)


def _dispute(request: AuthenticatedRequest, dispute_id: int) -> Dispute:
    return get_for_user(Dispute.objects.all(), request.user, Action.VIEW, pk=dispute_id)


def _detail(dispute: Dispute) -> dict:
    out = DisputeOut.from_orm(dispute).dict()
    out.update(
        description=dispute.description,
        place=dispute.place,
        agreement_text=dispute.agreement_text,
        parties=list(dispute.parties.all()),
        sessions=list(dispute.sessions.all()),
        referrals=list(dispute.referrals.all()),
        follow_ups=list(dispute.follow_ups.all()),
        events=list(dispute.events.all()),
    )
    return out


@router.get("/disputes", response=list[DisputeOut], summary="The dispute ledger (filtered)")
def list_disputes(request: AuthenticatedRequest, filters: Query[DisputeQuery]):
    return list(DisputeFilter(request.GET, request.user).rows()[: filters.limit])


@router.post(
    "/disputes", response={200: DisputeDetail, 201: DisputeDetail}, summary="Register a dispute"
)
def create_dispute(request: AuthenticatedRequest, payload: DisputeIn):
    """201 with the new dispute; with a `client_key` already used by the caller, 200 with the
    dispute it made (the phone's outbox sending again after a cut)."""
    if (first := ds.replayed(request.user, payload.client_key)) is not None:
        return Status(200, _detail(get_for_user(Dispute.objects.all(), request.user, pk=first.pk)))
    data = payload.model_dump()
    parties = [ds.PartyInput(**p) for p in data.pop("parties")]
    dispute = ds.register_dispute(ds.DisputeInput(**data, parties=parties), actor=request.user)
    return Status(201, _detail(dispute))


class BoardQuery(Schema):
    area: str = Field("", max_length=20)


@router.get("/disputes/board", summary="Boards: disputes, mediation success, hazards")
def lines_board(request: AuthenticatedRequest, filters: Query[BoardQuery]):
    return queries_disputes.board(request.user, within=filters.area)


@router.get("/disputes/{dispute_id}", response=DisputeDetail, summary="One dispute, its timeline")
def get_dispute(request: AuthenticatedRequest, dispute_id: int):
    return _detail(_dispute(request, dispute_id))


@router.post("/disputes/{dispute_id}/sessions", response={201: DisputeDetail})
def add_session(request: AuthenticatedRequest, dispute_id: int, payload: SessionIn):
    dispute = _dispute(request, dispute_id)
    ds.add_session(dispute, actor=request.user, **payload.model_dump())
    return Status(201, _detail(dispute))


@router.post("/disputes/{dispute_id}/agreement", response=DisputeDetail)
def draft_agreement(request: AuthenticatedRequest, dispute_id: int, payload: AgreementIn):
    dispute = _dispute(request, dispute_id)
    return _detail(ds.draft_agreement(dispute, payload.text, actor=request.user))


@router.get("/disputes/{dispute_id}/agreement.pdf", summary="The agreement to print and sign")
def agreement_file(request: AuthenticatedRequest, dispute_id: int):
    dispute = _dispute(request, dispute_id)
    if not dispute.agreement_text:
        raise ValidationError({"state": "no agreement drafted"})
    response = HttpResponse(agreement_pdf(dispute), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dispute.number}.pdf"'
    return response


@router.post("/disputes/{dispute_id}/signed", response=DisputeDetail, summary="Signed scan")
def upload_signed(request: AuthenticatedRequest, dispute_id: int, scan: File[UploadedFile]):
    dispute = _dispute(request, dispute_id)
    content = scan.read(MAX_SCAN + 1)
    if len(content) > MAX_SCAN:
        raise ValidationError({"scan": "too large"})
    ds.upload_signed_agreement(dispute, content, scan.name or "scan.pdf", actor=request.user)
    return _detail(dispute)


@router.post("/disputes/{dispute_id}/follow-ups", response={201: DisputeDetail})
def add_follow_up(request: AuthenticatedRequest, dispute_id: int, payload: FollowUpIn):
    dispute = _dispute(request, dispute_id)
    ds.record_follow_up(dispute, actor=request.user, **payload.model_dump())
    return Status(201, _detail(dispute))


@router.post("/disputes/{dispute_id}/court", response=DisputeDetail)
def court_confirmation(request: AuthenticatedRequest, dispute_id: int, payload: CourtIn):
    dispute = _dispute(request, dispute_id)
    ds.record_court_confirmation(dispute, actor=request.user, **payload.model_dump())
    return _detail(dispute)


@router.post("/disputes/{dispute_id}/referrals", response={201: DisputeDetail})
def refer(request: AuthenticatedRequest, dispute_id: int, payload: ReferralIn):
    dispute = _dispute(request, dispute_id)
    ds.refer(dispute, actor=request.user, **payload.model_dump())
    return Status(201, _detail(dispute))


@router.post("/disputes/referrals/{referral_id}/outcome", response=DisputeDetail)
def referral_outcome(request: AuthenticatedRequest, referral_id: int, payload: OutcomeIn):
    referral = get_for_user(Referral.objects.all(), request.user, Action.VIEW, pk=referral_id)
    ds.record_referral_outcome(referral, actor=request.user, **payload.model_dump())
    referral.dispute.refresh_from_db()
    return _detail(referral.dispute)


@router.post("/disputes/{dispute_id}/close", response=DisputeDetail)
def close(request: AuthenticatedRequest, dispute_id: int, payload: CloseIn):
    dispute = _dispute(request, dispute_id)
    return _detail(ds.close_dispute(dispute, actor=request.user, **payload.model_dump()))


class RegradeIn(BaseModel):
    risk: Risk


@router.post("/disputes/{dispute_id}/regrade", response=DisputeDetail, summary="Regrade the risk")
def regrade(request: AuthenticatedRequest, dispute_id: int, payload: RegradeIn):
    dispute = _dispute(request, dispute_id)
    return _detail(ds.regrade(dispute, payload.risk, actor=request.user))


class CaseLink(Schema):
    case_id: int
    dispute_id: int


@router.post(
    "/disputes/{dispute_id}/case",
    response={201: CaseLink},
    summary="转为事件: hand to the case loop",
)
def case_from_dispute(request: AuthenticatedRequest, dispute_id: int):
    dispute = _dispute(request, dispute_id)
    case = ds.case_from_dispute(dispute, actor=request.user)
    return Status(201, {"case_id": case.pk, "dispute_id": dispute.pk})


class FromCaseIn(BaseModel):
    kind: Literal["neighbourhood", "family", "property", "labour", "land", "debt", "other"]
    risk: Risk = "low"
    parties: list[PartyIn] = Field(..., min_length=1, max_length=100)


@router.post("/disputes/from-case/{case_id}", response={201: DisputeDetail}, summary="转为矛盾纠纷")
def dispute_from_case(request: AuthenticatedRequest, case_id: int, payload: FromCaseIn):
    from gridgov.cases.queries import get_case_for_user

    case = get_case_for_user(request.user, case_id)
    parties = [ds.PartyInput(**p.model_dump()) for p in payload.parties]
    dispute = ds.dispute_from_case(
        case, actor=request.user, kind=payload.kind, risk=payload.risk, parties=parties
    )
    return Status(201, _detail(dispute))


# ---------------------------------------------------------------------------------------------
# screening


class ScreeningOut(Schema):
    id: int
    area_code: str
    month: datetime.date
    state: str
    note: str
    done_at: datetime.datetime | None


class ScreeningQuery(Schema):
    area: str = Field("", max_length=20)
    state: Literal["", "open", "found", "none"] = ""
    limit: int = Field(50, ge=1, le=200)


class ScreeningIn(BaseModel):
    found: bool
    note: str = Field("", max_length=500)


@router.get("/screenings", response=list[ScreeningOut], summary="Monthly screening tasks")
def list_screenings(request: AuthenticatedRequest, filters: Query[ScreeningQuery]):
    return list(ScreeningFilter(request.GET, request.user).rows()[: filters.limit])


@router.post("/screenings/{task_id}", response=ScreeningOut, summary="Found / none found")
def complete_screening(request: AuthenticatedRequest, task_id: int, payload: ScreeningIn):
    task = get_for_user(ScreeningTask.objects.all(), request.user, Action.VIEW, pk=task_id)
    return ds.complete_screening(task, actor=request.user, found=payload.found, note=payload.note)


# ---------------------------------------------------------------------------------------------
# hazards


class ItemOut(Schema):
    id: int
    text: str
    major: bool


class PlanOut(Schema):
    id: int
    name: str
    place_type: str
    organization_kind: str
    interval_days: int
    items: list[ItemOut]


class HazardOut(Schema):
    id: int
    number: str
    organization_id: int | None
    rental_id: int | None
    place_name: str
    area_code: str
    grade: str
    description: str
    responsible: str
    deadline: datetime.date
    state: str
    supervised_by: str
    supervision_deadline: datetime.date | None
    reinspections: int
    created_at: datetime.datetime


class HazardQuery(Schema):
    area: str = Field("", max_length=20)
    grade: Literal["", "general", "major"] = ""
    state: Literal["", "open", "closed", "escalated"] = ""
    overdue: bool = False
    supervised: bool = False
    limit: int = Field(50, ge=1, le=200)


class ResultIn(BaseModel):
    item_id: int
    result: Literal["pass", "fail", "na"]
    note: str = Field("", max_length=300)
    photo_base64: str = Field("", max_length=8_000_000)


class InspectionIn(BaseModel):
    plan_id: int
    organization_id: int
    task_id: int | None = None
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    results: list[ResultIn] = Field(..., min_length=1, max_length=200)


class InspectionOut(Schema):
    id: int
    area_code: str
    failures: int
    hazards: list[HazardOut]


class ReinspectIn(BaseModel):
    rectified: bool
    proof_base64: str = Field("", max_length=8_000_000)
    new_deadline: datetime.date | None = None


class SupervisionIn(BaseModel):
    level: Literal["street", "district"]
    deadline: datetime.date | None = None


def photo_bytes(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True) if text else b""
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({"photo": "not base64"}) from exc


@router.get("/inspection-plans", response=list[PlanOut], summary="Plans and their checklists")
def plans(request: AuthenticatedRequest):
    current = Prefetch("items", queryset=ChecklistItem.objects.filter(retired=False))
    return list(InspectionPlan.objects.filter(active=True).prefetch_related(current))


@router.post("/inspections", response={201: InspectionOut}, summary="Record an inspection")
def create_inspection(request: AuthenticatedRequest, payload: InspectionIn):
    plan = InspectionPlan.objects.filter(pk=payload.plan_id, active=True).first()
    if plan is None:
        raise ValidationError({"plan_id": "unknown plan"})
    org = get_for_user(
        Organization.objects.all(), request.user, Action.VIEW, pk=payload.organization_id
    )
    task = None
    if payload.task_id is not None:
        task = get_for_user(
            InspectionTask.objects.all(), request.user, Action.VIEW, pk=payload.task_id
        )
    results = [
        hs.ResultInput(r.item_id, r.result, r.note, photo_bytes(r.photo_base64))
        for r in payload.results
    ]
    inspection = hs.record_inspection(
        actor=request.user,
        plan=plan,
        organization=org,
        results=results,
        lon=payload.lon,
        lat=payload.lat,
        task=task,
    )
    return Status(
        201,
        {
            "id": inspection.pk,
            "area_code": inspection.area_code,
            "failures": inspection.failures,
            "hazards": list(inspection.hazards.all()),
        },
    )


@router.get("/hazards", response=list[HazardOut], summary="The hazard ledger (filtered)")
def list_hazards(request: AuthenticatedRequest, filters: Query[HazardQuery]):
    return list(HazardFilter(request.GET, request.user).rows()[: filters.limit])


def _hazard(request: AuthenticatedRequest, hazard_id: int) -> Hazard:
    return get_for_user(Hazard.objects.all(), request.user, Action.VIEW, pk=hazard_id)


@router.get("/hazards/{hazard_id}", response=HazardOut, summary="One hazard")
def get_hazard(request: AuthenticatedRequest, hazard_id: int):
    return _hazard(request, hazard_id)


@router.get("/hazards/{hazard_id}/notice.pdf", summary="The rectification notice")
def hazard_notice(request: AuthenticatedRequest, hazard_id: int):
    hazard = _hazard(request, hazard_id)
    response = HttpResponse(notice_pdf(hazard), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{hazard.number}.pdf"'
    return response


@router.post("/hazards/{hazard_id}/reinspect", response=HazardOut, summary="复查 / 销号")
def reinspect(request: AuthenticatedRequest, hazard_id: int, payload: ReinspectIn):
    hazard = _hazard(request, hazard_id)
    return hs.reinspect(
        hazard,
        actor=request.user,
        rectified=payload.rectified,
        proof=photo_bytes(payload.proof_base64),
        new_deadline=payload.new_deadline,
    )


@router.post("/hazards/{hazard_id}/supervision", response=HazardOut, summary="挂牌督办")
def supervision(request: AuthenticatedRequest, hazard_id: int, payload: SupervisionIn):
    hazard = _hazard(request, hazard_id)
    if not restrict(Hazard.objects.filter(pk=hazard.pk), request.user, Action.CHANGE).exists():
        raise PermissionDenied
    return hs.list_supervision(
        hazard, actor=request.user, level=payload.level, deadline=payload.deadline
    )


class EscalateIn(BaseModel):
    note: str = Field(..., min_length=1, max_length=200)


@router.post("/hazards/{hazard_id}/escalate", response=HazardOut, summary="Escalate a hazard")
def escalate(request: AuthenticatedRequest, hazard_id: int, payload: EscalateIn):
    hazard = _hazard(request, hazard_id)
    return hs.escalate(hazard, actor=request.user, note=payload.note)
