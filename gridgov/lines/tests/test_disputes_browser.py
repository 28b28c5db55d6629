"""By clicking: at desk size a street operator registers a dispute and works it through a session,
the agreement and its signed scan, a follow-up visit and the close; at phone size a grid member
registers a dispute found in the field."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from gridgov.conftest import mark_verified, screenshot
from gridgov.lines.models import Dispute, DisputeState, HazardState, InspectionTask, ScreeningTask
from gridgov.lines.services import disputes as ds
from gridgov.lines.services import hazards as hs
from gridgov.lines.tests.disputes_helpers import PHOTO, plan, shop
from gridgov.registry import services as registry

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GRID_A = "41010500100101"


def _open_step(page, name: str) -> None:
    page.click(f"#step-{name} summary")


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _submit_step(page, name: str) -> None:
    _submit(page, f"#step-{name} button[type=submit]")


@pytest.fixture(autouse=True)
def _urls_loaded() -> None:
    """The first request of a test process imports the URLconf (the API's schemas: 3.5–4.5 s),
    whichever test asks first; loaded here so the tests' own time is what they click."""
    get_resolver().url_patterns  # noqa: B018


def signed_in(page, base: str, user) -> None:
    """The browser carries a session of the user, past two-factor sign-in: what the login page
    would give, without its two page loads and their network-idle waits (the login flow has its
    own browser tests in accounts)."""
    client = Client()
    client.force_login(user)
    mark_verified(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base, "httpOnly": True}]
    )


