"""An administrator registers a webhook receiver in the browser, copies its key from the one
page that shows it, adds an endpoint and rotates the secret."""

import pytest

from gridgov.conftest import LIVE_DB_LOCK, browser_login, screenshot
from gridgov.exchange.models import ClientSystem, WebhookEndpoint
from gridgov.exchange.services import webhooks
from gridgov.exchange.services.clients import authenticate_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_administrator_registers_a_receiver_and_adds_an_endpoint(
    live_server, users, strict_browser_page, monkeypatch
):
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["93.184.216.34"])
    page = strict_browser_page
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.goto(f"{live_server.url}/cases/")
    page.click("details[data-nav-more] > summary")
    page.click("details[data-nav-more] >> text=接入系统")
    page.wait_for_url("**/exchange/clients/")
    page.fill("#id_name", "区城管数据中心")
    page.select_option("#id_kind", "webhook")
    page.fill("#id_owner_unit", "金水区城市管理局")
    page.select_option("#id_areas", ["410105001"])
    page.fill("#id_data_kinds", "case.*")
    page.click("#client-form button[type=submit]")
    key = page.locator("#new-key").inner_text().strip()
    assert page.locator("#new-secret").inner_text().strip()
    screenshot(page, "clients-1-key-shown-once")
    with LIVE_DB_LOCK:
        client = ClientSystem.objects.get()
        assert authenticate_client(key) == client

    page.fill("#endpoint-form input[name=url]", "https://receiver.example/hooks")
    page.check("#endpoint-form input[value='case.reported']")
    page.click("#endpoint-form button[type=submit]")
    page.wait_for_url("**/exchange/webhooks/*/")
    with LIVE_DB_LOCK:
        assert WebhookEndpoint.objects.get().client_id == client.pk
    page.goto(f"{live_server.url}/exchange/clients/{client.pk}/")
    assert page.locator("#new-key").count() == 0
    page.click("#rotate")
    assert page.locator("#new-secret").inner_text().strip()
    screenshot(page, "clients-2-rotated")
