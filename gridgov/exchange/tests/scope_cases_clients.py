"""Client systems in the scope matrix: only administrators (the MANAGE_CLIENTS right) see,
register, rotate, revoke or add endpoints; a street operator gets nothing, not even names."""

from gridgov.accounts.models import User
from gridgov.exchange.models import ClientKind
from gridgov.exchange.services.clients import issue_client
from gridgov.tests.scope import Case

CLIENT_B = "乙街道接口系统"


def setup(world) -> None:
    admin = User.objects.get(username="admin")
    world.objects["client_b"], _key = issue_client(
        admin,
        name=CLIENT_B,
        kind=ClientKind.WEBHOOK,
        area_codes=["410105002"],
        data_kinds=["case.*"],
        owner_unit="乙街道办事处",
    )


def _c(world) -> int:
    return world.objects["client_b"].pk


def _name(world) -> list[str]:
    return [CLIENT_B]


def _new_client(world) -> dict:
    return {"name": "新系统", "kind": "open311", "areas": ["410105002"]}


CASES = [
    Case("api/v1/clients", lambda w: "/api/v1/clients", expect=403, absent=_name),
    Case(
        "api/v1/clients",
        lambda w: "/api/v1/clients",
        "POST",
        _new_client,
        expect=403,
        live_expect=201,
    ),
    Case(
        "api/v1/clients/<client_id>", lambda w: f"/api/v1/clients/{_c(w)}", expect=403, absent=_name
    ),
    Case(
        "api/v1/clients/<client_id>/rotate",
        lambda w: f"/api/v1/clients/{_c(w)}/rotate",
        "POST",
        lambda w: {},
        expect=403,
        live_expect=200,
    ),
    Case(
        "api/v1/clients/<client_id>/revoke",
        lambda w: f"/api/v1/clients/{_c(w)}/revoke",
        "POST",
        lambda w: {},
        expect=403,
        live_expect=200,
    ),
    Case("exchange/clients/", lambda w: "/exchange/clients/", expect=403, absent=_name),
    Case(
        "exchange/clients/",
        lambda w: "/exchange/clients/",
        "POST",
        lambda w: {"name": "新系统", "kind": "open311", "areas": "410105002"},
        multipart=True,
        expect=403,
        live_expect=201,
    ),
    Case(
        "exchange/clients/<int:pk>/",
        lambda w: f"/exchange/clients/{_c(w)}/",
        expect=403,
        absent=_name,
    ),
    Case(
        "exchange/clients/<int:pk>/rotate/",
        lambda w: f"/exchange/clients/{_c(w)}/rotate/",
        "POST",
        lambda w: {},
        expect=403,
        live_expect=200,
    ),
    Case(
        "exchange/clients/<int:pk>/revoke/",
        lambda w: f"/exchange/clients/{_c(w)}/revoke/",
        "POST",
        lambda w: {},
        expect=403,
        live_expect=302,
    ),
    Case(
        "exchange/clients/<int:pk>/endpoints/",
        lambda w: f"/exchange/clients/{_c(w)}/endpoints/",
        "POST",
        lambda w: {"url": "https://receiver.example/h", "event_types": "case.reported"},
        multipart=True,
        expect=403,
        live_expect=(302, 400),
    ),
]
