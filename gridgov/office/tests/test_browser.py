import pytest

from gridgov.conftest import browser_login, screenshot
from gridgov.office.services import documents
from gridgov.office.tests.conftest import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _second_page(page, width: int, height: int):
    other = page.context.browser.new_page(
        viewport={"width": width, "height": height}, locale="zh-CN"
    )
    other.set_default_timeout(15_000)
    return other


def test_a_grid_member_and_a_community_worker_exchange_messages(
    live_server, office, strict_browser_page, settings
):
    settings.GRIDGOV_OFFICE_POLL_SECONDS = 1
    errors: list[str] = []
    member = strict_browser_page  # obeys the Content-Security-Policy: no inline script used
    member.on("pageerror", lambda exc: errors.append(str(exc)))
    member.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    member.set_viewport_size({"width": 390, "height": 844})  # the phone
    browser_login(member, live_server.url, "member_a", "pw-member_a")
    member.goto(f"{live_server.url}/office/messages/")
    member.select_option("#new-conversation select[name=members]", str(office["community_a"].pk))
    member.click("#new-conversation button[type=submit]")
    member.wait_for_selector("#chat-form")
    member.fill("#chat-form textarea[name=body]", "第3网格井盖松动，已拍照上报")
    member.click("#chat-form button[type=submit]")
    member.wait_for_selector("#chat li.msg.mine >> text=井盖松动")

    worker = _second_page(member, 1440, 900)  # the desk
    worker.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(worker, live_server.url, "community_a", "pw-community_a")
    worker.goto(f"{live_server.url}/office/")
    assert worker.locator("#office-unread [data-unread-count]").inner_text() == "1"
    worker.click("#office-unread")
    worker.click("#conversations a")
    worker.wait_for_selector("#chat >> text=井盖松动")
    # Marks on both pages: if either reloads, its mark is gone.
    for page in (member, worker):
        page.evaluate("window.__stayed = true")

    worker.fill("#chat-form textarea[name=body]", "收到，马上派人处理")
    worker.click("#chat-form button[type=submit]")
    member.wait_for_selector("#chat li.msg:not(.mine) >> text=马上派人", timeout=10_000)
    screenshot(member, "office-messages-phone")
    member.fill("#chat-form textarea[name=body]", "好的，我在现场等候")
    member.click("#chat-form button[type=submit]")
    worker.wait_for_selector("#chat li.msg:not(.mine) >> text=现场等候", timeout=10_000)
    screenshot(worker, "office-messages-desk")
    assert member.evaluate("window.__stayed === true")
    assert worker.evaluate("window.__stayed === true")
    assert not errors, errors
    worker.close()


def test_a_documents_circulation_page(live_server, office, browser_page, settings, tmp_path):
    from gridgov.office.files import check_file

    settings.MEDIA_ROOT = tmp_path
    doc = documents.receive_document(
        acting_user=office["district"],
        area=office["district_area"],
        number="郑政办〔2026〕58号",
        title="关于做好2027年元旦春节期间安全稳定工作的通知",
        issuing_unit="郑州市人民政府办公厅",
        urgency="urgent",
        secrecy="internal",
        main=[office["street_a"]],
        copies=[office["street_b"]],
        files=[check_file(pdf_bytes(), "正文.pdf")],
    )
    doc = documents.perform(doc, "sign", acting_user=office["op_a"])
    doc = documents.perform(doc, "register", acting_user=office["district"])
    doc = documents.perform(
        doc, "assign", acting_user=office["district"], lead_area=office["street_a"], days=5
    )
    doc = documents.perform(
        doc,
        "circulate",
        acting_user=office["district"],
        readers=[office["leader"], office["op_a"], office["community_a"]],
    )
    documents.perform(doc, "read", acting_user=office["leader"])
    page = browser_page
    browser_login(page, live_server.url, "district", "pw-district")
    page.goto(f"{live_server.url}/office/documents/{doc.pk}/")
    page.wait_for_selector("#doc-status[data-status='assigned']")
    assert page.locator("#recipients tr").count() == 2
    assert page.locator("#readers li").count() == 3
    page.locator("details[data-step='remind'] summary").click()
    page.fill("details[data-step='remind'] textarea[name=note]", "请于本周内报送落实情况")
    page.click("details[data-step='remind'] button[type=submit]")
    page.wait_for_selector("#timeline li >> text=请于本周内报送落实情况")
    page.wait_for_timeout(1500)  # the browser's own PDF viewer draws the preview
    screenshot(page, "office-document-circulation")


def test_a_street_publishes_a_notice_and_a_member_signs_on_the_phone(
    live_server, office, browser_page
):
    page = browser_page
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/office/notices/new/")
    page.select_option("#notice-form select[name=kind]", "notice")
    page.fill("#notice-form input[name=title]", "关于今晚寒潮防范的通知")
    page.fill("#notice-form textarea[name=body]", "请各网格员今晚巡查独居老人，并签收本通知。")
    page.check("#notice-form input[name=requires_ack]")
    page.click("#notice-form button[type=submit]")
    page.wait_for_selector("#unsigned-list li")
    notice_url = page.url

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/office/m/")
    page.click("text=关于今晚寒潮防范的通知")
    page.click("#sign-notice")
    page.wait_for_selector("#signed-at")
    screenshot(page, "office-notice-signed-phone")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(notice_url)
    assert page.locator("#signed-list li").count() == 1
    assert page.locator("#unsigned-list li").count() == 1  # the community worker
    screenshot(page, "office-notice-signatures")
