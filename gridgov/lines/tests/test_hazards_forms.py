"""The hazard page and its actions (re-inspection, closure with a proof, escalation, listed
supervision) and the list of hazards under listed supervision: codes, scope, who is offered what."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.lines.models import HazardState
from gridgov.lines.services import hazards as hs
from gridgov.lines.tests.disputes_helpers import PHOTO, days, inspect, plan, shop

pytestmark = pytest.mark.django_db


def _step(client, hazard, step: str, data: dict):
    return client.post(
        f"/lines/hazards/{hazard.pk}/do/{step}/", {f"{step}-{k}": v for k, v in data.items()}
    )


def test_hazard_page_and_actions(users, client_for):
    p = plan(users["admin"])
    hazard = inspect(
        users["member_a"], p, shop(users["op_a"], "便民小超市"), fail="灭火器在有效期内"
    )
    hazard = hazard.hazards.get()
    op = client_for(users["op_a"])
    assert f"/lines/hazards/{hazard.pk}/" in op.get("/lines/hazards/").content.decode()
    page = op.get(f"/lines/hazards/{hazard.pk}/").content.decode()
    assert "便民小超市" in page and 'id="step-close"' in page
    # the street may list under its own supervision only; the district under its own
    assert 'value="district"' not in page
    assert (
        'value="district"'
        in client_for(users["district"]).get(f"/lines/hazards/{hazard.pk}/").content.decode()
    )
    leader = client_for(users["leader"])
    assert 'id="step-close"' not in leader.get(f"/lines/hazards/{hazard.pk}/").content.decode()
    assert _step(leader, hazard, "escalate", {"note": "x"}).status_code == 403
    outsider = client_for(users["op_b"])
    assert outsider.get(f"/lines/hazards/{hazard.pk}/").status_code == 404
    assert _step(outsider, hazard, "escalate", {"note": "x"}).status_code == 404
    assert _step(op, hazard, "nonsense", {}).status_code == 404

    assert _step(op, hazard, "reinspect", {"new_deadline": str(days(0))}).status_code == 400
    assert _step(op, hazard, "reinspect", {"new_deadline": str(days(20))}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.deadline == days(20) and hazard.reinspections == 1
    assert _step(op, hazard, "supervise", {"level": "district"}).status_code == 400
    assert _step(op, hazard, "supervise", {"level": "street"}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.supervised_by == "street" and hazard.supervision_deadline == days(60)
    supervised = op.get("/lines/hazards/supervision/").content.decode()
    assert hazard.number in supervised
    assert hazard.number not in outsider.get("/lines/hazards/supervision/").content.decode()

    assert op.post(f"/lines/hazards/{hazard.pk}/do/close/", {}).status_code == 400
    proof = SimpleUploadedFile("proof.jpg", PHOTO, "image/jpeg")
    closed = op.post(f"/lines/hazards/{hazard.pk}/do/close/", {"close-proof": proof})
    assert closed.status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED and hazard.closure_proof
    page = op.get(f"/lines/hazards/{hazard.pk}/").content.decode()
    assert 'id="step-' not in page
    assert _step(op, hazard, "escalate", {"note": "已销号"}).status_code == 400


def test_escalate_from_the_page_and_the_api(users, client_for):
    p = plan(users["admin"])
    hazard = inspect(users["member_a"], p, shop(users["op_a"], "小餐馆")).hazards.get()
    op = client_for(users["op_a"])
    assert _step(op, hazard, "escalate", {"note": ""}).status_code == 400
    assert _step(op, hazard, "escalate", {"note": "逾期未整改"}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ESCALATED and hazard.supervised_by == "district"
    with pytest.raises(ValidationError):
        hs.escalate(hazard, actor=users["op_a"])
    other = inspect(users["member_a"], p, shop(users["op_a"], "理发店")).hazards.get()
    url = f"/api/v1/hazards/{other.pk}/escalate"
    body = {"note": "逾期"}
    refused = client_for(users["op_b"]).post(url, body, content_type="application/json")
    assert refused.status_code == 404
    answer = op.post(url, body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["state"] == "escalated"
    assert op.post(url, body, content_type="application/json").status_code == 400
