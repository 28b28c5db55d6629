"""Rating, "not fixed" and Open311 on a public instance, in one process: the public side queues
them and the relay calls the core's API through the test client (test_relay.py's FakeCore; the
same database plays both instances). The live two-instance test is
test_public_instance_live.py."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from gridgov.accounts.system import SETUP, system_user
from gridgov.cases.models import Case, Channel, Status
from gridgov.cases.services import perform
from gridgov.exchange.models import ClientKind, Open311Token
from gridgov.exchange.services.clients import issue_client
from gridgov.portal import services
from gridgov.portal.models import (
    PortalReport,
    RelayAction,
    RelayedAction,
    RelayRequest,
    RelayState,
)
from gridgov.portal.services import relay
from gridgov.portal.tests import test_relay as relay_tests
from gridgov.portal.tests.conftest import POINT_A, POINT_B, confirmed
from gridgov.portal.tests.test_relay import PUBLIC, core_reports, public_report

core_key = relay_tests.core_key  # the fixtures of the in-process core
core = relay_tests.core


def _closed_on_the_core(portal, users, loop) -> tuple[PortalReport, PortalReport]:
    """A report made on the public side, relayed, and closed by the core's staff; pulled back."""
    local = public_report(portal)
    with PUBLIC:
        relay.push_pending(actor=portal)
    made = core_reports().get()
    case = Case.objects.get(pk=made.case_id)
    op, handler = users["op_a"], loop["handler"]
    for action in ("accept", "file"):
        case = perform(case, action, actor=op)
    case = perform(case, "dispatch", actor=op, department=loop["squad"])
    case = perform(case, "start", actor=handler)
    case = perform(case, "feedback", actor=handler, note="已修复")
    case = perform(case, "verify_pass", actor=op)
    perform(case, "close", actor=op)
    with PUBLIC:
        relay.pull_status(actor=portal)
    local.refresh_from_db()
    assert local.public_status == "closed"
    return local, made


def test_rating_and_not_fixed_go_up_once_and_come_back(portal, core, users, loop):
    local, made = _closed_on_the_core(portal, users, loop)
    citizen = local.citizen
    with PUBLIC:
        services.rate_report(local, citizen, 4, actor=portal, note="还行")
        services.rate_report(local, citizen, 5, actor=portal)  # a newer rating while waiting
    row = RelayAction.objects.get()
    assert (row.kind, row.score, row.state) == ("rate", 5, RelayState.PENDING)
    assert Case.objects.get(pk=made.case_id).satisfaction is None  # not yet on the core

    core.lose_answer = True  # done on the core, but the answer is lost: the retry is the same
    with PUBLIC:
        assert relay.push_pending(actor=portal).not_sent == 1
    RelayAction.objects.update(next_attempt_at=timezone.now())
    core.lose_answer = False
    with PUBLIC:
        assert relay.push_pending(actor=portal).sent == 1
    assert RelayedAction.objects.count() == 1
    assert Case.objects.get(pk=made.case_id).satisfaction == 5
    assert Case.objects.get(pk=made.case_id).events.filter(action="rate").count() == 1
    local.refresh_from_db()
    assert local.satisfaction == 5  # the core's answer is copied at once

    browser = Client()  # the reporter's browser, the phone confirmed there
    session = browser.session
    session["portal_citizen"] = [citizen.pk, timezone.now().timestamp()]
    session.save()
    with PUBLIC:
        sent = browser.post(
            f"/portal/r/{local.number}/", {"action": "not_fixed", "note": "灯还是不亮"}
        )
        page = browser.get(f"/portal/r/{local.number}/")
    assert sent.status_code == 302 and page.status_code == 200
    assert [(w.kind, w.state) for w in page.context["waiting"]] == [("not_fixed", "pending")]
    core.down = True
    with PUBLIC:
        assert relay.push_pending(actor=portal).not_sent == 1
    waiting = RelayAction.objects.get(kind="not_fixed")
    assert waiting.state == RelayState.PENDING and waiting.attempts == 1
    core.down = False
    with PUBLIC:
        assert (
            relay.push_pending(actor=portal, now=timezone.now() + datetime.timedelta(hours=1)).sent
            == 1
        )
    case = Case.objects.get(pk=made.case_id)
    assert case.status == Status.HANDLED
    assert case.events.filter(action="reopen").get().note == "灯还是不亮"
    local.refresh_from_db()
    assert local.public_status == "checking" and local.public_steps[-1]["step"] == "reopened"


