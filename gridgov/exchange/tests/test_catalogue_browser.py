"""An administrator approves a data application on the catalogue page, with a reason."""

import datetime

import pytest
from django.utils import timezone

from gridgov.areas.testing import DISTRICT
from gridgov.conftest import LIVE_DB_LOCK, browser_login, screenshot
from gridgov.exchange.models import ApplicationState, ClientKind, DataApplication
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import issue_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_administrator_approves_an_application(live_server, users, strict_browser_page):
    admin = users["admin"]
    with LIVE_DB_LOCK:
        client, _key = issue_client(
            admin,
            name="市大数据管理局共享交换平台",
            kind=ClientKind.EXCHANGE,
            area_codes=[DISTRICT],
            owner_unit="市大数据管理局",
        )
        app = catalogue.apply_for(
            admin,
            client,
            dataset_key="special_populations",
            fields=["id", "category", "risk_level"],
            purpose="社区矫正对象衔接管理",
            legal_basis="《中华人民共和国社区矫正法》第五条",
            recipient="市司法局社区矫正管理科",
            expires_on=timezone.localdate() + datetime.timedelta(days=180),
        )
        packages.produce(packages.request_package(admin, client, dataset_key="case_facts"))
    page = strict_browser_page
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.goto(f"{live_server.url}/exchange/catalogue/")
    row = page.locator(f"#applications tr[data-id='{app.pk}']")
    assert "待审批" in row.inner_text()
    row.locator("input[name=reason]").fill("依法衔接，字段已最小化")
    row.locator("button[value=approve]").click()
    page.wait_for_url("**/exchange/catalogue/")
    assert (
        "依法衔接，字段已最小化"
        in page.locator(f"#applications tr[data-id='{app.pk}']").inner_text()
    )
    screenshot(page, "catalogue-1-approved")
    with LIVE_DB_LOCK:
        assert DataApplication.objects.get(pk=app.pk).state == ApplicationState.APPROVED
    page.goto(f"{live_server.url}/exchange/catalogue/log/")
    assert "市大数据管理局共享交换平台" in page.locator("#exchange-log").inner_text()
    screenshot(page, "catalogue-2-exchange-log")
