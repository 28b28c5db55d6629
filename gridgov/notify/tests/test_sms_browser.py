"""The SMS platform in Chromium: the compose page's cost preview follows the text, and the
statistics page shows the demo history."""

import pytest

from gridgov.accounts.permissions import Role
from gridgov.conftest import browser_login, make_user, screenshot
from gridgov.notify import demo_data

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_compose_previews_the_cost_and_statistics_show_the_history(
    live_server, users, tree, browser_page
):
    make_user("district_op", Role.DISTRICT_OPERATOR, [tree.district.code])
    for street in tree.streets:
        make_user(f"s{street.code}", Role.STREET_OPERATOR, [street.code])

    class Quiet:
        def write(self, text):
            pass

    demo_data.load(stdout=Quiet(), scale="district", seed=3, size="small")
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 1000})
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/notify/sms/compose/")
    page.fill("textarea[name=numbers]", "13900000001\n13900000002")
    page.fill("textarea[name=body]", "【经八路街道】" + "今晚有强降雨，请各网格员加强巡查。" * 5)
    page.wait_for_function(
        "document.querySelector('[data-cost-text]').textContent.includes('计费 4 条')"
    )
    screenshot(page, "sms-compose-cost-preview")
    page.goto(f"{live_server.url}/notify/sms/stats/")
    assert page.locator("h2").count() == 4
    screenshot(page, "sms-statistics")
    page.goto(f"{live_server.url}/notify/sms/log/")
    screenshot(page, "sms-log")
