"""Intake checks the right to report in the service, and an idempotency key belongs to its
reporter (or, for gateways without an account, to its channel)."""

import json

import pytest

from gridgov.accounts.system import SMS_INTAKE, system_user
from gridgov.cases import services
from gridgov.cases.models import Case
from gridgov.cases.tests.conftest import POINT_A


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


BODY = {
    "description": "井盖缺失",
    "lon": POINT_A[0],
    "lat": POINT_A[1],
    "idempotency_key": "shared-key-0001",
    "channel": "grid_member",
}


@pytest.mark.parametrize("role", ["leader", "auditor", "handler", "plumber"])
def test_roles_without_the_report_right_cannot_report_through_the_api(loop, client_for, role):
    answer = post(client_for(loop[role]), "/api/v1/cases", BODY)
    assert answer.status_code == 403
    assert json.loads(answer.content)["code"] == "forbidden"
    assert not Case.objects.exists()
    # Liveness: a grid member reports the same body.
    assert post(client_for(loop["member_a"]), "/api/v1/cases", BODY).status_code == 201


def test_another_users_idempotency_key_never_returns_their_case(loop, client_for):
    first = post(client_for(loop["member_a"]), "/api/v1/cases", BODY)
    assert first.status_code == 201
    other = post(client_for(loop["op_b"]), "/api/v1/cases", {**BODY, "description": "别的事"})
    assert other.status_code == 201
    body = json.loads(other.content)
    assert body["id"] != json.loads(first.content)["id"]
    assert Case.objects.get(pk=body["id"]).reporter == loop["op_b"]
    # The owner's retry still finds their own case.
    again = post(client_for(loop["member_a"]), "/api/v1/cases", BODY)
    assert (again.status_code, json.loads(again.content)["id"]) == (
        200,
        json.loads(first.content)["id"],
    )


def test_gateway_keys_are_kept_per_channel(loop):
    sms, created = services.report_case(
        actor=system_user(SMS_INTAKE),
        channel="sms",
        description="噪音",
        address="某路",
        idempotency_key="msg-00000001",
    )
    hotline, created_too = services.report_case(
        actor=system_user(SMS_INTAKE),
        channel="hotline",
        description="漏水",
        address="某路",
        idempotency_key="msg-00000001",
    )
    assert created and created_too and sms.pk != hotline.pk
