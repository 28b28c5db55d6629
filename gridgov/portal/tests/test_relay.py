"""The relay of a public instance, in one process: the public side's outbox and pull call the
core's relay API through the test client (the same database plays both instances; the live
two-instance test is test_public_instance_live.py)."""

import datetime
import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from gridgov.accounts.system import SETUP, system_user
from gridgov.cases.models import Case, Channel
from gridgov.cases.services import check_photos, perform
from gridgov.exchange.models import ClientKind
from gridgov.exchange.services.clients import issue_client, revoke_client
from gridgov.notify.models import Outbox
from gridgov.portal import services
from gridgov.portal.models import Moderation, PortalReport, RelayedReport, RelayOut, RelayState
from gridgov.portal.services import relay
from gridgov.portal.tests.conftest import POINT_A, POINT_B, category, confirmed, jpeg_with_metadata

PUBLIC = override_settings(GRIDGOV_ROLE="public", GRIDGOV_OUTBOX_RETRY_SECONDS=30)


@pytest.fixture
def core_key(portal):
    _client, key = issue_client(
        system_user(SETUP), name="公众门户", kind=ClientKind.PUBLIC_PORTAL, area_codes=["410105001"]
    )
    return key


class FakeCore:
    """Routes the relay's calls to the core's API in this process; can be "down"."""

    def __init__(self, key: str):
        self.key = key
        self.down = False
        self.calls = 0
        self.lose_answer = False

    def __call__(self, path: str, body: dict) -> dict:
        self.calls += 1
        if self.down:
            raise relay.CoreUnreachable("connection refused")
        with override_settings(GRIDGOV_ROLE="core"):
            answer = Client().post(
                path, json.dumps(body), content_type="application/json", HTTP_X_API_KEY=self.key
            )
        if answer.status_code >= 400:
            raise relay.CoreRefused(f"{answer.status_code} {answer.content[:200]!r}")
        if self.lose_answer:
            raise relay.CoreUnreachable("timed out")
        return answer.json()


@pytest.fixture
def core(core_key, monkeypatch):
    fake = FakeCore(core_key)
    monkeypatch.setattr(relay, "_call", fake)
    return fake


def public_report(portal, phone="13800002001", text="路灯不亮，晚上很黑", photo=False):
    citizen = confirmed(phone, portal)
    photos = (
        check_photos([(jpeg_with_metadata("邻居王小明 13912345678"), "p.jpg")]) if photo else []
    )
    with PUBLIC:
        return services.submit_report(
            actor=portal,
            category=category("C0110"),
            description=text,
            citizen=citizen,
            lon=POINT_A[0],
            lat=POINT_A[1],
            photos=photos,
            idempotency_key="form-key-0001",
        )


def core_reports():
    return PortalReport.objects.filter(relayed_from__isnull=False)


def test_a_public_report_is_queued_and_relayed_once(portal, core):
    local = public_report(portal, photo=True)
    row = RelayOut.objects.get(report=local)
    assert row.state == RelayState.PENDING and row.area_code == local.area_code
    with PUBLIC:
        done = relay.push_pending(actor=portal)
    assert (done.sent, done.not_sent) == (1, 0)
    row.refresh_from_db()
    made = core_reports().get()
    assert row.state == RelayState.SENT and row.core_number == made.number
    case = Case.objects.get(pk=made.case_id)
    assert case.channel == Channel.PORTAL and case.description == "路灯不亮，晚上很黑"
    assert case.reporter_phone == "13800002001"
    assert case.attachments.count() == 1
    with case.attachments.get().original.open("rb") as f:
        assert b"13912345678" not in f.read()  # only the copy without metadata travels
    assert made.notify is False  # the public instance tells the citizen, not the core

    # the answer was lost: the same report again makes no second case
    RelayOut.objects.filter(pk=row.pk).update(state=RelayState.PENDING)
    core.lose_answer = True
    with PUBLIC:
        assert relay.push_pending(actor=portal).not_sent == 1
    RelayOut.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    core.lose_answer = False
    with PUBLIC:
        assert relay.push_pending(actor=portal).sent == 1
    assert core_reports().count() == 1 and RelayedReport.objects.count() == 1
    assert Case.objects.filter(channel=Channel.PORTAL).count() == 2  # the local one and the core's


