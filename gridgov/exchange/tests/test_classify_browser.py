"""An SMS without a category gets a suggestion, which the operator accepts on the desk."""

import pytest

from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (fixture)
from gridgov.conftest import browser_login, screenshot
from gridgov.exchange.services import classify
from gridgov.exchange.tests.classify_helpers import closed_cases, sms_case

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("taxonomy")]


def test_operator_accepts_the_suggestion_for_an_sms(live_server, users, browser_page):
    closed_cases()
    classify.set_threshold(0.0, actor=users["admin"])
    classify.train(actor=users["admin"])
    case = sms_case("经八路上的路灯昨晚开始就不亮了")
    assert case.category is None

    page = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/exchange/classify/cases/{case.pk}/")
    suggestion = page.locator("#suggestion")
    assert "C0110" in suggestion.inner_text()
    screenshot(page, "classify-1-suggestion")
    page.click("#accept")
    page.wait_for_load_state("networkidle")
    assert "C0110" in page.locator("#case-category").inner_text()
    screenshot(page, "classify-2-accepted")
    assert Case.objects.get(pk=case.pk).category.code == "C0110"
    assert CaseEvent.objects.filter(case=case, action="categorize", actor=users["op_a"]).exists()
