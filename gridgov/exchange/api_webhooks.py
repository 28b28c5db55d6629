"""The change feed for client systems, and webhook endpoints for administrators.

`GET /changes?cursor=N` answers the events after N that the calling client system may see (its
areas and kinds of data), oldest first, with the cursor to ask next; a client keeps its cursor
and restarts from it. It authenticates with its API key in `X-Api-Key`.
"""

import datetime
from typing import Annotated

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.exchange.models import ChangeEvent, ClientSystem, WebhookEndpoint
from gridgov.exchange.services import webhooks
from gridgov.exchange.services.clients import (
    authenticate_client,
    client_area_codes,
    require_manager,
)

router = Router()


class ChangesQuery(Schema):
    cursor: int = Field(0, ge=0)
    limit: int = Field(500, ge=1, le=1000)


class ChangeEventOut(Schema):
    id: int
    type: str
    version: int
    timestamp: datetime.datetime
    data: dict


class ChangesOut(Schema):
    events: list[ChangeEventOut]
    next_cursor: int


def _settle() -> datetime.timedelta:
    """Events younger than this are not shown yet: on PostgreSQL an id may commit after a larger
    one, and a reader must not move its cursor past a change still being written."""
    seconds = settings.GRIDGOV_CHANGE_FEED_SETTLE
    if seconds is None:
        seconds = 0.0 if connection.vendor == "sqlite" else 5.0
    return datetime.timedelta(seconds=seconds)


def _kind_q(patterns: list[str]) -> Q:
    q = Q(pk__in=[])
    for pattern in patterns:
        if pattern == "*":
            return Q()
        if pattern.endswith(".*"):
            q |= Q(type__startswith=pattern[:-1])
        else:
            q |= Q(type=pattern)
    return q


def feed_for(client: ClientSystem, cursor: int, limit: int) -> tuple[list[ChangeEvent], int]:
    codes = client_area_codes(client)
    area_q = Q(pk__in=[])
    for code in codes:
        area_q |= Q(area_code__startswith=code)
    rows = list(
        ChangeEvent.objects.filter(
            area_q,
            _kind_q(client.data_kinds or []),
            pk__gt=cursor,
            occurred_at__lte=timezone.now() - _settle(),
        ).order_by("pk")[:limit]
    )
    return rows, (rows[-1].pk if rows else cursor)


@router.get("/changes", response=ChangesOut, auth=None, summary="The change feed (client key)")
def changes(request: HttpRequest, query: Query[ChangesQuery]):
    client = authenticate_client(request.headers.get("X-Api-Key", ""))
    if client is None:
        raise AuthenticationError()
    rows, cursor = feed_for(client, query.cursor, query.limit)
    return {"events": [row.as_payload() for row in rows], "next_cursor": cursor}


class EndpointIn(Schema):
    client_id: int
    url: str = Field(..., max_length=500)
    event_types: list[Annotated[str, Field(max_length=40)]] = Field(..., max_length=30)


class EndpointOut(Schema):
    id: int
    client_id: int
    url: str
    event_types: list[str]
    active: bool
    disabled_reason: str


class DeliveryOut(Schema):
    id: int
    event: int | None
    status: str
    attempts: int
    error: str
    sent_at: datetime.datetime | None
    next_attempt_at: datetime.datetime | None


class ReplayIn(Schema):
    event_id: int


class ActiveIn(Schema):
    active: bool


@router.get("/webhooks", response=list[EndpointOut], summary="Webhook endpoints")
def list_endpoints(request: AuthenticatedRequest):
    require_manager(request.user)
    return list(WebhookEndpoint.objects.order_by("pk"))


@router.post("/webhooks", response={201: EndpointOut}, summary="Register a webhook endpoint")
def add_endpoint(request: AuthenticatedRequest, payload: EndpointIn):
    require_manager(request.user)
    client = get_object_or_404(ClientSystem, pk=payload.client_id)
    endpoint = webhooks.add_endpoint(
        request.user, client, url=payload.url, event_types=payload.event_types
    )
    return Status(201, endpoint)


@router.post("/webhooks/{endpoint_id}/active", response=EndpointOut, summary="Enable or disable")
def set_active(request: AuthenticatedRequest, endpoint_id: int, payload: ActiveIn):
    require_manager(request.user)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return webhooks.set_active(request.user, endpoint, payload.active)


@router.get(
    "/webhooks/{endpoint_id}/deliveries", response=list[DeliveryOut], summary="Delivery log"
)
def deliveries(request: AuthenticatedRequest, endpoint_id: int):
    require_manager(request.user)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return [_delivery(row) for row in webhooks.deliveries(endpoint)[:200]]


def _delivery(row) -> dict:
    event = (row.payload or {}).get("event") or {}
    return {
        "id": row.pk,
        "event": event.get("id"),
        "status": row.status,
        "attempts": row.attempts,
        "error": row.error,
        "sent_at": row.sent_at,
        "next_attempt_at": row.next_attempt_at,
    }


@router.post(
    "/webhooks/{endpoint_id}/replay", response={202: DeliveryOut}, summary="Send an event again"
)
def replay(request: AuthenticatedRequest, endpoint_id: int, payload: ReplayIn):
    require_manager(request.user)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    event = get_object_or_404(ChangeEvent, pk=payload.event_id)
    return Status(202, _delivery(webhooks.replay(request.user, endpoint, event)))
