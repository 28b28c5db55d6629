"""Registering client systems on the page and through the API: the key and secret are shown in
that one answer and never again, bad input is refused with the reason and creates nothing,
rotation keeps the old secret valid for the overlap, revocation stops the key at once."""

import json
import re

import pytest
from django.utils import translation

from gridgov.exchange.models import ClientSystem, WebhookEndpoint
from gridgov.exchange.services import webhooks
from gridgov.exchange.services.clients import authenticate_client, secret_matches

FORM = {
    "name": "市12345平台",
    "kind": "12345",
    "owner_unit": "市政务服务中心",
    "contact": "0371-12345",
    "areas": ["410105001"],
    "data_kinds": "case.*\nwarning.issued",
}


def _shown(html: str, element: str) -> str:
    found = re.search(rf'id="{element}">([^<]+)<', html)
    assert found, f"no #{element} on the page"
    return found.group(1)


def test_an_administrator_registers_a_client_and_sees_its_key_once(users, client_for):
    admin = client_for(users["admin"])
    response = admin.post("/exchange/clients/", FORM)
    assert response.status_code == 201
    html = response.content.decode()
    key, secret = _shown(html, "new-key"), _shown(html, "new-secret")
    client = ClientSystem.objects.get()
    assert authenticate_client(key, kind="12345") == client
    assert secret_matches(client, secret)
    assert client.data_kinds == ["case.*", "warning.issued"]
    assert sorted(a.code for a in client.scope_areas.all()) == ["410105001"]
    assert key not in client.key_hash
    again = admin.get(f"/exchange/clients/{client.pk}/").content.decode()
    assert key not in again and secret not in again and "new-key" not in again
    listed = admin.get("/exchange/clients/").content.decode()
    assert FORM["name"] in listed and key not in listed


@pytest.mark.parametrize(
    ("change", "field_text"),
    [
        ({"areas": []}, "areas"),
        ({"areas": ["999999"]}, "areas"),
        ({"data_kinds": "case.*\nDROP TABLE"}, "DROP"),
        ({"kind": "mainframe"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_makes_nothing(
    users, client_for, change, field_text
):
    response = client_for(users["admin"]).post("/exchange/clients/", {**FORM, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert "errorlist" in html and "new-key" not in html
    if field_text == "DROP":
        assert "不是有效的数据种类：DROP, TABLE" in html
    assert ClientSystem.objects.count() == 0


def test_rotation_shows_the_new_secret_once_and_the_old_still_counts(users, client_for):
    admin = client_for(users["admin"])
    html = admin.post("/exchange/clients/", FORM).content.decode()
    old = _shown(html, "new-secret")
    client = ClientSystem.objects.get()
    rotated = admin.post(f"/exchange/clients/{client.pk}/rotate/")
    assert rotated.status_code == 200
    new = _shown(rotated.content.decode(), "new-secret")
    assert 'id="new-key"' not in rotated.content.decode()
    client.refresh_from_db()
    assert new != old and secret_matches(client, new) and secret_matches(client, old)


def test_revoking_stops_the_key_at_once(users, client_for):
    admin = client_for(users["admin"])
    key = _shown(admin.post("/exchange/clients/", FORM).content.decode(), "new-key")
    client = ClientSystem.objects.get()
    response = admin.post(f"/exchange/clients/{client.pk}/revoke/")
    assert response.status_code == 302
    assert authenticate_client(key) is None
    page = admin.get(f"/exchange/clients/{client.pk}/").content.decode()
    assert 'id="revoke"' not in page and 'id="rotate"' not in page
    assert admin.post(f"/exchange/clients/{client.pk}/rotate/").status_code == 404


def test_endpoints_are_added_on_the_client_page_and_private_addresses_refused(
    users, client_for, monkeypatch
):
    admin = client_for(users["admin"])
    admin.post("/exchange/clients/", {**FORM, "kind": "webhook"})
    client = ClientSystem.objects.get()
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["10.0.0.7"])
    refused = admin.post(
        f"/exchange/clients/{client.pk}/endpoints/",
        {"url": "https://intranet.example/h", "event_types": ["case.reported"]},
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert WebhookEndpoint.objects.count() == 0
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["93.184.216.34"])
    added = admin.post(
        f"/exchange/clients/{client.pk}/endpoints/",
        {"url": "https://receiver.example/h", "event_types": ["case.reported", "case.closed"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert added.status_code == 302 and added["Location"] == f"/exchange/webhooks/{endpoint.pk}/"
    assert endpoint.event_types == ["case.reported", "case.closed"]
    assert (
        "https://receiver.example/h"
        in admin.get(f"/exchange/clients/{client.pk}/").content.decode()
    )


def test_the_api_answers_the_key_once_and_refuses_bad_input(users, client_for):
    admin = client_for(users["admin"])
    body = {"name": "开放接口", "kind": "open311", "areas": ["410105002"], "data_kinds": ["case.*"]}
    made = admin.post("/api/v1/clients", json.dumps(body), content_type="application/json")
    assert made.status_code == 201
    answer = made.json()
    assert answer["areas"] == ["410105002"] and answer["kind"] == "open311"
    client = ClientSystem.objects.get(pk=answer["id"])
    assert authenticate_client(answer["api_key"]) == client
    assert secret_matches(client, answer["secret"])
    listed = admin.get("/api/v1/clients").json()
    assert [c["id"] for c in listed] == [client.pk]
    assert "api_key" not in listed[0] and "secret" not in listed[0]
    assert "secret" not in admin.get(f"/api/v1/clients/{client.pk}").json()

    rotated = admin.post(f"/api/v1/clients/{client.pk}/rotate").json()
    client.refresh_from_db()
    assert secret_matches(client, rotated["secret"]) and secret_matches(client, answer["secret"])
    revoked = admin.post(f"/api/v1/clients/{client.pk}/revoke").json()
    assert revoked["revoked_at"] is not None and authenticate_client(answer["api_key"]) is None

    for bad in (
        {**body, "areas": []},
        {**body, "kind": "mainframe"},
        {**body, "data_kinds": ["case.*", "x y"]},
        {**body, "areas": ["999999"]},
    ):
        refused = admin.post("/api/v1/clients", json.dumps(bad), content_type="application/json")
        assert refused.status_code in (400, 422), (bad, refused.status_code)
        assert refused.json()
    malformed = admin.post("/api/v1/clients", "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert ClientSystem.objects.count() == 1


def test_client_systems_are_in_the_more_menu_of_administrators_only(users, client_for):
    with translation.override("en"):
        assert "/exchange/clients/" in client_for(users["admin"]).get("/cases/").content.decode()
        assert "/exchange/clients/" not in client_for(users["op_a"]).get("/cases/").content.decode()


def test_field_work_pages_show_their_section_tabs_by_right(users, client_for):
    admin_page = client_for(users["admin"]).get("/patrol/tasks/").content.decode()
    member_page = client_for(users["member_a"]).get("/patrol/tasks/").content.decode()
    assert 'class="section-tabs"' in admin_page and "/patrol/live/" in admin_page
    assert 'class="section-tabs"' in member_page and "/patrol/live/" not in member_page
    assert 'aria-current="page"' in admin_page
