"""The logged reveal of an escalated case's reporter, in one process: the city asks (signed,
with a reason), the district logs the request in its access log and answers, the city logs it
too, shows the values once (no-store) and keeps neither. The city and the district share this
test database (member A stands for the district, as in test_federation.py); the signed HTTP
request goes through the Django test client."""

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from gridgov.audit.models import AccessLog
from gridgov.cases.models import Case
from gridgov.cases.services.intake import report_case
from gridgov.cases.tests.conftest import POINT_A
from gridgov.exchange.models import FederationLink, FederationMessage
from gridgov.exchange.services import federation
from gridgov.exchange.tests.test_federation import PARENT, STREET_A, headers, members, post_up
from gridgov.notify.models import Outbox

__all__ = ["members"]  # the fixture


def _via_test_client(url: str, sent: dict[str, str], body: bytes) -> tuple[int, str]:
    extra = {
        "HTTP_" + k.upper().replace("-", "_"): v
        for k, v in sent.items()
        if k.lower() != "content-type"
    }
    answer = Client().post(urlsplit(url).path, body, content_type="application/json", **extra)
    assert answer.get("Cache-Control") == "no-store" or answer.status_code != 200
    return answer.status_code, answer.content.decode()


@pytest.fixture
def escalated(members, users, settings, taxonomy, monkeypatch):
    """A district case escalated up and opened on the city; the city's case."""
    member, key = members["a"]
    for name, value in {**PARENT, "GRIDGOV_FEDERATION_SECRET": member.client.secret}.items():
        setattr(settings, name, value)
    monkeypatch.setattr(federation, "_post", _via_test_client)
    case, _ = report_case(
        actor=users["member_a"],
        channel="grid_member",
        description="下水道堵塞",
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_name="张三丰",
        reporter_phone="13800138000",
    )
    federation.escalate_to_parent(users["district"], case, department="市水务局")
    message = Outbox.objects.get(source="exchange.federation:case.escalate").payload["body"]
    assert post_up(key, member.client.secret, "esc-1", message).status_code == 200
    city_case = FederationLink.objects.get(role="member", peer=STREET_A).case
    assert city_case.reporter_name == "张**" and not city_case.reporter_phone
    return {"district": case, "city": city_case}


def test_the_city_asks_the_district_logs_and_answers_and_nothing_is_kept(
    escalated, users, client_for
):
    city_case, district_case = escalated["city"], escalated["district"]
    answer = client_for(users["admin"]).post(
        f"/api/v1/federation/cases/{city_case.pk}/reveal",
        json.dumps({"reason": "回访核实"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer["Cache-Control"] == "no-store"
    assert answer.json() == {
        "case_id": city_case.pk,
        "reporter_name": "张三丰",
        "reporter_phone": "13800138000",
    }
    # the district's access log: who at the city, why, which case (acting: the exchange account)
    below = AccessLog.objects.get(subject_id=str(district_case.pk), purpose="federation")
    assert (
        "admin" in below.reason
        and "回访核实" in below.reason
        and f"#{city_case.pk}" in below.reason
    )
    assert below.fields == ["reporter_name", "reporter_phone"]
    # the city's own access log, the user who asked
    above = AccessLog.objects.get(subject_id=str(city_case.pk), actor=users["admin"])
    assert above.reason == "回访核实"
    # never stored on the city
    city_case.refresh_from_db()
    assert city_case.reporter_name == "张**" and not city_case.reporter_phone
    logged = FederationMessage.objects.filter(kind="reporter.reveal")
    assert sorted(logged.values_list("direction", "outcome")) == [
        ("in", "answered"),
        ("out", "answered"),
    ]
    assert "13800138000" not in json.dumps(list(logged.values()), default=str)

    page = client_for(users["admin"]).post(
        f"/exchange/federation/cases/{city_case.pk}/reveal/", {"reason": "再次核实"}
    )
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "13800138000" in page.content.decode()
    assert AccessLog.objects.filter(purpose="federation").count() == 2


def test_who_may_ask_and_for_which_case(escalated, users, client_for):
    city_case, district_case = escalated["city"], escalated["district"]
    url = f"/api/v1/federation/cases/{city_case.pk}/reveal"
    body = json.dumps({"reason": "看看"})
    # a street operator of the other street: the case is outside the scope
    assert (
        client_for(users["op_b"]).post(url, body, content_type="application/json").status_code
        == 404
    )
    # a grid member (personal data right, but not the case's command center)
    member = client_for(users["member_a"]).post(url, body, content_type="application/json")
    assert member.status_code == 403
    # without a reason
    empty = json.dumps({"reason": ""})
    assert client_for(users["admin"]).post(
        url, empty, content_type="application/json"
    ).status_code in (400, 422)
    # a case that did not come from a member (the district's own case, as on a district)
    own = client_for(users["admin"]).post(
        f"/api/v1/federation/cases/{district_case.pk}/reveal", body, content_type="application/json"
    )
    assert own.status_code == 400
    assert not AccessLog.objects.filter(purpose="federation").exists()


def test_the_district_refuses_a_case_it_did_not_escalate_and_a_replay(escalated, users, settings):
    config = federation.parent_config()
    other, _ = report_case(
        actor=users["member_a"],
        channel="grid_member",
        description="另一件",
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_name="李四",
    )
    for local_id, area in (
        (str(other.pk), other.area_code),
        (str(escalated["district"].pk), "410105002"),
    ):
        raw = json.dumps(
            {
                "kind": "reporter.reveal",
                "data": {"area_code": area, "local_id": local_id, "asked_by": "x", "reason": "r"},
            }
        ).encode()
        answer = Client().post(
            "/api/v1/federation/reveal",
            raw,
            content_type="application/json",
            **headers(config["secret"], f"rv-{local_id}-{area}", raw),
        )
        assert answer.status_code == 400
        assert "李四" not in answer.content.decode() and "张三丰" not in answer.content.decode()
    assert not AccessLog.objects.filter(purpose="federation").exists()
    refused = FederationMessage.objects.filter(kind="reporter.reveal", direction="in")
    assert all(m.outcome.startswith("refused") for m in refused) and refused.count() == 2

    good = json.dumps(
        {
            "kind": "reporter.reveal",
            "data": {
                "area_code": escalated["district"].area_code,
                "local_id": str(escalated["district"].pk),
                "asked_by": "x",
                "reason": "r",
            },
        }
    ).encode()
    signed = headers(config["secret"], "rv-good", good)
    first = Client().post(
        "/api/v1/federation/reveal", good, content_type="application/json", **signed
    )
    again = Client().post(
        "/api/v1/federation/reveal", good, content_type="application/json", **signed
    )
    assert first.status_code == 200 and again.status_code == 400  # a captured request replayed
    unsigned = Client().post("/api/v1/federation/reveal", good, content_type="application/json")
    assert unsigned.status_code == 401
    assert AccessLog.objects.filter(purpose="federation").count() == 1
    assert Case.objects.filter(reporter_name="张三丰").count() == 1