def test_the_public_side_checks_before_queueing(portal, core, users, loop):
    local = public_report(portal)
    with PUBLIC:
        relay.push_pending(actor=portal)
    other = confirmed("13800002999", portal)
    with PUBLIC, pytest.raises(ValidationError):
        services.rate_report(local, local.citizen, 4, actor=portal)  # not closed yet
    PortalReport.objects.filter(pk=local.pk).update(
        public_status="closed", closed_at=timezone.now() - datetime.timedelta(days=30)
    )
    local.refresh_from_db()
    with PUBLIC:
        with pytest.raises(PermissionDenied):
            services.rate_report(local, other, 4, actor=portal)
        with pytest.raises(ValidationError):
            services.rate_report(local, local.citizen, 9, actor=portal)
        with pytest.raises(ValidationError):  # the district's 7 days have passed
            services.not_fixed(local, local.citizen, "还是坏的", actor=portal)
        with pytest.raises(ValidationError):  # a note is needed
            services.not_fixed(local, local.citizen, " ", actor=portal)
    assert not RelayAction.objects.exists()


def test_the_core_takes_actions_only_on_what_the_key_relayed(portal, core, users, loop):
    local, made = _closed_on_the_core(portal, users, loop)
    _other, other_key = issue_client(
        system_user(SETUP), name="另一门户", kind=ClientKind.PUBLIC_PORTAL, area_codes=["410105"]
    )
    body = {"uuid": "5c1d3e7a-1f7e-4d7b-9a55-0c3b1f6e2a10", "report": str(local.relay.uuid),
            "kind": "rate", "score": 3, "note": ""}  # fmt: skip

    def send(key, data):
        return Client().post(
            "/api/v1/portal/relay/actions",
            json.dumps(data),
            content_type="application/json",
            HTTP_X_API_KEY=key,
        )

    assert send(other_key, body).status_code == 404  # another instance's report: unknown
    assert send("gg_wrong", body).status_code == 401
    assert send(core.key, {**body, "score": 7}).status_code == 422  # the schema
    assert send(core.key, {**body, "kind": "delete"}).status_code == 400
    assert Case.objects.get(pk=made.case_id).satisfaction is None
    done = send(core.key, body)
    assert done.status_code == 200 and done.json()["satisfaction"] == 3
    assert send(core.key, body).json()["satisfaction"] == 3  # the same UUID: done once
    assert RelayedAction.objects.count() == 1


def test_the_core_takes_open311_requests_only_in_the_key_areas(portal, core):
    _other, other_key = issue_client(
        system_user(SETUP),
        name="乙街道门户",
        kind=ClientKind.PUBLIC_PORTAL,
        area_codes=["410105002"],
    )
    body = {"uuid": "8f0c2b8e-3a41-4f5e-9d0e-5b7c1a2d3e4f", "service_code": "C0110",
            "lat": POINT_A[1], "long": POINT_A[0], "description": "路灯不亮"}  # fmt: skip

    def send(key):
        return Client().post(
            "/api/v1/portal/relay/open311",
            json.dumps(body),
            content_type="application/json",
            HTTP_X_API_KEY=key,
        )

    assert send(other_key).status_code == 403  # the point is outside that key's areas
    assert send("gg_wrong").status_code == 401
    assert not Case.objects.filter(channel=Channel.OPEN311).exists()
    done = send(core.key)
    assert done.status_code == 200
    case = Case.objects.get(channel=Channel.OPEN311)
    assert done.json()["service_request_id"] == case.number
    assert send(core.key).json()["service_request_id"] == case.number  # the same UUID: once
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 1


# ---------------------------------------------------------------------------------------------
# Open311 on the public instance


@pytest.fixture
def o311_key(portal):
    _client, key = issue_client(
        system_user(SETUP), name="市民App", kind=ClientKind.OPEN311, area_codes=["410105001"]
    )
    return key


def xml_of(answer):
    return ET.fromstring(answer.content)  # noqa: S314 (our own answer)


def post(data: dict, fmt: str = "json", **headers):
    with PUBLIC:
        return Client().post(f"/open311/v2/requests.{fmt}", data, **headers)


def get(url: str):
    with PUBLIC:
        return Client().get(url)


