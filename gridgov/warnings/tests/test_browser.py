"""The district issues a red warning, a street forwards it, a grid member acknowledges it on the
phone, and the board shows it."""

import pytest

from gridgov.conftest import browser_login, screenshot
from gridgov.warnings.models import Kind, Receipt, Warning

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MEMBER = "grid_41010500100101"


def test_red_warning_down_the_tree_and_back_on_the_board(live_server, staff, users, browser_page):
    page = browser_page
    base = live_server.url

    # The district drafts, approves and issues on the desk.
    browser_login(page, base, "district", "pw-district")
    page.goto(f"{base}/warnings/new/")
    page.fill("input[name=event]", "暴雨")
    page.select_option("select[name=colour]", "red")
    page.fill("input[name=headline]", "暴雨红色预警")
    page.fill("textarea[name=instruction]", "停止户外作业，转移低洼地带群众")
    page.select_option("select[name=target_codes]", ["410105"])
    screenshot(page, "warnings-1-draft")
    page.click("form.wn-form button[type=submit]")
    page.click("#approve")
    page.click("#issue")
    page.wait_for_load_state("networkidle")
    warning = Warning.objects.get(kind=Kind.ALERT)
    assert warning.state == "issued"
    screenshot(page, "warnings-2-issued")

    # Street A forwards it with local instructions.
    page.context.clear_cookies()
    browser_login(page, base, "street_a", "pw-shared-123")
    page.goto(f"{base}/warnings/{warning.pk}/")
    page.select_option("select[name=area_code]", "410105001")
    page.fill("form[action$='/forward/'] textarea[name=instruction]", "各社区立即排查地下车库")
    page.click("#forward")
    page.wait_for_load_state("networkidle")
    assert Warning.objects.filter(kind=Kind.FORWARD, state="issued").exists()

    # A grid member acknowledges on the phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, base, MEMBER, "pw-shared-123")
    page.goto(f"{base}/warnings/mine/")
    button = page.locator("form[action$='/ack/'] button").first
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb's target
    screenshot(page, "warnings-3-phone-receipts")
    button.click()
    page.wait_for_load_state("networkidle")
    assert Receipt.objects.filter(user__username=MEMBER, acknowledged_at__isnull=False).exists()
    screenshot(page, "warnings-4-phone-acknowledged")

    # The district's board shows it.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, base, "district", "pw-district")
    page.goto(f"{base}/warnings/{warning.pk}/board/")
    cell = page.locator("tr[data-level='grid'] [data-key='acknowledged']")
    assert int(cell.inner_text()) >= 1
    screenshot(page, "warnings-5-board")

    # The cockpit lists it among the active warnings.
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/cockpit/")
    page.wait_for_selector("#active-warnings li.wn-red")
    screenshot(page, "warnings-6-cockpit")


def test_a_polygon_drawn_on_the_map_targets_the_grids_under_it(
    live_server, staff, users, browser_page
):
    """The issuer draws a rectangle over the district's streets; the draft keeps it as GeoJSON,
    the grids it touches become targets when it is issued, and the warning's page draws it."""
    from shapely.geometry import shape

    from gridgov.areas.models import Area, Level

    page = browser_page
    base = live_server.url
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, base, "district", "pw-district")
    page.goto(f"{base}/warnings/new/")
    page.wait_for_selector("#wn-map path.leaflet-interactive, #wn-map path")
    page.fill("input[name=event]", "大风")
    page.select_option("select[name=colour]", "yellow")
    page.fill("input[name=headline]", "大风黄色预警")
    page.click(".leaflet-pm-icon-rectangle")
    box = page.locator("#wn-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(cx - 60, cy - 40)
    page.mouse.move(cx + 20, cy + 30)
    page.mouse.click(cx + 60, cy + 40)
    drawn = page.input_value("textarea[name=polygons]")
    assert '"FeatureCollection"' in drawn  # the map wrote the shape into the field
    screenshot(page, "warnings-7-drawn-polygon")
    page.click("form.wn-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.click("#approve")
    page.click("#issue")
    page.wait_for_load_state("networkidle")
    warning = Warning.objects.get(headline="大风黄色预警")
    assert warning.state == "issued"
    assert len(warning.polygons) == 1 and warning.polygons[0]["type"] == "Polygon"
    drawn_shape = shape(warning.polygons[0])
    under = {
        g.code
        for g in Area.objects.filter(level=Level.GRID)
        if g.geometry and shape(g.geometry).intersects(drawn_shape)
    }
    assert under  # the rectangle lies over the district's grids
    targets = set(warning.targets.filter(from_polygon=True).values_list("code", flat=True))
    assert targets == under
    page.wait_for_selector("#wn-map path")
    assert page.locator("#wn-map path").count() >= 1  # the page draws the polygon again
    screenshot(page, "warnings-8-detail-map")
