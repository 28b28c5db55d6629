import pytest

from gridgov.cases import worktime
from gridgov.cases.models import CalendarYear
from gridgov.cases.tests.test_calendar import NOTICE_2027
from gridgov.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_administrator_enters_next_years_notice_in_two_steps(live_server, users, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 1000})
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.goto(f"{live_server.url}/cases/calendar/?year=2027")
    assert page.locator(".cal-source").get_attribute("data-source") == "missing"
    page.fill("textarea[name=notice]", NOTICE_2027)
    page.click("button[name=confirm][value='0']")
    page.wait_for_selector("#notice-preview")
    assert page.locator("#notice-preview tbody tr").count() == 22
    assert not CalendarYear.objects.exists()
    page.click("button[name=confirm][value='1']")
    page.wait_for_selector(".cal-source[data-source='entered']")
    worktime.forget_overrides()
    assert CalendarYear.objects.filter(year=2027).exists()
    assert "holiday" in page.locator("td[data-date='2027-02-08']").get_attribute("class")
    assert "workend" in page.locator("td[data-date='2027-02-14']").get_attribute("class")
    screenshot(page, "calendar-2027-entered")
