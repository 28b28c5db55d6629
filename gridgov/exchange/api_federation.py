"""Federation between levels (docs/federation.md).

- `POST /federation/up` (on the city): a member district's signed message; the district sends
  its API key in `X-Api-Key` and signs with its secret.
- `POST /federation/down` (on a district): the parent's signed message.
- `POST /federation/cases/{case_id}/escalate` (on a district, staff): send a case up (吹哨).

Both receivers answer 200 `{"status": "applied" | "duplicate"}`; a repeated message id is
acknowledged and not applied twice.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from pydantic import Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user
from gridgov.cases.models import Case
from gridgov.exchange.services import federation

router = Router()
MAX_BODY = 256 * 1024


class ReceivedOut(Schema):
    status: str


class EscalateIn(Schema):
    department: str = Field("", max_length=100)
    note: str = Field("", max_length=500)


class EscalateOut(Schema):
    case_id: int
    peer: str
    remote_id: str


def _raw(request: HttpRequest) -> bytes:
    raw = request.body
    if len(raw) > MAX_BODY:
        raise ValidationError("The message is too large.")
    return raw


@router.post("/federation/up", auth=None, response=ReceivedOut, summary="A member's message")
def receive_up(request: HttpRequest):
    member = federation.member_for_key(request.headers.get("X-Api-Key", ""))
    if member is None:
        raise AuthenticationError()
    raw = _raw(request)
    try:
        msg_id = federation.verify(federation.member_secrets(member), request.headers, raw)
    except federation.Refused as exc:
        raise AuthenticationError() from exc
    return {"status": federation.receive_up(member, msg_id, raw)}


@router.post("/federation/down", auth=None, response=ReceivedOut, summary="The parent's message")
def receive_down(request: HttpRequest):
    config = federation.parent_config()
    if config is None:
        raise Http404
    raw = _raw(request)
    try:
        msg_id = federation.verify([config["secret"]], request.headers, raw)
    except federation.Refused as exc:
        raise AuthenticationError() from exc
    return {"status": federation.receive_down(config, msg_id, raw)}


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
