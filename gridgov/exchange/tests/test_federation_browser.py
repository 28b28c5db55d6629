"""On the city, an administrator switches a member district to HMAC-SM3 signatures on the
federation page and opens the districts' assessment ranked from the facts they pushed."""

import pytest

from gridgov.assessment.periods import current_month
from gridgov.conftest import LIVE_DB_LOCK, browser_login, screenshot
from gridgov.exchange.models import FederationMember, MemberCaseFact
from gridgov.exchange.services import federation

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_city_sets_a_members_signature_and_ranks_its_districts(
    live_server, users, strict_browser_page
):
    with LIVE_DB_LOCK:
        member, _key = federation.register_member(
            users["admin"], name="甲平台", area_code="410105001", url="https://a.example.gov.cn"
        )
        MemberCaseFact.objects.create(
            member=member,
            local_id="1",
            version=1,
            area_code="41010500100101",
            month=current_month(),
            status="closed",
            measures={"reports": 1, "valid": 1, "closed": 1},
        )
    page = strict_browser_page
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.goto(f"{live_server.url}/exchange/federation/")
    row = page.locator("#members tr[data-area='410105001']")
    row.locator("select[name=signing]").select_option("hmac-sm3")
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/exchange/federation/")
    assert "HMAC-SM3" in page.content()
    with LIVE_DB_LOCK:
        assert FederationMember.objects.get(pk=member.pk).signing == "hmac-sm3"
    page.click("text=成员区县考核")
    page.wait_for_url("**/exchange/federation/assessment/")
    ranked = page.locator("#district-ranking tr[data-area='410105001']")
    assert ranked.locator("td").nth(2).inner_text() == "甲平台"
    assert "100.0%" in ranked.inner_text()  # the closing rate of its one case
    screenshot(page, "federation-assessment")
