"""A registry correction made offline on the phone (390 px) meets a desk edit made meanwhile: it
comes back as a conflict, shown side by side with the desk editor's full name, and the street's
desk takes the phone's values from its own list of conflicts."""

import pytest

from gridgov.conftest import browser_login, screenshot
from gridgov.mobile.models import Correction, CorrectionState
from gridgov.mobile.tests.test_browser_mobile import PHONE, until
from gridgov.mobile.tests.test_corrections import home  # noqa: F401 (fixture)
from gridgov.registry import services as registry
from gridgov.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_offline_correction_meets_a_desk_edit_and_is_resolved(
    live_server,
    tree,
    users,
    home,  # noqa: F811
    strict_browser_page,
):
    person = home["person"]
    page = strict_browser_page
    page.set_viewport_size(PHONE)
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/m/data/households/{home['household'].pk}/")
    form = page.locator(f"form[data-kind=person][data-record='{person.pk}']")
    assert form.locator("input[name=occupation]").input_value() == "教师"

    page.context.set_offline(True)
    form.locator("input[name=occupation]").fill("退休")
    form.locator("button[type=submit]").click()
    until(page, "document.getElementById('m-correct-state').textContent.length > 0")
    until(page, "document.getElementById('m-outbox-count').textContent === '1'")
    assert not Correction.objects.exists()
    screenshot(page, "mobile-correction-queued")

    # Meanwhile the desk changes the same person.
    users["op_a"].full_name = "王建国"
    users["op_a"].save(update_fields=["full_name"])
    data = {k: getattr(person, k) for k in ("name", "id_number", "phone", "registration")}
    registry.save_person({**data, "occupation": "工程师"}, actor=users["op_a"], person=person)

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    until(page, "document.getElementById('m-outbox-pill').hidden", 20)
    correction = Correction.objects.get()
    assert correction.state == CorrectionState.CONFLICT
    assert Person.objects.get(pk=person.pk).occupation == "工程师"  # not silently overwritten

    page.goto(f"{live_server.url}/m/")
    page.locator("a[href='/m/conflicts/']").first.click()
    conflict = page.locator(".m-conflict")
    assert conflict.count() == 1
    text = conflict.inner_text()
    assert "退休" in text and "工程师" in text and "王建国" in text and "op_a" not in text
    screenshot(page, "mobile-conflicts")

    # The street's desk resolves it from its own list, in a browser of its own (not the phone's,
    # whose service worker answers under /m/): the phone's value is taken.
    desk = page.context.browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", bypass_csp=True
    )
    page = desk.new_page()
    page.set_default_timeout(15_000)
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/m/desk/conflicts/")
    row = page.locator(f"#desk-conflicts tr[data-id='{correction.pk}']")
    assert row.count() == 1
    cells = row.first.inner_text()
    assert "member_a" in cells and "工程师" in cells and "退休" in cells and "王建国" in cells
    screenshot(page, "mobile-desk-conflicts")
    row.first.locator("button[value=mine]").click()
    page.wait_for_selector(".message")
    assert page.locator("#desk-conflicts tr[data-id]").count() == 0
    correction.refresh_from_db()
    assert correction.state == CorrectionState.MINE and correction.resolved_by == users["op_a"]
    assert Person.objects.get(pk=person.pk).occupation == "退休"
