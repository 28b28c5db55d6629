"""Federation in one process: the receivers (signatures checked by an implementation written
here, rotation, repeats, order of versions, a member's scope), escalation with the reporter
masked, steps and warnings applied on a district, the pushing job's idempotence, the page.
The two-platform runs are in test_federation_live.py."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.services.intake import report_case
from gridgov.cases.tests.conftest import POINT_A
from gridgov.exchange.models import FederationLink, FederationMessage, MemberCaseFact
from gridgov.exchange.services import federation
from gridgov.exchange.services.clients import rotate_secret
from gridgov.notify.models import Outbox
from gridgov.warnings.models import Warning

STREET_A, STREET_B = "410105001", "410105002"
PARENT = {
    "GRIDGOV_FEDERATION_PARENT_URL": "https://city.example.gov.cn",
    "GRIDGOV_FEDERATION_AREA": "410105",
    "GRIDGOV_FEDERATION_PARENT_AREA": "4101",
    "GRIDGOV_FEDERATION_KEY": "gg_parent-key",
    "GRIDGOV_FEDERATION_SECRET": "parent-secret",
}


def headers(secret: str, msg_id: str, body: bytes, key: str = "") -> dict[str, str]:
    stamp = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256)
    found = {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": stamp,
        "HTTP_WEBHOOK_SIGNATURE": "v1," + base64.b64encode(mac.digest()).decode(),
    }
    if key:
        found["HTTP_X_API_KEY"] = key
    return found


def post_up(member_key: str, secret: str, msg_id: str, message: dict):
    body = json.dumps(message).encode()
    return Client().post(
        "/api/v1/federation/up",
        body,
        content_type="application/json",
        **headers(secret, msg_id, body, member_key),
    )


def fact(local_id: str, version: int, status: str = "reported", area: str = STREET_A) -> dict:
    return {
        "kind": "case.fact",
        "data": {
            "area_code": area + "00101",
            "local_id": local_id,
            "version": version,
            "month": "2026-12",
            "status": status,
            "measures": {"reports": 1, "closed": int(status == "closed"), "name": 5},
        },
    }


@pytest.fixture
def members(users):
    admin = users["admin"]
    a, key_a = federation.register_member(
        admin, name="甲平台", area_code=STREET_A, url="https://a.example.gov.cn"
    )
    b, key_b = federation.register_member(
        admin, name="乙平台", area_code=STREET_B, url="https://b.example.gov.cn"
    )
    return {"a": (a, key_a), "b": (b, key_b)}


def test_facts_are_kept_once_per_case_and_the_newest_version_wins(members, users, client_for):
    member, key = members["a"]
    secret = member.client.secret
    assert post_up(key, secret, "m1", fact("7", 5, "closed")).json() == {"status": "applied"}
    assert post_up(key, secret, "m1", fact("7", 5, "closed")).json() == {"status": "duplicate"}
    assert post_up(key, secret, "m0", fact("7", 3, "reported")).json() == {"status": "applied"}
    assert post_up(key, secret, "m2", fact("8", 1)).status_code == 200
    stored = MemberCaseFact.objects.get(member=member, local_id="7")
    assert (stored.version, stored.status) == (5, "closed")
    assert stored.measures == {"reports": 1, "closed": 1}  # unknown keys dropped
    assert FederationMessage.objects.filter(direction="in", peer=STREET_A).count() == 3

    page = client_for(users["admin"]).get("/exchange/federation/")
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["member"].area_code == STREET_A)
    assert (row["cases"], row["closed"], row["open"]) == (2, 1, 1)
    assert "甲平台" in page.content.decode() and "乙平台" in page.content.decode()


def test_signatures_are_checked_and_rotation_keeps_the_old_secret_valid(members, users):
    member, key = members["a"]
    old = member.client.secret
    assert post_up(key, "wrong", "s1", fact("1", 1)).status_code == 401
    assert post_up("gg_not-a-key", old, "s2", fact("1", 1)).status_code == 401
    rotate_secret(users["admin"], member.client)
    member.client.refresh_from_db()
    assert post_up(key, old, "s3", fact("1", 1)).status_code == 200
    assert post_up(key, member.client.secret, "s4", fact("1", 2)).status_code == 200


def test_a_member_cannot_write_into_another_members_area(members):
    member_b, key_b = members["b"]
    answer = post_up(key_b, member_b.client.secret, "x1", fact("1", 1, area=STREET_A))
    assert answer.status_code == 400
    assert answer.json()["code"]
    assert not MemberCaseFact.objects.exists()
    logged = FederationMessage.objects.get(peer=STREET_B, msg_id="x1")
    assert logged.outcome.startswith("refused")
    assert post_up(key_b, member_b.client.secret, "x2", {"kind": "nope"}).status_code == 400


def test_escalation_up_masks_the_reporter_and_happens_once(members, users, settings, taxonomy):
    for name, value in PARENT.items():
        setattr(settings, name, value)
    case, _ = report_case(
        actor=users["member_a"],
        channel="grid_member",
        description="下水道堵塞",
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_name="张三丰",
        reporter_phone="13800138000",
    )
    link = federation.escalate_to_parent(users["district"], case, department="市水务局")
    assert federation.escalate_to_parent(users["district"], case) == link
    rows = Outbox.objects.filter(channel="federation", source="exchange.federation:case.escalate")
    assert rows.count() == 1
    data = rows.get().payload["body"]["data"]
    assert data["reporter_name"] == "张**" and "13800138000" not in json.dumps(data)
    assert CaseEvent.objects.filter(case=case, action="federation_up").count() == 1

    # The city applies it (here the same database, member A standing for the district).
    member, key = members["a"]
    message = rows.get().payload["body"]
    assert post_up(key, member.client.secret, "esc-1", message).json()["status"] == "applied"
    assert post_up(key, member.client.secret, "esc-2", message).json()["status"] == "applied"
    city_links = FederationLink.objects.filter(role="member", peer=STREET_A)
    assert city_links.count() == 1  # a second message for the same case opens nothing new
    city_case = city_links.get().case
    assert city_case.channel == "federation"
    assert city_case.reporter_name == "张**"
    assert "市水务局" in city_case.description


def test_steps_and_warnings_from_above_enter_the_district(users, settings, taxonomy):
    for name, value in PARENT.items():
        setattr(settings, name, value)
    case, _ = report_case(
        actor=users["member_a"],
        channel="grid_member",
        description="占道",
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    federation.escalate_to_parent(users["district"], case)
    config = federation.parent_config()
    step = {
        "kind": "case.step",
        "data": {
            "area_code": "410105",
            "local_id": str(case.pk),
            "remote_id": "77",
            "seq": 9,
            "action": "accept",
            "action_label": "受理",
            "status": "accepted",
            "note": "",
            "time": "2026-12-03T10:00:00+08:00",
        },
    }
    raw = json.dumps(step).encode()
    assert federation.receive_down(config, "step:1", raw) == "applied"
    assert federation.receive_down(config, "step:1", raw) == "duplicate"
    entries = CaseEvent.objects.filter(case=case, action="federation_step")
    assert entries.count() == 1 and "受理" in entries.get().note
    assert FederationLink.objects.get(case=case).remote_id == "77"

    warning = {
        "kind": "warning",
        "data": {
            "area_code": "410105",
            "identifier": "CN-4101-20261203-0001",
            "event": "暴雨",
            "colour": "orange",
            "headline": "暴雨橙色预警",
        },
    }
    raw = json.dumps(warning).encode()
    assert federation.receive_down(config, "w:1", raw) == "applied"
    assert federation.receive_down(config, "w:2", raw) == "applied"  # same warning, once
    received = Warning.objects.get(external_ref__startswith="federation 4101")
    assert (received.state, received.area_code) == ("issued", "410105")

    wrong = Client().post(
        "/api/v1/federation/down",
        raw,
        content_type="application/json",
        **headers("guess", "w:3", raw),
    )
    assert wrong.status_code == 401


def test_the_push_job_queues_each_fact_once(users, settings, taxonomy):
    for name, value in PARENT.items():
        setattr(settings, name, value)
    for text in ("一", "二"):
        report_case(
            actor=users["member_a"],
            channel="grid_member",
            description=text,
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
    first = federation.push_all()
    assert first["facts"] == 2
    assert federation.push_all()["facts"] == 0
    assert Outbox.objects.filter(channel="federation").count() == 2
    case = Case.objects.order_by("pk").first()
    assert case is not None


def test_the_city_ranks_its_members_from_their_facts(members, users, client_for):
    from gridgov.assessment.periods import current_month

    month = current_month()
    for key, closed in (("a", [1, 1]), ("b", [1, 0])):
        member = members[key][0]
        for i, done in enumerate(closed):
            MemberCaseFact.objects.create(
                member=member,
                local_id=str(i),
                version=1,
                area_code=member.area_code + "00101",
                month=month,
                status="closed" if done else "dispatched",
                measures={
                    "reports": 1,
                    "valid": 1,
                    "closed": done,
                    "close_done": done,
                    "close_on_time": done,
                },
            )
    answer = client_for(users["admin"]).get(f"/api/v1/federation/assessment?period={month}")
    assert answer.status_code == 200, answer.content
    rows = answer.json()["rows"]
    assert [(r["area_code"], r["rank"]) for r in rows] == [(STREET_A, 1), (STREET_B, 2)]
    assert (rows[0]["closing_rate"], rows[1]["closing_rate"]) == (1.0, 0.5)
    assert rows[0]["platform"] == "甲平台" and rows[0]["reports"] == 2
    assert rows[0]["score"] is None or rows[0]["score"] > (rows[1]["score"] or 0)
    assert "reporter" not in answer.content.decode()  # numbers only
    # street A's operator ranks only what lies in their scope
    mine = client_for(users["op_a"]).get("/api/v1/federation/assessment").json()["rows"]
    assert [r["area_code"] for r in mine] == [STREET_A]
    page = client_for(users["admin"]).get("/exchange/federation/assessment/")
    assert page.status_code == 200 and "乙平台" in page.content.decode()
    bad = client_for(users["admin"]).get("/exchange/federation/assessment/?period=2026-13")
    assert bad.status_code == 400
    assert (
        client_for(users["admin"]).get("/api/v1/federation/assessment?period=x").status_code == 400
    )


def test_the_signature_algorithm_is_set_per_member_on_the_page(members, users, client_for):
    member = members["a"][0]
    url = f"/exchange/federation/members/{member.pk}/signing/"
    admin = client_for(users["admin"])
    assert 'value="hmac-sm3"' in admin.get("/exchange/federation/").content.decode()
    assert admin.post(url, {"signing": "hmac-sm3"}).status_code == 302
    member.refresh_from_db()
    assert member.signing == "hmac-sm3"
    assert admin.post(url, {"signing": "md5"}).status_code == 400
    assert client_for(users["op_b"]).post(url, {"signing": "hmac-sha256"}).status_code in (403, 404)
    member.refresh_from_db()
    assert member.signing == "hmac-sm3"
