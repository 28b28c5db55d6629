"""The catalogue page (administrators) with approve/refuse forms, and the exchange log page
(auditor and administrators)."""

import datetime

import pytest
from django.utils import timezone

from gridgov.areas.testing import STREET_A
from gridgov.exchange.models import ApplicationState, ClientKind, RecipientKeys
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import issue_client


@pytest.fixture
def application(users):
    client, _key = issue_client(
        users["admin"], name="市公安局人口系统", kind=ClientKind.EXCHANGE, area_codes=[STREET_A]
    )
    return catalogue.apply_for(
        users["admin"],
        client,
        dataset_key="special_populations",
        fields=["id", "category"],
        purpose="社区矫正衔接",
        legal_basis="《社区矫正法》第五条",
        recipient="市公安局治安支队",
        expires_on=timezone.localdate() + datetime.timedelta(days=180),
    )


def test_the_catalogue_page_lists_sets_and_applications(application, users, client_for):
    page = client_for(users["admin"]).get("/exchange/catalogue/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "社区矫正衔接" in text and "市公安局治安支队" in text
    assert 'data-key="special_populations"' in text and "GB/T 3304" in text
    for who in ("op_a", "auditor", "district"):
        assert client_for(users[who]).get("/exchange/catalogue/").status_code == 403


def test_an_approval_from_the_page_needs_a_reason(application, users, client_for):
    admin = client_for(users["admin"])
    url = f"/exchange/catalogue/applications/{application.pk}/decide/"
    assert admin.post(url, {"decision": "approve", "reason": ""}).status_code == 400
    assert admin.post(url, {"decision": "approve", "reason": "依法衔接"}).status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert "依法衔接" in admin.get("/exchange/catalogue/").content.decode()
    assert admin.post(url, {"decision": "refuse", "reason": "again"}).status_code == 400


def test_an_overdue_application_shows_as_overdue(application, users, client_for):
    later = timezone.now() + datetime.timedelta(days=10)
    type(application).objects.filter(pk=application.pk).update(
        due_at=later - datetime.timedelta(days=9)
    )
    text = client_for(users["admin"]).get("/exchange/catalogue/").content.decode()
    assert "badge risk-high" in text


def test_recipient_keys_are_saved_from_the_page(application, users, client_for):
    admin = client_for(users["admin"])
    sm2 = packages._new_key("sm2")[1]
    answer = admin.post(
        "/exchange/catalogue/keys/", {"client": application.client_id, "sm2_public": sm2}
    )
    assert answer.status_code == 302
    assert RecipientKeys.objects.get(client=application.client).sm2_public == sm2
    bad = admin.post(
        "/exchange/catalogue/keys/", {"client": application.client_id, "sm2_public": "xyz"}
    )
    assert bad.status_code == 400
    assert admin.post("/exchange/catalogue/keys/", {"client": "x"}).status_code == 400


def test_the_exchange_log_is_for_the_auditor_and_administrators(application, users, client_for):
    client = application.client
    packages.produce(packages.request_package(users["admin"], client, dataset_key="case_facts"))
    for who in ("auditor", "admin"):
        page = client_for(users[who]).get("/exchange/catalogue/log/")
        assert page.status_code == 200 and "市公安局人口系统" in page.content.decode()
    for who in ("op_a", "district", "leader"):
        assert client_for(users[who]).get("/exchange/catalogue/log/").status_code == 403
