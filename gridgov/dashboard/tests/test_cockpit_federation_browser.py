"""The city's cockpit on a 1920×1080 wall over its two member districts (金水区, 中原区), from
the case facts they pushed: the districts side by side and their reports by month."""

import pytest

from gridgov.accounts.models import User
from gridgov.assessment import periods
from gridgov.conftest import LIVE_DB_LOCK, browser_login
from gridgov.dashboard.tests.test_browser import shot
from gridgov.exchange.federation_setup import ADMIN_PASSWORD, init_city
from gridgov.exchange.models import MemberCaseFact
from gridgov.exchange.services import federation

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_city_cockpit_over_two_districts(live_server, transactional_db, browser_page):
    months = periods.last_months(6)
    with LIVE_DB_LOCK:
        init_city(["410105", "410102"])
        admin = User.objects.get(username="admin")
        rows = []
        for code, url, per_month in (
            ("410105", "https://jinshui.example.gov.cn", 9),
            ("410102", "https://zhongyuan.example.gov.cn", 6),
        ):
            member, _key = federation.register_member(
                admin, name=f"平台{code}", area_code=code, url=url
            )
            for k, month in enumerate(months):
                for i in range(per_month + k):
                    closed = i % 3 != 0 or month != months[-1]
                    rows.append(
                        MemberCaseFact(
                            member=member,
                            local_id=f"{month}-{i}",
                            version=1,
                            area_code=f"{code}00100101",
                            month=month,
                            status="closed" if closed else "dispatched",
                            measures={
                                "reports": 1,
                                "valid": 1,
                                "closed": int(closed),
                                "close_done": int(closed),
                                "close_on_time": int(closed and i % 4 != 0),
                                "satisfaction_sum": 4 + i % 2 if closed else 0,
                                "satisfaction_count": int(closed),
                            },
                        )
                    )
        MemberCaseFact.objects.bulk_create(rows)
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_server.url, "admin", ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/cockpit/")
    page.wait_for_selector("body[data-loaded='4101']")
    page.wait_for_selector("#federation-panel[data-members='2']")
    table = page.locator("#federation-table tbody tr")
    assert table.nth(0).locator("td").all_inner_texts() == [
        "中原区",
        "11",
        "4",
        "7",
        "63.6%",
        "71.4%",
        "4.43",
        "0",
    ]
    assert table.nth(1).locator("td").first.inner_text() == "金水区"
    assert page.locator("#chart-federation canvas").count() == 1
    shot(page, "cockpit-federation-city")
    assert errors == []
