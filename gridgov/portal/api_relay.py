"""The core's side of the relay from a public instance (docs/portal.md, "Public instance").

- `POST /portal/relay/reports`: a report made on the public instance, once per UUID.
- `POST /portal/relay/status`: the public side of reports this client relayed (no others).

Both authenticate the public instance by its client key in `X-Api-Key` (a client system of kind
"public portal instance"); a public instance itself does not serve them.
"""

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from pydantic import Field

from gridgov.accounts.system import PORTAL, system_user
from gridgov.exchange.models import ClientSystem
from gridgov.portal.services import relay

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


class StatusOut(Schema):
    items: list[RelayStatus]


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
    return {"items": relay.status_for(client, payload.uuids, actor=system_user(PORTAL))}