def test_an_open311_post_is_queued_relayed_and_numbered(portal, core, o311_key, users, loop):
    data = {"api_key": o311_key, "service_code": "C0110", "lat": POINT_A[1], "long": POINT_A[0],
            "description": "路灯不亮", "first_name": "张", "phone": "13912345678"}  # fmt: skip
    first = post(data)
    assert first.status_code == 200
    [item] = first.json()
    assert "service_request_id" not in item and len(item["token"]) == 32
    assert post(data).json()[0]["token"] == item["token"]  # the same post: the same token
    row = RelayRequest.objects.get()
    assert row.state == RelayState.PENDING and "13912345678" in row.reporter
    assert get(f"/open311/v2/tokens/{item['token']}.json").json() == [{"token": item["token"]}]
    assert get("/open311/v2/requests.json").json() == []  # nothing numbered yet

    core.down = True
    with PUBLIC:
        assert relay.push_pending(actor=portal).not_sent == 1
    core.down = False
    with PUBLIC:
        later = timezone.now() + datetime.timedelta(minutes=5)
        assert relay.push_pending(actor=portal, now=later).sent == 1
    token = Open311Token.objects.get()
    case = token.case
    assert case.channel == Channel.OPEN311 and case.reporter_phone == "13912345678"
    row.refresh_from_db()
    assert row.core_number == case.number and row.public["status"] == "open"
    answer = get(f"/open311/v2/tokens/{item['token']}.json").json()
    assert answer == [{"service_request_id": case.number, "token": item["token"]}]
    listed = get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [case.number]
    assert "13912345678" not in json.dumps(listed) and "张" not in json.dumps(listed)
    assert get(f"/open311/v2/requests/{case.number}.json").json()[0]["status"] == "open"
    xml = get(f"/open311/v2/requests/{case.number}.xml")
    root = xml_of(xml)
    assert root.tag == "service_requests" and root.find("request/status").text == "open"
    assert get("/open311/v2/requests.json?status=closed").json() == []

    op, handler = users["op_a"], loop["handler"]
    case = perform(case, "accept", actor=op)
    case = perform(case, "file", actor=op)
    case = perform(case, "dispatch", actor=op, department=loop["squad"])
    case = perform(case, "start", actor=handler)
    case = perform(case, "feedback", actor=handler, note="已修复")
    case = perform(case, "verify_pass", actor=op)
    perform(case, "close", actor=op)
    with PUBLIC:
        assert relay.pull_status(actor=portal) == 1
    closed = get("/open311/v2/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [case.number]
    assert post(data).json()[0]["service_request_id"] == case.number  # a late retry


def test_open311_on_the_public_instance_refuses_as_the_core_does(portal, core, o311_key):
    base = {"api_key": o311_key, "service_code": "C0110", "lat": POINT_A[1], "long": POINT_A[0]}
    cases = [
        ({**base, "api_key": "wrong"}, 403),
        ({**base, "service_code": "E0601"}, 404),  # about people: never a service
        ({**base, "lat": "abc"}, 400),
        ({**base, "lat": ""}, 400),  # lat without long
        ({**base, "lat": POINT_B[1], "long": POINT_B[0]}, 403),  # outside the client's areas
        ({"api_key": o311_key, "service_code": "C0110", "address_id": "12"}, 400),
        ({"api_key": o311_key, "service_code": "C0110"}, 400),  # no place
        ({**base, "jurisdiction_id": "999999"}, 404),
    ]
    for data, status in cases:
        answer = post(data)
        assert answer.status_code == status, data
        [error] = answer.json()
        assert error["code"] == status and error["description"]
    xml = post({**base, "api_key": "wrong"}, fmt="xml")
    assert xml.status_code == 403 and xml_of(xml).find("error/code").text == "403"
    assert get("/open311/v2/tokens/nope.json").status_code == 404
    assert get("/open311/v2/requests/20261202-1.json").status_code == 404
    assert get("/open311/v2/requests.json?status=maybe").status_code == 400
    services_list = get("/open311/v2/services.json").json()
    assert "C0110" in [s["service_code"] for s in services_list]
    assert not RelayRequest.objects.exists()


def test_what_was_relayed_leaves_the_public_instance_after_the_retention_period(
    portal, core, o311_key, settings
):
    from gridgov.audit import retention

    data = {"api_key": o311_key, "service_code": "C0110", "lat": POINT_A[1], "long": POINT_A[0],
            "description": "井盖缺失", "first_name": "李", "phone": "13912345679"}  # fmt: skip
    token = post(data).json()[0]["token"]
    waiting = post({**data, "description": "另一处井盖"}).json()[0]["token"]
    with PUBLIC:
        assert relay.push_pending(actor=portal).sent == 2
    RelayRequest.objects.filter(token=waiting).update(state=RelayState.PENDING, sent_at=None)
    RelayRequest.objects.filter(token=token).update(
        sent_at=timezone.now() - datetime.timedelta(days=31)
    )
    removed = retention.apply(acting_user=system_user(SETUP))
    assert removed["portal.relayed"] == 1
    sent, pending = RelayRequest.objects.get(token=token), RelayRequest.objects.get(token=waiting)
    assert sent.reporter == "" and sent.core_number  # the token still answers with the number
    assert "13912345679" in pending.reporter  # not delivered yet: kept
    answer = get(f"/open311/v2/tokens/{token}.json").json()
    assert answer == [{"service_request_id": sent.core_number, "token": token}]
    settings.GRIDGOV_RETENTION_DAYS = {"portal.relayed": 0}  # below the minimum: 7 days
    RelayRequest.objects.filter(token=waiting).update(
        state=RelayState.SENT, sent_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert retention.apply(acting_user=system_user(SETUP))["portal.relayed"] == 0
