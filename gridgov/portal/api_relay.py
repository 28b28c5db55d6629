"""The core's side of the relay from a public instance (docs/portal.md, "Public instance").

- `POST /portal/relay/reports`: a report made on the public instance, once per UUID.
- `POST /portal/relay/status`: the public side of reports this client relayed (no others), and
  the public view of the Open311 requests it relayed.
- `POST /portal/relay/actions`: a reporter's rating or "not fixed" of a relayed report, once per
  UUID.
- `POST /portal/relay/open311`: an Open311 request the public instance took, once per UUID.
- `POST /portal/relay/follows`: a citizen joined or followed a report this client relayed, or
  follows (or stops following) an area, once per UUID.

Both authenticate the public instance by its client key in `X-Api-Key` (a client system of kind
"public portal instance"); a public instance itself does not serve them.
"""

from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from pydantic import Field

from gridgov.accounts.system import PORTAL, system_user
from gridgov.exchange.models import ClientSystem
from gridgov.portal.services import relay, relay_actions, relay_follows, relay_open311

router = Router(tags=["portal"])
MAX_PHOTO_CHARS = 8 * 1024 * 1024  # base64 of one photo (the body is 10 MB at most)


class RelayIn(Schema):
    uuid: str = Field(..., max_length=36)
    category: str = Field(..., max_length=20)
    description: str = Field("", max_length=1000)
    lon: float | None = None
    lat: float | None = None
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    notify: bool = True
    photos: list[Annotated[str, Field(max_length=MAX_PHOTO_CHARS)]] = Field(
        default_factory=list, max_length=4
    )


class RelayOut(Schema):
    uuid: str
    number: str


class StatusIn(Schema):
    uuids: list[Annotated[str, Field(max_length=36)]] = Field(..., max_length=200)
    requests: list[Annotated[str, Field(max_length=36)]] = Field(
        default_factory=list, max_length=200
    )


class Step(Schema):
    step: str
    time: str


class RelayStatus(Schema):
    uuid: str
    number: str
    status: str
    steps: list[Step]
    moderation: str
    text: str
    satisfaction: int | None
    closed_at: str | None
    closed_on_time: bool | None
    request: dict = {}


class RequestStatus(Schema):
    uuid: str
    service_request_id: str
    request: dict


class StatusOut(Schema):
    items: list[RelayStatus]
    requests: list[RequestStatus] = []


class ActionIn(Schema):
    uuid: str = Field(..., max_length=36)
    report: str = Field(..., max_length=36)
    kind: str = Field(..., max_length=10)
    score: int | None = Field(None, ge=1, le=5)
    note: str = Field("", max_length=500)


class FollowIn(Schema):
    uuid: str = Field(..., max_length=36)
    kind: str = Field(..., max_length=10)
    report: str = Field("", max_length=36)
    area: str = Field("", max_length=20)
    phone: str = Field(..., max_length=20)
    note: str = Field("", max_length=500)


class FollowOut(Schema):
    uuid: str
    done: bool


class Open311In(Schema):
    uuid: str = Field(..., max_length=36)
    service_code: str = Field(..., max_length=12)
    lat: float | None = None
    long: float | None = None
    address_string: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    media_url: str = Field("", max_length=500)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=100)
    email: str = Field("", max_length=100)
    device_id: str = Field("", max_length=100)
    account_id: str = Field("", max_length=100)


def _client(request: HttpRequest) -> ClientSystem:
    client = relay.client_for_key(request.headers.get("X-Api-Key", ""))
    if client is None:
        raise AuthenticationError()
    return client


@router.post("/portal/relay/reports", auth=None, response=RelayOut, summary="A relayed report")
def relay_report(request: HttpRequest, payload: RelayIn):
    """A citizen's report made on a public instance; the same UUID again gives the same report."""
    client = _client(request)
    report = relay.receive_report(
        client,
        relay.Relayed(
            uuid=payload.uuid,
            category=payload.category,
            description=payload.description,
            lon=payload.lon,
            lat=payload.lat,
            address=payload.address,
            phone=payload.phone,
            notify=payload.notify,
            photos=list(payload.photos),
        ),
        actor=system_user(PORTAL),
    )
    return {"uuid": payload.uuid, "number": report.number}


@router.post("/portal/relay/status", auth=None, response=StatusOut, summary="Relayed reports")
def relay_status(request: HttpRequest, payload: StatusIn):
    """The public side of the reports this client relayed (by UUID), as the core shows it."""
    client = _client(request)
    portal = system_user(PORTAL)
    return {
        "items": relay.status_for(client, payload.uuids, actor=portal),
        "requests": relay_open311.requests_status(client, payload.requests, actor=portal),
    }


@router.post(
    "/portal/relay/actions", auth=None, response=RelayStatus, summary="A relayed rating or reopen"
)
def relay_action(request: HttpRequest, payload: ActionIn):
    """A reporter's rating or "not fixed" (kind `rate` or `not_fixed`) of a report this client
    relayed; the same UUID again does nothing more. The report's public side after it."""
    client = _client(request)
    try:
        return relay_actions.receive_action(
            client,
            key=payload.uuid,
            report_key=payload.report,
            kind=payload.kind,
            score=payload.score,
            note=payload.note,
            actor=system_user(PORTAL),
        )
    except LookupError as exc:
        raise Http404 from exc


@router.post("/portal/relay/follows", auth=None, response=FollowOut, summary="A relayed follow")
def relay_follow(request: HttpRequest, payload: FollowIn):
    """A citizen joined (kind `join`) or followed (`follow`) a report this client relayed, or
    follows an area (`area`) or stops (`area_stop`): recorded here, so the core tells them by
    SMS; the same UUID again does nothing more. A report this client did not relay answers 404."""
    client = _client(request)
    try:
        return relay_follows.receive_follow(client, payload.model_dump(), actor=system_user(PORTAL))
    except LookupError as exc:
        raise Http404 from exc


@router.post("/portal/relay/open311", auth=None, response=RequestStatus, summary="Open311 request")
def relay_open311_request(request: HttpRequest, payload: Open311In):
    """An Open311 request a public instance took, made here through the Open311 intake once per
    UUID: its service_request_id and public view."""
    client = _client(request)
    return relay_open311.receive_request(client, payload.model_dump(), actor=system_user(PORTAL))
