import pytest

from gridgov.cases.models import Case
from gridgov.cases.tests.conftest import POINT_A, jpeg
from gridgov.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def act(page, action: str, note: str = "", **fields) -> None:
    box = page.locator(f"details.action[data-action='{action}']")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for name, value in fields.items():
        box.locator(f"[name={name}]").select_option(value) if name == "department" else box.locator(
            f"[name={name}]"
        ).set_input_files(value)
    if note:
        box.locator("textarea[name=note]").fill(note)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_one_case_through_the_whole_loop_with_three_people(
    live_server, loop, browser_page, tmp_path
):
    page = browser_page
    photo = tmp_path / "manhole.jpg"
    photo.write_bytes(jpeg())
    after = tmp_path / "fixed.jpg"
    after.write_bytes(jpeg((20, 160, 40)))

    # The grid member reports from the phone page, with a photo and a tap on the map.
    page.set_viewport_size({"width": 420, "height": 900})
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/cases/report/")
    page.wait_for_function("document.querySelectorAll('#report-map path').length > 0")
    page.evaluate(
        f"document.querySelector('input[name=lon]').value = '{POINT_A[0]}'; document.querySelector('input[name=lat]').value = '{POINT_A[1]}';"
    )
    page.select_option("select[name=category]", "C0101")
    page.fill("textarea[name=description]", "井盖松动，行人踩上去会翻转")
    page.set_input_files("input[name=photo]", str(photo))
    screenshot(page, "loop-1-report-phone")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#case-status[data-status='reported']")
    case = Case.objects.get()
    assert case.attachments.count() == 1 and case.area_code == "41010500100101"
    screenshot(page, "loop-2-reported")

    # The command center accepts, files and dispatches.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.context.clear_cookies()
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/cases/?queue=accept")
    page.click(f"text={case.number}")
    act(page, "accept")
    act(page, "file")
    act(page, "dispatch", department=str(loop["squad"].pk))
    page.wait_for_selector("#case-status[data-status='dispatched']")
    screenshot(page, "loop-3-dispatched")

    # The department handles it and reports back with a photo.
    page.context.clear_cookies()
    browser_login(page, live_server.url, "handler", "pw-handler")
    page.goto(f"{live_server.url}/cases/?queue=handle")
    page.click(f"text={case.number}")
    act(page, "start")
    act(page, "feedback", "已更换新井盖并加锁", photo_after=str(after))
    page.wait_for_selector("#case-status[data-status='handled']")

    # The grid member checks on the spot; the command center closes.
    page.context.clear_cookies()
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    act(page, "verify_pass", "现场核查已修复")
    page.wait_for_selector("#case-status[data-status='verified']")
    page.context.clear_cookies()
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    act(page, "close")
    page.wait_for_selector("#case-status[data-status='closed']")
    assert page.locator("#timeline li").count() == 8
    screenshot(page, "loop-4-closed")
    case.refresh_from_db()
    assert case.status == "closed" and case.attachments.count() == 2


def test_the_case_map_shows_cases_without_a_tile_server(live_server, loop, browser_page, settings):
    from gridgov.cases import services

    settings.GRIDGOV_TILE_URL = ""
    for i in range(3):
        services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description=f"路灯不亮 {i}",
            category="C0101",
            lon=POINT_A[0] + i * 0.0005,
            lat=POINT_A[1],
        )
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/cases/map/")
    page.wait_for_selector("#case-map-full[data-loaded='3']")
    page.wait_for_function(
        "document.querySelectorAll('#case-map-full .marker-cluster, #case-map-full path.leaflet-interactive').length > 0"
    )
    assert page.locator("#map-legend").is_visible()
    screenshot(page, "case-map-no-tiles")
    assert not errors, errors