def test_the_core_down_waits_with_backoff_and_loses_nothing(portal, core):
    local = public_report(portal)
    core.down = True
    with PUBLIC:
        assert relay.push_pending(actor=portal).not_sent == 1
        assert relay.push_pending(actor=portal).not_sent == 0  # not due yet
    row = RelayOut.objects.get(report=local)
    assert row.attempts == 1 and row.state == RelayState.PENDING and "refused" in row.last_error
    assert row.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)
    assert relay.backoff(3) == datetime.timedelta(seconds=120)
    assert relay.backoff(30) == datetime.timedelta(hours=1)
    core.down = False
    later = timezone.now() + datetime.timedelta(minutes=1)
    with PUBLIC:
        assert relay.push_pending(actor=portal, now=later).sent == 1
    assert core_reports().count() == 1


def test_a_refused_report_is_not_retried(portal, core):
    local = public_report(portal)
    revoke_client(system_user(SETUP), relay.client_for_key(core.key))
    with PUBLIC:
        assert relay.push_pending(actor=portal).refused == 1
        assert (
            relay.push_pending(actor=portal, now=timezone.now() + datetime.timedelta(days=1)).sent
            == 0
        )
    assert RelayOut.objects.get(report=local).state == RelayState.REFUSED


def test_status_comes_down_with_public_rules(portal, core, users, loop):
    local = public_report(portal)
    with PUBLIC:
        relay.push_pending(actor=portal)
    made = core_reports().get()
    case = Case.objects.get(pk=made.case_id)
    op, handler = users["op_a"], loop["handler"]
    perform(case, "accept", actor=op)
    perform(case, "file", actor=op)
    perform(case, "dispatch", actor=op, department=loop["squad"])
    perform(case, "start", actor=handler)
    services.moderate(made, actor=users["admin"], publish=True, public_text="路灯坏了 13912345678")
    with PUBLIC:
        assert relay.pull_status(actor=portal) == 1
        assert relay.pull_status(actor=portal) == 0  # nothing new
    local.refresh_from_db()
    assert local.public_status == "in_hand"
    assert [s["step"] for s in local.public_steps] == ["received", "accepted", "in_hand"]
    assert local.moderation == Moderation.PUBLISHED
    assert "13912345678" not in local.public_text and "路灯坏了" in local.public_text
    told = Outbox.objects.filter(destination="13800002001", source=f"portal.report:{local.pk}")
    assert told.count() == 3  # received (at once), accepted, in hand
    perform(case, "feedback", actor=handler, note="已修复")
    perform(case, "verify_pass", actor=op)
    perform(case, "close", actor=op)
    with PUBLIC:
        relay.pull_status(actor=portal)
        page = Client().get(f"/portal/r/{local.number}/")  # no sync from the local case
    local.refresh_from_db()
    assert local.public_status == "closed" and local.closed_at is not None
    assert page.status_code == 200


def test_a_key_sees_only_what_it_relayed(portal, core):
    public_report(portal)
    with PUBLIC:
        relay.push_pending(actor=portal)
    mine = str(RelayOut.objects.get().uuid)
    _other, other_key = issue_client(
        system_user(SETUP), name="另一门户", kind=ClientKind.PUBLIC_PORTAL, area_codes=["410105"]
    )
    _o311, o311_key = issue_client(
        system_user(SETUP), name="Open311", kind=ClientKind.OPEN311, area_codes=["410105"]
    )

    def ask(key):
        return Client().post(
            "/api/v1/portal/relay/status",
            json.dumps({"uuids": [mine]}),
            content_type="application/json",
            HTTP_X_API_KEY=key,
        )

    assert [i["uuid"] for i in ask(core.key).json()["items"]] == [mine]
    assert ask(other_key).json()["items"] == []
    assert ask(o311_key).status_code == 401
    assert ask("gg_wrong").status_code == 401
    bad = Client().post(
        "/api/v1/portal/relay/status",
        json.dumps({"uuids": ["not-a-uuid"]}),
        content_type="application/json",
        HTTP_X_API_KEY=core.key,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_the_core_refuses_a_place_outside_the_client(portal, core_key):
    body = {"uuid": "0b0e7f3c-7d59-4c36-9a39-3f0d5c2f9a11", "category": "C0110",
            "description": "路灯不亮", "lon": POINT_B[0], "lat": POINT_B[1]}  # fmt: skip
    answer = Client().post(
        "/api/v1/portal/relay/reports",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=core_key,
    )
    assert answer.status_code == 403
    body["category"] = "E0601"  # about people: never public
    body["lon"], body["lat"] = POINT_A
    answer = Client().post(
        "/api/v1/portal/relay/reports",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=core_key,
    )
    assert answer.status_code == 400
    assert not RelayedReport.objects.exists()
