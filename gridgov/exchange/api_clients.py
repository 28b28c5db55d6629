"""API of client systems, for administrators (the MANAGE_CLIENTS right): register one (its key
and secret are in that answer only), read, rotate the signing secret, revoke."""

import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.exchange.models import ClientKind, ClientSystem
from gridgov.exchange.services import clients

router = Router(tags=["client systems"])


class ClientOut(Schema):
    id: int
    name: str
    kind: str
    owner_unit: str
    contact: str
    areas: list[str]
    data_kinds: list[str]
    key_prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    previous_secret_until: datetime.datetime | None

    @staticmethod
    def resolve_areas(obj: ClientSystem) -> list[str]:
        return sorted(a.code for a in obj.scope_areas.all())


AreaCode = Annotated[str, Field(max_length=20)]
DataKind = Annotated[str, Field(max_length=60)]


class ClientIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: ClientKind
    areas: list[AreaCode] = Field(..., min_length=1, max_length=200)
    data_kinds: list[DataKind] = Field(default_factory=list, max_length=30)
    owner_unit: str = Field("", max_length=100)
    contact: str = Field("", max_length=100)


class IssuedOut(ClientOut):
    api_key: str
    secret: str


class SecretOut(Schema):
    secret: str
    previous_secret_until: datetime.datetime | None


def _client(client_id: int) -> ClientSystem:
    return get_object_or_404(ClientSystem.objects.prefetch_related("scope_areas"), pk=client_id)


@router.get("/clients", response=list[ClientOut], summary="Client systems")
def list_clients(request: AuthenticatedRequest):
    clients.require_manager(request.user)
    return list(ClientSystem.objects.prefetch_related("scope_areas").order_by("pk"))


@router.post("/clients", response={201: IssuedOut}, summary="Register a client system")
def issue(request: AuthenticatedRequest, payload: ClientIn):
    clients.require_manager(request.user)
    client, key = clients.issue_client(
        request.user,
        name=payload.name,
        kind=payload.kind.value,
        area_codes=payload.areas,
        data_kinds=payload.data_kinds,
        owner_unit=payload.owner_unit,
        contact=payload.contact,
    )
    issued = _client(client.pk)
    issued.api_key = key  # type: ignore[attr-defined]  # in this answer only, never stored
    return Status(201, issued)


@router.get("/clients/{client_id}", response=ClientOut, summary="One client system")
def get_client(request: AuthenticatedRequest, client_id: int):
    clients.require_manager(request.user)
    return _client(client_id)


@router.post("/clients/{client_id}/rotate", response=SecretOut, summary="Rotate the signing secret")
def rotate(request: AuthenticatedRequest, client_id: int):
    clients.require_manager(request.user)
    client = get_object_or_404(ClientSystem, pk=client_id, revoked_at__isnull=True)
    secret = clients.rotate_secret(request.user, client)
    return {"secret": secret, "previous_secret_until": client.previous_secret_until}


@router.post("/clients/{client_id}/revoke", response=ClientOut, summary="Revoke a client system")
def revoke(request: AuthenticatedRequest, client_id: int):
    clients.require_manager(request.user)
    clients.revoke_client(request.user, _client(client_id))
    return _client(client_id)
