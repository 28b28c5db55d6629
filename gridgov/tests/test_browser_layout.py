"""In Chromium: the top navigation at 1366×768 shows every link (or reaches it through "More")
without clipping, wide screens use their width, and on a phone (390×844) a menu button opens the
links with tap targets of at least 44 px. The behaviour comes from the static script under the
Content-Security-Policy (the strict page)."""

import pytest

from gridgov.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BOXES = """(sel) => Array.from(document.querySelectorAll(sel)).map((el) => {
  const r = el.getBoundingClientRect();
  return {text: el.textContent.trim(), x: r.x, y: r.y, w: r.width, h: r.height,
          shown: r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true})};
})"""


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate(BOXES, selector)


def assert_inside(found: list[dict], width: int, height: int) -> None:
    assert found
    for box in found:
        assert box["shown"], box
        assert box["x"] >= 0 and box["x"] + box["w"] <= width + 0.5, box
        assert box["y"] >= 0 and box["y"] + box["h"] <= height + 0.5, box


def nav_hrefs(page) -> set[str]:
    return set(page.eval_on_selector_all("#mainnav a", "els => els.map(a => a.pathname)"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_link_of_the_navigation_is_reachable_at_1366(
    live_server, users, strict_browser_page, language
):
    page = strict_browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.context.add_cookies(
        [{"name": "gridgov_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/accounts/users/")
    hrefs = nav_hrefs(page)
    assert {"/cases/", "/cockpit/", "/accounts/users/", "/accounts/departments/"} <= hrefs
    # The bar itself is not scrolled sideways, and the top row shows every direct link.
    assert page.evaluate(
        "(n) => n.scrollWidth <= n.clientWidth + 1", page.query_selector("#mainnav")
    )
    assert_inside(boxes(page, "#mainnav > a, .navmore > summary"), 1366, 768)
    assert_inside(boxes(page, ".topbar-right > *"), 1366, 768)
    assert all(not b["shown"] for b in boxes(page, ".navmore-list a"))
    page.click(".navmore > summary")
    assert_inside(boxes(page, ".navmore-list a"), 1366, 768)
    screenshot(page, f"nav-1366-{language}")
    page.keyboard.press("Escape")
    assert all(not b["shown"] for b in boxes(page, ".navmore-list a"))


def test_wide_screens_use_their_width(live_server, users, strict_browser_page):
    page = strict_browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.goto(live_server.url + "/accounts/users/")
    (main,) = boxes(page, "main.page")
    assert main["w"] >= 1600, main
    screenshot(page, "users-1920")


def test_on_a_phone_the_menu_button_opens_the_links(live_server, users, strict_browser_page):
    page = strict_browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.goto(live_server.url + "/accounts/users/")
    assert all(not b["shown"] for b in boxes(page, "#mainnav a"))
    (button,) = boxes(page, "[data-nav-toggle]")
    assert button["shown"] and button["h"] >= 44 and button["w"] >= 44
    assert page.get_attribute("[data-nav-toggle]", "aria-expanded") == "false"
    screenshot(page, "nav-390-closed")
    page.click("[data-nav-toggle]")
    assert page.get_attribute("[data-nav-toggle]", "aria-expanded") == "true"
    links = boxes(page, "#mainnav > a, .navmore > summary")
    assert_inside(links, 390, 10_000)
    assert all(b["h"] >= 44 for b in links), links
    page.click(".navmore > summary")
    more = boxes(page, ".navmore-list a")
    assert_inside(more, 390, 10_000)
    assert all(b["h"] >= 44 for b in more), more
    assert all(b["h"] >= 44 for b in boxes(page, ".topbar-right a, .topbar-right button"))
    screenshot(page, "nav-390-open")
    page.click("#mainnav a[href='/cases/']")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/cases/")


def test_a_street_operators_navigation_fits_one_row_at_1440(
    live_server, users, strict_browser_page
):
    """The operator's 13 sections and "More" in one row beside the language, messages and
    account: a second row pushed every page down."""
    page = strict_browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(live_server.url + "/cases/")
    links = boxes(page, "#mainnav > a, .navmore > summary")
    assert len(links) >= 13, [b["text"] for b in links]
    assert len({round(b["y"]) for b in links}) == 1, [(b["text"], b["y"]) for b in links]
    assert_inside(links, 1440, 900)
    assert_inside(boxes(page, ".topbar-right > *"), 1440, 900)
    page.click(".navmore > summary")
    assert "/api/v1/docs" in nav_hrefs(page)
    screenshot(page, "nav-1440-operator")
