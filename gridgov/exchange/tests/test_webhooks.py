"""Events in the change's transaction; webhooks signed per Standard Webhooks (checked by a
verifier written here from the convention), retried, disabled on 410, replayed; receivers'
addresses checked (SSRF); the change feed in order, restartable, within the client's scope."""

import base64
import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.cases.models import Case
from gridgov.cases.services.intake import report_case
from gridgov.cases.services.loop import rate_case
from gridgov.cases.tests.conftest import POINT_A, POINT_B
from gridgov.exchange.models import ChangeEvent, ClientKind, WebhookEndpoint
from gridgov.exchange.services import webhooks
from gridgov.exchange.services.clients import issue_client, rotate_secret
from gridgov.notify.models import Outbox, OutboxStatus
from gridgov.notify.outbox import send_due


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's side, from the Standard Webhooks text: base64 HMAC-SHA256 under the
    decoded `whsec_` key, over `id.timestamp.body`; any `v1,` signature of the header may match."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, s) for s in offered)


class Receiver:
    """A webhook receiver on loopback answering the statuses it is told, keeping what it got."""

    def __init__(self):
        self.got: list[tuple[dict, bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "http://169.254.169.254/")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://receiver.test:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings, monkeypatch):
    settings.GRIDGOV_WEBHOOK_TEST_LOOPBACK = True
    real = webhooks.resolve
    monkeypatch.setattr(
        webhooks,
        "resolve",
        lambda host, port: ["127.0.0.1"] if host == "receiver.test" else real(host, port),
    )
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def hook(receiver, users, taxonomy):
    client, _key = issue_client(
        users["admin"],
        name="区大数据局",
        kind=ClientKind.WEBHOOK,
        area_codes=["410105001"],
        data_kinds=["case.*"],
    )
    endpoint = webhooks.add_endpoint(
        users["admin"], client, url=receiver.url, event_types=["case.*", "warning.issued"]
    )
    return client, endpoint


def _report(users, point=POINT_A, key=None):
    case, _created = report_case(
        actor=users["member_a"] if point == POINT_A else users["admin"],
        channel="grid_member",
        description="井盖缺失",
        lon=point[0],
        lat=point[1],
        idempotency_key=key,
    )
    return case


def test_an_event_is_written_with_the_change_and_not_without_it(users, taxonomy):
    case = _report(users)
    assert ChangeEvent.objects.filter(type="case.reported", object_id=str(case.pk)).count() == 1
    before = ChangeEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _report(users)
        raise RuntimeError("rolled back")
    assert ChangeEvent.objects.count() == before
    payload = ChangeEvent.objects.get(object_id=str(case.pk)).as_payload()
    assert payload["data"]["area_code"] == case.area_code
    assert "井盖" not in json.dumps(payload, ensure_ascii=False)  # thin: no values


def test_a_webhook_arrives_signed_once_per_event(hook, receiver, users):
    client, endpoint = hook
    case = _report(users)
    send_due()
    assert len(receiver.got) == 1
    headers, body = receiver.got[0]
    assert verify(webhooks.receiver_secret(client.secret), headers, body)
    assert not verify(webhooks.receiver_secret("another secret"), headers, body)
    event = json.loads(body)
    assert event["type"] == "case.reported" and event["data"]["id"] == str(case.pk)
    assert headers["webhook-id"] == f"msg_{event['id']}_{endpoint.pk}"


def test_outside_the_clients_scope_nothing_is_sent(hook, receiver, users):
    _report(users, point=POINT_B)  # street B
    assert ChangeEvent.objects.filter(type="case.reported").count() == 1
    assert not Outbox.objects.filter(channel="webhook").exists()
    # live: street A's case does go out
    _report(users)
    assert Outbox.objects.filter(channel="webhook").count() == 1


def test_during_a_rotation_both_secrets_verify(hook, receiver, users):
    client, _endpoint = hook
    old = client.secret
    new = rotate_secret(users["admin"], client)
    _report(users)
    send_due()
    headers, body = receiver.got[0]
    assert verify(webhooks.receiver_secret(old), headers, body)
    assert verify(webhooks.receiver_secret(new), headers, body)


def test_a_failure_is_retried_and_410_disables_the_endpoint(hook, receiver, users):
    client, endpoint = hook
    receiver.answers = [500]
    _report(users)
    send_due()
    row = Outbox.objects.get(channel="webhook")
    assert row.status == OutboxStatus.PENDING and row.next_attempt_at is not None
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=None)
    send_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and len(receiver.got) == 2
    assert receiver.got[0][0]["webhook-id"] == receiver.got[1][0]["webhook-id"]
    receiver.answers = [410]
    _report(users)
    send_due()
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.disabled_reason
    owner_inbox = Outbox.objects.filter(channel="webhook").count()
    _report(users)  # nothing more goes to a disabled endpoint
    assert Outbox.objects.filter(channel="webhook").count() == owner_inbox
    assert client.created_by.messages.count() == 1  # the owner is told


def test_a_redirect_is_not_followed(hook, receiver, users):
    receiver.answers = [302]
    _report(users)
    send_due()
    assert len(receiver.got) == 1  # the metadata address was never asked
    assert Outbox.objects.get(channel="webhook").status == OutboxStatus.PENDING


