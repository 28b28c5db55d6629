"""Walked on the phone (Chromium, 360×640, zh-Hans): offline, a page that needs the network opens
as the kept to-do list and says so (it showed the to-do list silently, under the tab the member
had not chosen); the tracker-app page's field and link and the phone map's zoom buttons are thumb-sized; a community worker reviews a member's diary on the phone (the rating form was
off the screen, in a table wider than the phone); the leader's cockpit asks the server for
nothing that is not there."""

import pytest

from gridgov.conftest import browser_login, screenshot
from gridgov.mobile.tests.test_browser_mobile import until, wait_for_worker
from gridgov.patrol.services import diary
from gridgov.patrol.tests.work_fixtures import staff  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMALL_PHONE = {"width": 360, "height": 640}


def test_walked_on_a_small_phone(
    live_server,
    tree,
    users,
    staff,  # noqa: F811
    strict_browser_page,
):
    page = strict_browser_page
    page.set_viewport_size(SMALL_PHONE)
    base = live_server.url
    browser_login(page, base, "member_a", "pw-member_a")
    page.goto(f"{base}/m/")
    wait_for_worker(page)
    until(  # the worker also registered for the patrol pages (its own scope)
        page,
        "navigator.serviceWorker.getRegistration('/patrol/phone/')"
        ".then(r => !!(r && r.active && r.active.state === 'activated' && r.scope.endsWith("
        "'/patrol/phone/')))",
    )
    page.reload()
    assert page.locator("#m-todo-missing").count() == 0  # the to-do list itself: no note
    page.context.set_offline(True)
    page.goto(f"{base}/patrol/phone/")  # answered no-store: never kept on the phone
    until(page, "!!document.getElementById('m-todo-missing')")
    note = page.locator("#m-todo-missing")
    assert note.inner_text() == "此页面需要网络才能打开。下面是保存在本机上的待办。"
    assert note.bounding_box()["width"] <= SMALL_PHONE["width"]
    screenshot(page, "walk-1-offline-page-not-kept")
    page.context.set_offline(False)

    page.goto(f"{base}/patrol/tracker/")  # the tracker-app page, linked from the patrol page
    for target in ("#tracker-form input[name=label]", "section.patrol-phone > .patrol-links a"):
        box = page.locator(target).bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= SMALL_PHONE["width"], target

    page.goto(f"{base}/patrol/phone/coverage/")  # the member's grid on a map: zoom by thumb
    page.locator("#coverage-map .leaflet-control-zoom-in").wait_for()
    for target in (".leaflet-control-zoom-in", ".leaflet-control-zoom-out"):
        assert page.locator(target).bounding_box()["height"] >= 44, target

    grid = tree.grids[0]
    text = "小区东门路灯不亮，居民夜间出行不便，已告知物业。"
    data = diary.DiaryInput(text=text, tags=["minyi"], lon=grid.label_lon, lat=grid.label_lat)
    diary.write_diary(actor=users["member_a"], data=data, client_key="walk-diary-1")
    page.context.clear_cookies()
    browser_login(page, base, "comm_a", "pw-comm_a")
    page.goto(f"{base}/patrol/diary/")
    rate = page.locator("form[action$='/review/'] button")
    box = rate.bounding_box()
    assert box["x"] + box["width"] <= SMALL_PHONE["width"] and box["height"] >= 44
    assert page.get_by_text(text).bounding_box()["width"] <= SMALL_PHONE["width"]
    screenshot(page, "walk-2-diary-review-on-the-phone")

    page.context.clear_cookies()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    browser_login(page, base, "leader", "pw-leader")
    page.goto(f"{base}/m/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".m-figures").count() > 0 and failed == []
