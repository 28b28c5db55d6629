"""A signed-out citizen on a phone (390×844): reports with a photo, confirms the phone with the
SMS code, follows the report; staff close it; the citizen rates it and says "not fixed", and the
case is back for verification."""

import pytest

from gridgov.accounts.system import PORTAL, SETUP, system_user
from gridgov.cases.models import Case, Status
from gridgov.cases.services import perform
from gridgov.conftest import screenshot
from gridgov.portal import services
from gridgov.portal.models import PortalReport, PublicCategory
from gridgov.portal.tests.conftest import POINT_A, jpeg_with_metadata, last_code

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_citizen_reports_follows_rates_and_reopens(live_server, loop, browser_page):
    services.seed_public_categories(actor=system_user(SETUP))
    system_user(PORTAL)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": POINT_A[0], "latitude": POINT_A[1]})
    base = live_server.url
    page.goto(f"{base}/")
    assert page.locator("a[href='/portal/report/']").count() >= 1
    screenshot(page, "portal-home-phone")
    page.click(".portal-big")
    page.wait_for_url("**/portal/report/")
    page.fill("#cat-search", "路灯")
    assert page.locator(".portal-choose label:not([hidden])").count() == 1
    page.fill("#cat-search", "")
    # Not sure of the category: the description suggests it, one tap chooses it.
    page.fill("textarea[name=description]", "小区北门路灯不亮，晚上很黑")
    page.click("#cat-suggest:not([hidden]) .chips button >> nth=0")
    assert page.locator(".portal-choose input:checked").get_attribute("value") == str(
        PublicCategory.objects.get(category__code="C0110").pk
    )
    assert page.locator("#cat-suggest").is_hidden()
    page.click("#use-gps")
    page.wait_for_function("document.querySelector('input[name=lon]').value !== ''")
    page.set_input_files(
        "#photo",
        files=[{"name": "light.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_metadata("x")}],
    )
    page.wait_for_selector("#photo-previews img")
    page.click(".portal-voice .m-voice-record")  # Chromium's fake microphone
    page.wait_for_timeout(1200)
    page.click(".portal-voice .m-voice-record")
    page.wait_for_selector(".portal-voice .m-voice-delete:not([hidden])")
    page.fill("#phone", "13800002468")
    page.click("#send-code")
    page.wait_for_function("document.getElementById('code-status').textContent !== ''")
    page.fill("#code", last_code("13800002468"))
    page.check("input[name=consent]")
    screenshot(page, "portal-report-flow-phone")
    page.click("#submit-report")
    page.wait_for_url("**/portal/r/**")
    made = PortalReport.objects.get()
    assert made.number in page.inner_text("#report-number")
    case = Case.objects.get(pk=made.case_id)
    assert case.attachments.count() == 1
    assert case.voice_notes.get().content_type == "audio/webm"
    # Following: the reporter follows their report (an SMS at each step).
    assert page.locator("#follow-form").count() == 0
    # Staff take the case through the loop and close it.
    op, squad, handler = loop["op_a"], loop["squad"], loop["handler"]
    perform(case, "accept", actor=op)
    perform(case, "file", actor=op)
    perform(case, "dispatch", actor=op, department=squad)
    perform(case, "start", actor=handler)
    perform(case, "feedback", actor=handler, note="已更换灯泡")
    perform(case, "verify_pass", actor=op)
    perform(case, "close", actor=op)
    page.reload()
    page.wait_for_selector("#rate-form")
    screenshot(page, "portal-status-closed-phone")
    page.check("#rate-form input[name=score][value='2']")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector("#notfixed-form")
    case.refresh_from_db()
    assert case.satisfaction == 2
    page.fill("#notfixed-form textarea[name=note]", "还是不亮")
    page.click("#notfixed-form button[type=submit]")
    page.wait_for_selector(".pstatus-big.pstatus-checking")
    case.refresh_from_db()
    assert case.status == Status.HANDLED
    assert case.events.filter(action="reopen", note="还是不亮").exists()
    screenshot(page, "portal-status-reopened-phone")
