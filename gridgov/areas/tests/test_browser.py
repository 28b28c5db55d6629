import pytest

from gridgov.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def click_map_at(page, lon: float, lat: float) -> None:
    point = page.evaluate(
        "(([lat, lon]) => { const p = window.gridgovMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; })",
        [lat, lon],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def test_console_map_card_and_locator(live_server, tree, users, browser_page):
    page = browser_page
    browser_login(page, live_server.url, "district", "pw-district")
    page.wait_for_selector("#map[data-loaded='16']")
    assert page.locator("#map path.leaflet-interactive").count() >= 16
    assert "工作台" in page.inner_text(".mainnav")
    screenshot(page, "console-district")

    click_map_at(page, 113.605, 34.7175)
    page.wait_for_selector("#locate-result[data-grid='41010500100101']")
    assert "经八北第1网格" in page.inner_text("#locate-result")
    page.wait_for_function(
        "document.querySelector('#card .card-title')?.textContent.includes('经八北第1网格')"
    )
    assert "41010500100101" in page.inner_text("#card")
    screenshot(page, "console-grid-card")

    click_map_at(page, 113.63, 34.6997)  # just south of the district, inside the map's margin
    page.wait_for_function("document.querySelector('#locate-result').textContent.includes('不在')")

    page.fill("input.search", "花园南")
    page.wait_for_selector(".search-results a")
    page.click(".search-results a >> nth=0")
    page.wait_for_function(
        "document.querySelector('#card .card-title')?.textContent.includes('花园南')"
    )
    screenshot(page, "console-search")


def test_a_grid_member_sees_only_their_grid(live_server, tree, users, browser_page):
    page = browser_page
    browser_login(page, live_server.url, "member_a", "pw-member_a")  # lands on the to-do queue
    page.goto(f"{live_server.url}/areas/console/")
    page.wait_for_selector("#map[data-loaded='1']")
    assert page.locator("#tree .node-label").all_inner_texts() == ["经八北第1网格"]
    click_map_at(page, 113.61005, 34.7175)  # the neighbouring grid, outside this user's scope
    page.wait_for_function("document.querySelector('#locate-result').textContent.includes('不在')")
    screenshot(page, "console-grid-member")