def test_desk_works_a_dispute_by_the_pages(live_server, users, browser_page):
    page = browser_page
    base = live_server.url
    page.set_viewport_size({"width": 1440, "height": 900})
    upstairs, _made = registry.save_person(
        {"name": "李四海", "other_id": "EBROWSE001", "other_id_type": "passport",
         "registration": "floating"},
        actor=users["admin"],
        area_code=GRID_A,
    )  # fmt: skip
    signed_in(page, base, users["op_a"])
    page.goto(f"{base}/lines/disputes/")
    page.click("#dispute-new")
    page.select_option("select[name=kind]", "neighbourhood")
    page.fill("input[name=title]", "楼上漏水纠纷")
    page.select_option("select[name=area]", GRID_A)
    page.fill("textarea[name=applicants]", "张三")
    page.fill("textarea[name=description]", "楼上卫生间漏水，协商未果。")
    # the respondent picked from the registry as one types, shown masked
    page.select_option("#party-role", "respondent")
    page.fill("#party-q", "李四")
    page.click(f"#party-results button[data-ref='person:{upstairs.pk}']")
    chip = page.locator("#linked-parties .party-chip")
    assert chip.inner_text().strip().startswith("被申请人：李*")
    assert "李四海" not in page.content()
    screenshot(page, "disputes-forms-1-register")
    _submit(page, "#dispute-form button[type=submit]")
    d = Dispute.objects.get(title="楼上漏水纠纷")
    assert page.url.endswith(f"/lines/disputes/{d.pk}/")
    linked = d.parties.get(role="respondent")
    assert (linked.person_id, linked.name) == (upstairs.pk, "李四海")

    for participants, record in (
        ("张三、李四、调解员", "双方陈述，李四不认可漏水来源。"),
        ("张三、李四、物业、调解员", "物业查明漏水来源，双方同意修复防水。"),
    ):  # the community mediates in two sessions
        _open_step(page, "session")
        page.fill("#step-session input[name=session-participants]", participants)
        page.fill("#step-session textarea[name=session-record]", record)
        _submit_step(page, "session")
    _open_step(page, "agreement")
    page.fill("#step-agreement textarea[name=agreement-text]", "李四负责修复防水并赔偿八百元。")
    _submit_step(page, "agreement")
    assert page.locator("a[href$='agreement.pdf']").count() == 1
    pdf = page.locator("a[href$='agreement.pdf']").get_attribute("href")
    printed = page.request.get(f"{base}{pdf}")
    assert printed.status == 200 and printed.body().startswith(b"%PDF")
    _open_step(page, "signed")
    page.set_input_files(
        "#step-signed input[name=signed-scan]",
        files=[{"name": "signed.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}],
    )
    _submit_step(page, "signed")
    d.refresh_from_db()
    assert d.state == DisputeState.FULFILMENT
    _open_step(page, "follow_up")
    page.fill("#step-follow_up input[name=follow_up-note]", "防水已修，赔偿付清一半。")
    screenshot(page, "disputes-forms-2-follow-up")
    _submit_step(page, "follow_up")
    _open_step(page, "close")
    page.select_option("#step-close select[name=close-success]", "1")
    page.fill("#step-close input[name=close-note]", "协议履行完毕。")
    _submit_step(page, "close")
    d.refresh_from_db()
    assert d.state == DisputeState.CLOSED and d.success is True
    assert d.sessions.count() == 2 and d.follow_ups.count() == 1
    assert page.locator("#step-close, #step-follow_up, #step-session").count() == 0
    screenshot(page, "disputes-forms-3-closed")


def test_member_registers_a_dispute_on_the_phone(live_server, users, browser_page):
    page = browser_page
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    neighbour, _made = registry.save_person(
        {"name": "周八方", "other_id": "EPHONE0001", "other_id_type": "passport",
         "registration": "floating"},
        actor=users["admin"],
        area_code=GRID_A,
    )  # fmt: skip
    ds.create_screenings(actor=users["admin"])
    signed_in(page, base, users["member_a"])
    page.goto(f"{base}/m/")
    page.click("#m-disputes-link")
    page.goto(f"{base}/lines/m/screening/")  # the month's screening of the grid: found
    screenshot(page, "disputes-forms-0-phone-screening")
    with page.expect_navigation():
        page.click("form[data-id] button[value='1']")
    assert page.locator("select[name=source]").input_value() == "screening"
    assert page.locator("select[name=area]").input_value() == GRID_A
    for selector in ("select[name=kind]", "input[name=title]", "#m-dispute-form button"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["height"] >= 44, selector
    page.select_option("select[name=kind]", "family")
    page.fill("input[name=title]", "婆媳矛盾")
    page.fill("textarea[name=applicants]", "周九")
    # online, the respondent is picked from the registry as on the desk, masked, 44 px rows
    page.select_option("#party-role", "respondent")
    page.fill("#party-q", "周八")
    pick = page.locator(f"#party-results button[data-ref='person:{neighbour.pk}']")
    assert pick.bounding_box()["height"] >= 44  # type: ignore[index]
    pick.click()
    chip = page.locator("#linked-parties .party-chip label")
    assert chip.inner_text().strip().startswith("被申请人：周*")
    assert chip.bounding_box()["height"] >= 44  # type: ignore[index]
    assert "周八方" not in page.content()
    screenshot(page, "disputes-forms-4-phone-register")
    # offline the search is switched off with a note; typed names still serve
    page.context.set_offline(True)
    assert page.is_visible("#party-offline") and page.is_disabled("#party-q")
    page.context.set_offline(False)
    assert page.is_hidden("#party-offline") and page.is_enabled("#party-q")
    _submit(page, "#m-dispute-form button[type=submit]")
    d = Dispute.objects.get(title="婆媳矛盾")
    assert d.area_code == GRID_A and d.created_by == users["member_a"] and d.source == "screening"
    assert ScreeningTask.objects.get(area_code=GRID_A).state == "found"
    parties = sorted(d.parties.values_list("role", "name", "person_id"))
    assert parties == [("applicant", "周九", None), ("respondent", "周八方", neighbour.pk)]
    assert page.url.endswith(f"/lines/m/disputes/{d.pk}/")

    # Offline the form waits in the outbox and is registered once the network is back.
    page.goto(f"{base}/lines/m/disputes/new/")
    page.fill("input[name=title]", "离线登记纠纷")
    page.fill("textarea[name=applicants]", "吴十")
    page.context.set_offline(True)
    page.click("#m-dispute-form button[type=submit]")
    page.wait_for_selector("#m-dispute-state:not([hidden])")
    assert page.inner_text("#m-outbox-count") == "1"
    assert not Dispute.objects.filter(title="离线登记纠纷").exists()
    page.context.set_offline(False)
    page.wait_for_function("document.getElementById('m-outbox-pill').hidden", timeout=20000)
    queued = Dispute.objects.get(title="离线登记纠纷")
    assert queued.client_key and queued.parties.get().name == "吴十"


def test_member_inspects_a_shop_and_the_reinspection_closes_the_hazard(
    live_server, users, browser_page
):
    """On the phone a member inspects a small shop: a failed item with its photo becomes a
    hazard with a rectification notice; at the desk the re-inspection closes it with proof."""
    page = browser_page
    base = live_server.url
    the_plan = plan(users["admin"])
    place = shop(users["op_a"], "便民小吃店")
    hs.generate_tasks(actor=users["admin"])
    task = InspectionTask.objects.get(organization=place)
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in(page, base, users["member_a"])
    page.goto(f"{base}/lines/m/inspect/{task.pk}/")
    exit_item = the_plan.current_items().get(text="安全出口畅通")
    fail = page.locator(f"fieldset[data-item='{exit_item.pk}'] input[value=fail]")
    box = page.locator(f"fieldset[data-item='{exit_item.pk}'] label.m-check").first.bounding_box()
    assert box is not None and box["height"] >= 44
    fail.check()
    page.fill(f"input[name=note_{exit_item.pk}]", "后门堆放纸箱")
    page.set_input_files(
        f"input[name=photo_{exit_item.pk}]",
        files=[{"name": "exit.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}],
    )
    screenshot(page, "disputes-forms-5-phone-inspect")
    _submit(page, "#m-inspect-form button[type=submit]")
    assert page.locator(".m-message").count() == 1
    hazard = task.plan.inspections.get().hazards.get()
    assert hazard.item_id == exit_item.pk and hazard.state == HazardState.OPEN

    page.set_viewport_size({"width": 1440, "height": 900})
    signed_in(page, base, users["op_a"])
    page.goto(f"{base}/lines/hazards/{hazard.pk}/")
    href = page.locator("a[href$='notice.pdf']").get_attribute("href")
    notice = page.request.get(f"{base}{href}")
    assert notice.status == 200 and notice.body().startswith(b"%PDF")
    _open_step(page, "close")
    page.set_input_files(
        "#step-close input[type=file]",
        files=[{"name": "proof.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}],
    )
    _submit_step(page, "close")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED and hazard.closure_proof
    assert page.locator("#steps").count() == 0
