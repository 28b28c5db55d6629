"""Federation messages in batches and signed with HMAC-SM3, in one process (the city and the
district share this test database, member A standing for the district, as in
test_federation.py): the outbox's messages go up in one signed request, are applied once each
and answered per message (a repeat as a repeat, a refusal alone); an SM3 signature is checked
by an HMAC written here over gmssl's own SM3, and a wrong one (or one of the other algorithm)
is refused."""

import base64
import json
import time
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from gmssl import func, sm3  # type: ignore[import-untyped]

from gridgov.cases.services.intake import report_case
from gridgov.cases.tests.conftest import POINT_A
from gridgov.exchange.models import FederationMessage, MemberCaseFact
from gridgov.exchange.services import federation, federation_wire
from gridgov.exchange.tests.test_federation import (
    PARENT,
    STREET_A,
    fact,
    headers,
    members,
    post_up,
)
from gridgov.notify.models import Outbox, OutboxStatus
from gridgov.notify.outbox import send_due

__all__ = ["members"]  # the fixture


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """RFC 2104 over SM3 (64-byte blocks), with gmssl's pure-Python SM3: independent of the
    platform's HMAC-SM3 (the `cryptography` package's OpenSSL)."""

    def h(data: bytes) -> bytes:
        return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))

    if len(key) > 64:
        key = h(key)
    key = key.ljust(64, b"\0")
    inner = h(bytes(k ^ 0x36 for k in key) + message)
    return h(bytes(k ^ 0x5C for k in key) + inner)


def sm3_headers(secret: str, msg_id: str, body: bytes, key: str = "") -> dict[str, str]:
    stamp = str(int(time.time()))
    mac = hmac_sm3(secret.encode(), f"{msg_id}.{stamp}.".encode() + body)
    found = {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": stamp,
        "HTTP_WEBHOOK_SIGNATURE": "v1sm3," + base64.b64encode(mac).decode(),
    }
    if key:
        found["HTTP_X_API_KEY"] = key
    return found


@pytest.fixture
def district(members, settings, monkeypatch):
    """This platform as the district (member A) of the city (this platform too), its requests
    to the city going through the test client; the requests are collected."""
    member, key = members["a"]
    for name, value in {
        **PARENT,
        "GRIDGOV_FEDERATION_KEY": key,
        "GRIDGOV_FEDERATION_SECRET": member.client.secret,
    }.items():
        setattr(settings, name, value)
    sent: list[dict] = []

    def via_test_client(url: str, given: dict[str, str], body: bytes) -> tuple[int, str]:
        extra = {
            "HTTP_" + k.upper().replace("-", "_"): v
            for k, v in given.items()
            if k.lower() != "content-type"
        }
        sent.append({"headers": given, "body": json.loads(body)})
        answer = Client().post(urlsplit(url).path, body, content_type="application/json", **extra)
        return answer.status_code, answer.content.decode()

    monkeypatch.setattr(federation_wire, "post", via_test_client)
    return {"member": member, "key": key, "sent": sent}


def _report(users, n: int) -> None:
    for i in range(n):
        report_case(
            actor=users["member_a"],
            channel="grid_member",
            description=f"井盖松动{i}",
            lon=POINT_A[0],
            lat=POINT_A[1],
        )


def test_the_backlog_goes_up_in_one_signed_batch_and_a_repeat_is_recognised(
    district, users, taxonomy
):
    _report(users, 5)
    assert federation.push_all()["facts"] == 5
    assert send_due()["sent"] == 1  # the row handed over; the other four rode along
    assert len(district["sent"]) == 1
    batch = district["sent"][0]["body"]["batch"]
    assert [m["kind"] for m in batch] == ["case.fact"] * 5
    ids = [m["id"] for m in batch]
    rows = Outbox.objects.filter(channel="federation").order_by("pk")
    assert ids == [r.payload["msg_id"] for r in rows]  # the queue's order
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert MemberCaseFact.objects.filter(member=district["member"]).count() == 5
    assert FederationMessage.objects.filter(direction="in", peer=STREET_A).count() == 5

    # delivered again (a sender killed after the city answered): answered as repeats
    rows.update(status=OutboxStatus.PENDING, next_attempt_at=None)
    assert send_due()["sent"] == 1 and len(district["sent"]) == 2
    assert all("duplicate" in r.gateway_response for r in rows.all())
    assert MemberCaseFact.objects.count() == 5
    assert FederationMessage.objects.filter(direction="in", peer=STREET_A).count() == 5


def test_a_batch_answers_per_message_and_a_refusal_undoes_nothing_else(members):
    member, key = members["a"]
    outside = fact("9", 1, area="410105002")
    batch = {
        "batch": [
            {"id": "b1", **fact("1", 1)},
            {"id": "b2", **outside},
            {"id": "b3", **fact("2", 4)},
            {"id": "b1", **fact("1", 1)},
        ]
    }
    answer = post_up(key, member.client.secret, "batch:1", batch)
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert results["b1"] == "duplicate"  # the second b1 of the batch; the first applied
    assert results["b2"].startswith("refused") and results["b3"] == "applied"
    assert set(MemberCaseFact.objects.values_list("local_id", flat=True)) == {"1", "2"}
    logged = FederationMessage.objects.get(peer=STREET_A, msg_id="b2")
    assert logged.outcome.startswith("refused")
    for bad in ({"batch": []}, {"batch": [{"id": "", "kind": "case.fact", "data": {}}]}):
        assert post_up(key, member.client.secret, "batch:2", bad).status_code == 400


def test_sm3_signatures_verify_independently_and_wrong_ones_are_refused(district, users, taxonomy):
    member, key = district["member"], district["key"]
    federation.set_member_signing(users["admin"], member, "hmac-sm3")
    secret = member.client.secret
    body = json.dumps(fact("5", 1)).encode()

    def up(given: dict[str, str]) -> int:
        return (
            Client()
            .post("/api/v1/federation/up", body, content_type="application/json", **given)
            .status_code
        )

    assert up(sm3_headers(secret, "s1", body, key)) == 200
    assert up(sm3_headers("wrong", "s2", body, key)) == 401
    assert up(headers(secret, "s3", body, key)) == 401  # HMAC-SHA256 is not this member's
    assert MemberCaseFact.objects.filter(local_id="5").count() == 1

    # the district's own messages, signed with SM3 by the gateway, pass the same check
    from django.conf import settings

    settings.GRIDGOV_FEDERATION_SIGNING = "hmac-sm3"
    _report(users, 2)
    federation.push_all()
    assert send_due()["sent"] == 1
    request = district["sent"][-1]
    given = request["headers"]
    raw = json.dumps(request["body"], ensure_ascii=False, sort_keys=True).encode()
    signed = f"{given['webhook-id']}.{given['webhook-timestamp']}.".encode() + raw
    expected = "v1sm3," + base64.b64encode(hmac_sm3(secret.encode(), signed)).decode()
    assert given["webhook-signature"] == expected
    assert set(Outbox.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    with pytest.raises(ValidationError):
        federation.set_member_signing(users["admin"], member, "md5")
