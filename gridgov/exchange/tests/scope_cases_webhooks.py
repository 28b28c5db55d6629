"""Webhooks and the change feed in the scope matrix: only client-system managers see or change
endpoints and their delivery logs; the feed answers only a client system's key."""

from gridgov.accounts.models import User
from gridgov.exchange.models import ChangeEvent, ClientKind, WebhookEndpoint
from gridgov.exchange.services.clients import issue_client
from gridgov.tests.scope import Case

RECEIVER_B = "https://street-b-receiver.example/hooks"


def setup(world) -> None:
    admin = User.objects.get(username="admin")
    client, _key = issue_client(
        admin,
        name="乙街道系统",
        kind=ClientKind.WEBHOOK,
        area_codes=["410105002"],
        data_kinds=["*"],
    )
    world.objects["endpoint_b"] = WebhookEndpoint.objects.create(
        client=client, url=RECEIVER_B, event_types=["case.*"]
    )
    world.objects["event_b"] = ChangeEvent.objects.create(
        type="case.reported", area_code="410105002001", object_type="case", object_id="1"
    )


def _e(world) -> int:
    return world.objects["endpoint_b"].pk


def _receiver(world) -> list[str]:
    return [RECEIVER_B]


CASES = [
    Case(
        "api/v1/changes",
        lambda w: "/api/v1/changes",
        expect=401,
        not_live="answers only a client system's key, never a user (scope by client: "
        "exchange/tests/test_webhooks.py)",
    ),
    Case("api/v1/webhooks", lambda w: "/api/v1/webhooks", expect=403, absent=_receiver),
    Case(
        "api/v1/webhooks",
        lambda w: "/api/v1/webhooks",
        "POST",
        lambda w: {
            "client_id": w.objects["endpoint_b"].client_id,
            "url": "https://another.example/h",
            "event_types": ["case.*"],
        },
        expect=403,
        live_expect=(201, 400),
    ),
    Case(
        "api/v1/webhooks/<endpoint_id>/active",
        lambda w: f"/api/v1/webhooks/{_e(w)}/active",
        "POST",
        lambda w: {"active": False},
        expect=403,
        live_expect=200,
    ),
    Case(
        "api/v1/webhooks/<endpoint_id>/deliveries",
        lambda w: f"/api/v1/webhooks/{_e(w)}/deliveries",
        expect=403,
        live_expect=200,
    ),
    Case(
        "api/v1/webhooks/<endpoint_id>/replay",
        lambda w: f"/api/v1/webhooks/{_e(w)}/replay",
        "POST",
        lambda w: {"event_id": w.objects["event_b"].pk},
        expect=403,
        live_expect=(202, 400),
    ),
    Case("exchange/webhooks/", lambda w: "/exchange/webhooks/", expect=403, absent=_receiver),
    Case(
        "exchange/webhooks/<int:pk>/",
        lambda w: f"/exchange/webhooks/{_e(w)}/",
        expect=403,
        absent=_receiver,
    ),
    Case(
        "exchange/webhooks/<int:pk>/active/",
        lambda w: f"/exchange/webhooks/{_e(w)}/active/",
        "POST",
        lambda w: {"active": "0"},
        expect=403,
        live_expect=302,
    ),
    Case(
        "exchange/webhooks/<int:pk>/replay/",
        lambda w: f"/exchange/webhooks/{_e(w)}/replay/",
        "POST",
        lambda w: {"event": w.objects["event_b"].pk},
        expect=403,
        live_expect=302,
    ),
]
