"""The classification pages and API, the 12345 order page and the inbound API."""

import pytest

from gridgov.accounts.system import HOTLINE_12345, system_user
from gridgov.cases.models import Case
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (fixture)
from gridgov.exchange.models import ClientKind, HotlineOrder, OrderState
from gridgov.exchange.services import classify, hotline
from gridgov.exchange.services.clients import issue_client
from gridgov.exchange.tests.classify_helpers import closed_cases, sms_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]


@pytest.fixture
def trained(users):
    closed_cases()
    classify.set_threshold(0.0, actor=users["admin"])
    return classify.train(actor=users["admin"])


def test_admin_page_shows_quality_beside_baselines_and_retrains(trained, users, client_for):
    page = client_for(users["admin"]).get("/exchange/classify/")
    text = page.content.decode()
    assert page.status_code == 200 and "C0110" in text
    assert text.count("top-1") == 3 * 2  # two evaluations, three methods each
    answer = client_for(users["admin"]).post("/exchange/classify/", {"action": "train"})
    assert answer.status_code == 302
    bad = client_for(users["admin"]).post(
        "/exchange/classify/", {"action": "threshold", "auto_threshold": "2"}
    )
    assert bad.status_code == 400
    assert client_for(users["op_a"]).get("/exchange/classify/").status_code == 403


def test_operator_accepts_on_the_case_page(trained, users, client_for):
    case = sms_case("晚上小区路灯全都不亮")
    client = client_for(users["op_a"])
    page = client.get(f"/exchange/classify/cases/{case.pk}/")
    assert page.status_code == 200 and "C0110" in page.content.decode()
    assert client.post(f"/exchange/classify/cases/{case.pk}/").status_code == 302
    assert Case.objects.get(pk=case.pk).category.code == "C0110"


def test_the_api_suggests_and_takes_another_category(trained, users, client_for):
    case = sms_case("有车堵在人行道上")
    client = client_for(users["op_a"])
    got = client.get(f"/api/v1/classify/cases/{case.pk}/suggestion").json()
    assert got["state"] == "open" and len(got["top"]) == 3
    done = client.post(
        f"/api/v1/classify/cases/{case.pk}/suggestion",
        {"category": "E0505"},
        content_type="application/json",
    ).json()
    assert done["state"] == "changed"
    assert Case.objects.get(pk=case.pk).category.code == "E0505"
    bad = client.post(
        f"/api/v1/classify/cases/{sms_case('x路灯').pk}/suggestion",
        {"category": "NOPE"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"]


def test_order_page_and_inbound_api(users, client_for, settings):
    settings.GRIDGOV_12345_URL = "http://127.0.0.1:9/api"
    _client, key = issue_client(
        users["admin"], name="市12345", kind=ClientKind.HOTLINE_12345, area_codes=["410105"]
    )
    api = client_for(users["admin"])
    body = {"order_no": "GD-API-0001", "content": "来电反映路灯不亮", "address": "经八路"}
    refused = api.post("/api/v1/12345/inbound/orders", body, content_type="application/json")
    assert refused.status_code == 401
    first = api.post(
        "/api/v1/12345/inbound/orders", body, content_type="application/json", HTTP_X_API_KEY=key
    )
    again = api.post(
        "/api/v1/12345/inbound/orders", body, content_type="application/json", HTTP_X_API_KEY=key
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    order = HotlineOrder.objects.get(order_no="GD-API-0001")
    page = api.get(f"/exchange/hotline/{order.pk}/")
    assert page.status_code == 200 and "GD-API-0001" in page.content.decode()
    assert api.post(f"/exchange/hotline/{order.pk}/", {"step": "sign"}).status_code == 302
    assert HotlineOrder.objects.get(pk=order.pk).state == OrderState.SIGNED
    rated = api.post(
        "/api/v1/12345/inbound/orders/GD-API-0001/rating",
        {"rating": "很好"},
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert rated.status_code == 400
    step = api.post(
        f"/api/v1/12345/orders/{order.pk}/extend",
        {"days": 3, "reason": "需协调"},
        content_type="application/json",
    )
    assert step.status_code == 200
    assert hotline.adapter_configured()
    assert system_user(HOTLINE_12345).username == HOTLINE_12345
