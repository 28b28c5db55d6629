"""The desk's track playback reads the compact answer: the scrubber walks the fixes and shows each
fix's local clock time (Chromium)."""

import datetime

import pytest
from django.utils import timezone

from gridgov.conftest import browser_login, screenshot
from gridgov.patrol.services import tracks as services
from gridgov.patrol.tests.tracks_helpers import fixes_along, start_patrol

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_track_playback_shows_local_times(live_server, users, browser_page):
    page = browser_page
    page.set_default_timeout(60_000)  # a loaded machine answers the first pages slowly
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    member = users["member_a"]
    session = start_patrol(member)
    start = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    services.ingest(session, fixes_along(start, 20), actor=member)
    clock = [
        f"{timezone.localtime(start + datetime.timedelta(seconds=15 * i)):%H:%M:%S}"
        for i in range(20)
    ]

    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/patrol/tracks/")
    when = page.locator("[data-when]")
    assert when.text_content() == clock[0]
    assert page.locator("[data-scrub]").get_attribute("max") == "19"
    page.eval_on_selector(
        "[data-scrub]", "el => { el.value = '12'; el.dispatchEvent(new Event('input')); }"
    )
    assert when.text_content() == clock[12]
    page.click("[data-play]")
    page.wait_for_function(
        "(last) => document.querySelector('[data-when]').textContent === last", arg=clock[-1]
    )
    assert page.locator("[data-scrub]").input_value() == "19"
    screenshot(page, "tracks-playback")
    assert not errors
