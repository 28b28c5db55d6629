"""A grid member records a due visit on the phone; the community sees the record, marks lost
contact, and the warnings board shows it escalated."""

import pytest

from gridgov.conftest import browser_login, screenshot
from gridgov.lines.models import LedgerWarning, RecordState, WarningKind
from gridgov.lines.tests import populations_world as pw
from gridgov.mobile.tests.test_browser_mobile import until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_phone_visit_then_lost_contact_on_the_desk(live_server, users, browser_page):
    """The visit is recorded offline with a voice note: it waits in the outbox ("1 waiting"),
    goes once when the network returns, and a second send makes nothing twice."""
    world = pw.build(users, prefix="BR")
    record = world["record_a"]
    page = browser_page
    base = live_server.url

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, base, "member_a", "pw-member_a")
    page.goto(f"{base}/lines/m/visits/")
    page.click(f"li[data-id='{record.pk}'] a")
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    page.fill("textarea[name=note]", "上门走访，按时服药")
    page.click(".m-voice-record")
    until(page, "document.querySelector('.m-voice-info').textContent.includes('1 s')")
    page.click(".m-voice-record")
    until(page, "document.querySelector('.m-voice-info').textContent.includes('KB')")
    page.click("#m-visit button[type=submit]")
    page.wait_for_selector("#m-visit-state:not([hidden])")
    assert page.inner_text("#m-outbox-count") == "1" and page.is_visible("#m-outbox-pill")
    assert record.visits.count() == 0
    assert page.is_enabled("#m-visit button[type=submit]")  # ready for the next visit
    screenshot(page, "populations-1-phone-visit-waiting")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    until(page, "document.getElementById('m-outbox-pill').hidden", 30)
    assert record.visits.count() == 1
    visit = record.visits.get()
    assert visit.note == "上门走访，按时服药" and visit.client_key and visit.voice_type
    page.evaluate("GridApp.send()")
    assert record.visits.count() == 1

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, base, "op_a", "pw-op_a")
    page.goto(f"{base}/lines/populations/")
    screenshot(page, "populations-2-list")
    page.click(f"tr[data-id='{record.pk}'] a")
    page.click("input[name=action][value=lost] ~ button")
    page.wait_for_load_state("networkidle")
    record.refresh_from_db()
    assert record.state == RecordState.LOST
    screenshot(page, "populations-3-record")
    page.goto(f"{base}/lines/ledger-warnings/?kind=lost_contact")
    assert LedgerWarning.objects.filter(
        kind=WarningKind.LOST_CONTACT, subject_id=record.pk, flagged=True
    ).exists()
    screenshot(page, "populations-4-warnings")