def test_replay_sends_the_same_id_again(hook, receiver, users):
    _client, endpoint = hook
    _report(users)
    send_due()
    event = ChangeEvent.objects.get(type="case.reported")
    webhooks.replay(users["admin"], endpoint, event)
    send_due()
    assert len(receiver.got) == 2
    assert receiver.got[0][0]["webhook-id"] == receiver.got[1][0]["webhook-id"]
    assert webhooks.deliveries(endpoint).count() == 2


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "169.254.169.254",
        "100.100.100.200",
        "fe80::1",
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "10.1.2.3",
        "192.168.1.5",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_forbidden_addresses_are_refused(monkeypatch, settings, address):
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: [address])
    with pytest.raises(webhooks.RefusedDestination):
        webhooks.check_destination("https://receiver.example/hook")


def test_private_blocks_listed_by_the_administrator_and_public_addresses_pass(
    monkeypatch, settings
):
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["10.1.2.3"])
    settings.GRIDGOV_WEBHOOK_PRIVATE_NETWORKS = ["10.1.0.0/16"]
    assert webhooks.check_destination("https://x.gov.example/h")[3] == "10.1.2.3"
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["93.184.216.34"])
    assert webhooks.check_destination("http://x.example:8080/h")[2:] == (8080, "93.184.216.34")
    for url in ("ftp://x.example/", "http://user:pw@x.example/", "http://localhost/"):
        with pytest.raises(webhooks.RefusedDestination):
            webhooks.check_destination(url)


def test_the_feed_is_ordered_restartable_and_scoped(users, taxonomy, client, settings):
    settings.GRIDGOV_CHANGE_FEED_SETTLE = 0
    _feed_client, key = issue_client(
        users["admin"],
        name="市平台",
        kind=ClientKind.EXCHANGE,
        area_codes=["410105001"],
        data_kinds=["case.*"],
    )
    cases = [_report(users) for _ in range(3)]
    _report(users, point=POINT_B)
    assert client.get("/api/v1/changes").status_code == 401
    first = client.get("/api/v1/changes?limit=2", HTTP_X_API_KEY=key).json()
    assert [e["data"]["id"] for e in first["events"]] == [str(c.pk) for c in cases[:2]]
    rest = client.get(f"/api/v1/changes?cursor={first['next_cursor']}", HTTP_X_API_KEY=key).json()
    assert [e["data"]["id"] for e in rest["events"]] == [str(cases[2].pk)]
    again = client.get(f"/api/v1/changes?cursor={rest['next_cursor']}", HTTP_X_API_KEY=key).json()
    assert again == {"events": [], "next_cursor": rest["next_cursor"]}
    # live: street B's case is in the table, only outside this client's scope
    assert ChangeEvent.objects.filter(area_code__startswith="410105002").exists()


def test_a_rating_is_an_event(users, taxonomy):
    case = _report(users)
    Case.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    rate_case(case, 5, actor=users["admin"])
    assert ChangeEvent.objects.filter(type="case.rated", object_id=str(case.pk)).exists()


def test_only_managers_register_endpoints(users, receiver, client_for):
    admin = client_for(users["admin"])
    wh_client, _key = issue_client(
        users["admin"], name="x", kind=ClientKind.WEBHOOK, area_codes=["410105"], data_kinds=["*"]
    )
    body = {"client_id": wh_client.pk, "url": receiver.url, "event_types": ["case.*"]}
    refused = client_for(users["op_a"]).post(
        "/api/v1/webhooks", body, content_type="application/json"
    )
    assert refused.status_code == 403 and not WebhookEndpoint.objects.exists()
    made = admin.post("/api/v1/webhooks", body, content_type="application/json")
    assert made.status_code == 201, made.content
    bad = admin.post(
        "/api/v1/webhooks",
        {**body, "url": "http://169.254.169.254/latest"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and json.loads(bad.content)["code"] == "invalid"
    assert [e["id"] for e in admin.get("/api/v1/webhooks").json()] == [made.json()["id"]]
    assert User.objects.filter(username="op_a").exists()


def test_the_feed_waits_for_young_events_to_settle(users, taxonomy, client, settings):
    settings.GRIDGOV_CHANGE_FEED_SETTLE = 60
    _client, key = issue_client(
        users["admin"], name="y", kind=ClientKind.EXCHANGE, area_codes=["410105"], data_kinds=["*"]
    )
    _report(users)
    assert client.get("/api/v1/changes", HTTP_X_API_KEY=key).json()["events"] == []
    settings.GRIDGOV_CHANGE_FEED_SETTLE = 0
    assert len(client.get("/api/v1/changes", HTTP_X_API_KEY=key).json()["events"]) == 1


def test_a_receiver_failing_too_long_is_disabled(hook, receiver, users, settings):
    _client, endpoint = hook
    settings.GRIDGOV_WEBHOOK_DISABLE_AFTER_HOURS = 1
    receiver.answers = [503, 503]
    _report(users)
    send_due()
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since is not None
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=endpoint.failing_since - datetime.timedelta(hours=2)
    )
    Outbox.objects.filter(channel="webhook").update(next_attempt_at=None)
    send_due()
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_reason


def test_the_endpoint_page_shows_the_delivery_log_and_replays(hook, receiver, users, client_for):
    _client, endpoint = hook
    receiver.answers = [500]
    _report(users)
    send_due()
    page = client_for(users["admin"]).get(f"/exchange/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "case.reported" in text and "HTTP 500" in text
    event = ChangeEvent.objects.get(type="case.reported")
    done = client_for(users["admin"]).post(
        f"/exchange/webhooks/{endpoint.pk}/replay/", {"event": event.pk}
    )
    assert done.status_code == 302
    assert webhooks.deliveries(endpoint).count() == 2
    listed = client_for(users["admin"]).get("/exchange/webhooks/").content.decode()
    assert endpoint.url in listed
    assert client_for(users["op_a"]).get("/exchange/webhooks/").status_code == 403
