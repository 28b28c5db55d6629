"""Federation between levels (docs/federation.md).

- `POST /federation/up` (on the city): a member district's signed message; the district sends
  its API key in `X-Api-Key` and signs with its secret.
- `POST /federation/down` (on a district): the parent's signed message.
- `POST /federation/cases/{case_id}/escalate` (on a district, staff): send a case up (吹哨).
- `POST /federation/reveal` (on a district): the parent's signed request for the reporter of a
  case escalated from here; answered with the values (not stored), logged in the access log.
- `POST /federation/cases/{case_id}/reveal` (on the city, the case's command center with the
  right to unmasked personal data): ask the member for the reporter, with a reason; the values
  are answered once with `Cache-Control: no-store` and never stored here.
- `POST /federation/tasks` (on the city, the right to assign tasks): a field task for the member
  districts under the areas named; it waits in each district's task list.
- `POST /federation/tasks/{task_id}/assign` (on a district, the command center): assign a task
  from above to the members working under an area (patrol tasks).
- `GET /federation/assessment?period=` (on the city): the member districts in the asker's scope
  ranked from the case facts they push (numbers only).

Both receivers answer 200 `{"status": "applied" | "duplicate"}`; a repeated message id is
acknowledged and not applied twice.
"""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import AuthenticationError
from pydantic import Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user
from gridgov.cases.models import Case
from gridgov.exchange.models import FederationTask
from gridgov.exchange.services import federation

router = Router()
MAX_BODY = 9 * 1024 * 1024  # a notice with its attachments (base64) fits


class ReceivedOut(Schema):
    status: str
    results: dict[str, str] | None = None  # a batch: each message's outcome by its id


class EscalateIn(Schema):
    department: str = Field("", max_length=100)
    note: str = Field("", max_length=500)


class RevealIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class RevealedOut(Schema):
    reporter_name: str
    reporter_phone: str


class CaseRevealedOut(RevealedOut):
    case_id: int


class TaskDownIn(Schema):
    area_codes: list[Annotated[str, Field(max_length=20)]] = Field(..., min_length=1, max_length=50)
    kind: str = Field(..., max_length=10)
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    due: datetime.datetime


class TaskDownOut(Schema):
    members: int


class AssignIn(Schema):
    area_code: str = Field(..., max_length=20)


class AssignOut(Schema):
    task_id: int
    tasks: int


class DistrictRow(Schema):
    rank: int
    area_code: str
    name: str
    platform: str
    score: float | None
    grade: str
    previous_score: float | None
    reports: int
    closed: int
    closing_rate: float | None
    close_on_time: float | None
    satisfaction: float | None


class DistrictRankingOut(Schema):
    period: str
    previous_period: str
    scheme: str
    items: list[str]
    rows: list[DistrictRow]


class EscalateOut(Schema):
    case_id: int
    peer: str
    remote_id: str


def _raw(request: HttpRequest) -> bytes:
    raw = request.body
    if len(raw) > MAX_BODY:
        raise ValidationError("The message is too large.")
    return raw


@router.post(
    "/federation/up",
    auth=None,
    response=ReceivedOut,
    exclude_none=True,
    summary="A member's message or batch",
)
def receive_up(request: HttpRequest):
    member = federation.member_for_key(request.headers.get("X-Api-Key", ""))
    if member is None:
        raise AuthenticationError()
    raw = _raw(request)
    secrets = federation.member_secrets(member)
    try:
        msg_id = federation.verify(secrets, request.headers, raw, member.signing)
    except federation.Refused as exc:
        raise AuthenticationError() from exc
    entries = federation.batch_of(raw)
    if entries is None:
        return {"status": federation.receive_up(member, msg_id, raw)}
    return {"status": "batch", "results": federation.receive_up_batch(member, entries)}


@router.post(
    "/federation/down",
    auth=None,
    response=ReceivedOut,
    exclude_none=True,
    summary="The parent's message or batch",
)
def receive_down(request: HttpRequest):
    config = federation.parent_config()
    if config is None:
        raise Http404
    raw = _raw(request)
    try:
        msg_id = federation.verify([config["secret"]], request.headers, raw, config["signing"])
    except federation.Refused as exc:
        raise AuthenticationError() from exc
    entries = federation.batch_of(raw)
    if entries is None:
        return {"status": federation.receive_down(config, msg_id, raw)}
    return {"status": "batch", "results": federation.receive_down_batch(config, entries)}


@router.post(
    "/federation/cases/{case_id}/escalate",
    response=EscalateOut,
    summary="Escalate a case to the level above",
)
def escalate(request: AuthenticatedRequest, case_id: int, payload: EscalateIn):
    case = get_for_user(Case.objects.all(), request.user, Action.CHANGE, pk=case_id)
    link = federation.escalate_to_parent(
        request.user, case, department=payload.department, note=payload.note
    )
    return {"case_id": case.pk, "peer": link.peer, "remote_id": link.remote_id}


@router.post(
    "/federation/reveal", auth=None, response=RevealedOut, summary="The parent asks for a reporter"
)
def answer_reveal(request: HttpRequest, response: HttpResponse):
    config = federation.parent_config()
    if config is None:
        raise Http404
    raw = _raw(request)
    try:
        msg_id = federation.verify([config["secret"]], request.headers, raw, config["signing"])
    except federation.Refused as exc:
        raise AuthenticationError() from exc
    response["Cache-Control"] = "no-store"
    return federation.answer_reveal(config, msg_id, raw)


@router.post(
    "/federation/cases/{case_id}/reveal",
    response=CaseRevealedOut,
    summary="Ask the member platform for an escalated case's reporter",
)
def reveal(request: AuthenticatedRequest, response: HttpResponse, case_id: int, payload: RevealIn):
    case = get_for_user(Case.objects.all(), request.user, Action.VIEW_PERSONAL, pk=case_id)
    values = federation.reveal_reporter(request.user, case, reason=payload.reason)
    response["Cache-Control"] = "no-store"
    return {"case_id": case.pk, **values}


@router.post("/federation/tasks", response=TaskDownOut, summary="Send a task to member platforms")
def send_task(request: AuthenticatedRequest, payload: TaskDownIn):
    members = federation.send_task_down(
        request.user,
        area_codes=payload.area_codes,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        due=payload.due,
    )
    return {"members": members}


@router.post(
    "/federation/tasks/{task_id}/assign",
    response=AssignOut,
    summary="Assign a task from the level above",
)
def assign_task(request: AuthenticatedRequest, task_id: int, payload: AssignIn):
    task = get_for_user(FederationTask.objects.all(), request.user, Action.ASSIGN_TASKS, pk=task_id)
    made = federation.assign_task_from_above(request.user, task, area_code=payload.area_code)
    return {"task_id": task.pk, "tasks": made}


@router.get(
    "/federation/assessment",
    response=DistrictRankingOut,
    summary="The member districts ranked from the facts they push",
)
def district_assessment(
    request: AuthenticatedRequest,
    period: str = Query("", max_length=10, description="2026-11, 2026-Q4 or 2026; default: now"),
):
    from gridgov.exchange.services.federation_assessment import district_ranking

    return district_ranking(request.user, period)
