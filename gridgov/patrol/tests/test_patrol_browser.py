"""A patrol walked with the phone's (simulated) position becomes a track and a coverage: the
member starts the patrol at 390×844 (real time: the phone stamps its fixes), walks east across the grid, stops; the desk plays the track
back and draws the covered part of the grid (Chromium)."""

import pytest
from django.test import override_settings
from django.utils import timezone

from gridgov.conftest import browser_login, screenshot
from gridgov.patrol.models.tracks import PatrolSession, Position

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STEPS = 6
LAT = 34.7175  # the middle of the test grid (lon 113.60–113.61, lat 34.715–34.72)


@override_settings(GRIDGOV_PATROL_INTERVAL_S=1)
def test_a_patrol_on_the_phone_becomes_a_track_and_a_coverage(
    live_server, users, tree, browser_page
):
    page = browser_page
    page.set_default_timeout(60_000)
    base = live_server.url
    member = users["member_a"]
    grid = tree.grids[0]
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"longitude": 113.6020, "latitude": LAT, "accuracy": 8})
    browser_login(page, base, "member_a", "pw-member_a")
    page.goto(f"{base}/patrol/phone/")
    start = page.locator("[data-start]")
    assert start.bounding_box()["height"] >= 44
    links = page.locator(".patrol-links a")
    assert links.count() == 3  # my track, my grid's coverage, the tracker app
    assert all(links.nth(i).bounding_box()["height"] >= 44 for i in range(3))
    start.click()
    page.locator("[data-indicator]").wait_for(state="visible")
    # Walk east ≈ 9 m a step, one position a little over a second apart (the interval is 1 s).
    for step in range(1, STEPS + 1):
        page.wait_for_timeout(1_100)
        page.context.set_geolocation(
            {"longitude": 113.6020 + step * 0.0001, "latitude": LAT, "accuracy": 8}
        )
    page.wait_for_timeout(1_100)
    screenshot(page, "patrol-1-phone-tracking-on")
    page.locator("[data-stop]").click()
    page.locator("[data-start]").wait_for(state="visible")

    session = PatrolSession.objects.get(user=member)
    assert session.ended_at is not None
    stored = list(Position.objects.filter(session=session).order_by("fix_time"))
    assert len(stored) >= STEPS // 2, session.dropped
    assert stored[-1].lon > stored[0].lon  # walked east, in time order

    # The member's own track on the phone, in the phone's frame (tab bar), played back.
    day = timezone.localtime(stored[0].fix_time).date().isoformat()  # safe across midnight
    page.goto(f"{base}/patrol/phone/track/?day={day}")
    page.locator("#track-map canvas").first.wait_for()
    assert page.locator(".m-tabs a[aria-current=page]").inner_text().strip() == "巡查"
    play = page.locator("[data-play]")
    assert play.bounding_box()["height"] >= 44
    assert all(
        page.locator(".phone-track-days a").nth(i).bounding_box()["height"] >= 44
        for i in range(page.locator(".phone-track-days a").count())
    )
    play.click()
    page.wait_for_timeout(600)  # the map's zoom to the track, a few steps of the playback
    assert page.locator("[data-when]").inner_text().count(":") == 2  # a local clock time
    screenshot(page, "patrol-2a-phone-track")

    # The coverage of the member's grid on the phone, to plan the next walk.
    page.goto(f"{base}/patrol/phone/coverage/?period=day&day={day}")
    page.locator("#coverage-map canvas").first.wait_for()
    assert 0 < float(page.locator("[data-share]").inner_text().rstrip("%")) < 100
    chosen = page.locator(".phone-periods a[aria-current=page]")
    assert chosen.inner_text() == "日" and chosen.bounding_box()["height"] >= 44
    page.wait_for_timeout(400)
    screenshot(page, "patrol-3a-phone-coverage")

    # The track on the desk: the walked line on the map, and its distance.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/patrol/tracks/?day={day}")
    page.locator("#track-map canvas").first.wait_for()  # the maps draw on a canvas
    walked_m = float(page.locator("[data-distance]").inner_text().split()[0].replace(",", ""))
    assert walked_m > 20
    page.locator("[data-play]").click()
    page.wait_for_timeout(500)
    screenshot(page, "patrol-2-track-playback")

    # The coverage of the grid that day: a band along the walk, drawn on the map.
    page.goto(f"{base}/patrol/coverage/{grid.code}/?period=day&day={day}")
    share = float(page.locator("[data-share]").inner_text().rstrip("%"))
    assert page.locator("select[name=period] option:checked").inner_text() == "日"
    assert 0 < share < 100
    page.locator("#coverage-map canvas").first.wait_for()
    screenshot(page, "patrol-3-coverage-map")
