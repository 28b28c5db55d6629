"""An administrator registers a webhook receiver in the browser, copies its key from the one
page that shows it, adds an endpoint and rotates the secret; a case reported in the client's
street is delivered (after one refusal, retried) and the endpoint's delivery log shows it."""

import pytest

from gridgov.conftest import LIVE_DB_LOCK, browser_login, screenshot
from gridgov.exchange.models import ClientSystem, WebhookEndpoint
from gridgov.exchange.services import webhooks
from gridgov.exchange.services.clients import authenticate_client
from gridgov.exchange.tests.test_webhooks import Receiver, _report
from gridgov.notify.models import Outbox
from gridgov.notify.outbox import send_due

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_administrator_registers_a_receiver_and_adds_an_endpoint(
    live_server, users, taxonomy, strict_browser_page, monkeypatch, settings
):
    settings.GRIDGOV_WEBHOOK_TEST_LOOPBACK = True  # the receiver below listens on loopback
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["127.0.0.1"])
    receiver = Receiver()
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

    url = receiver.url.replace("receiver.test", "receiver.example")
    page.fill("#endpoint-form input[name=url]", url)
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

    receiver.answers = [503]
    with LIVE_DB_LOCK:
        _report(users)  # in street A: the client's scope
        assert send_due() == {"sent": 0, "not_sent": 1}
        Outbox.objects.filter(channel="webhook").update(next_attempt_at=None)
        assert send_due() == {"sent": 1, "not_sent": 0}
        endpoint = WebhookEndpoint.objects.get()
    receiver.close()
    assert (
        len(receiver.got) == 2
        and receiver.got[0][0]["webhook-id"] == receiver.got[1][0]["webhook-id"]
    )
    page.goto(f"{live_server.url}/exchange/webhooks/{endpoint.pk}/")
    row = page.locator("tbody tr").first
    assert "case.reported" in row.inner_text() and "已发送" in row.inner_text()
    assert row.locator("td").nth(2).inner_text() == "2"  # attempts
    screenshot(page, "clients-3-delivery-log")
