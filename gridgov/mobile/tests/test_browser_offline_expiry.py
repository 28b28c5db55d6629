"""The phone keeps its copies of the member's pages and grid for 14 days without reaching the
server, and no longer: offline on day 13 the kept page opens; offline past day 14 the copies
are gone (the issue: the cache is cleared after 14 days offline)."""

import pytest
from playwright.sync_api import Error

from gridgov.conftest import browser_login
from gridgov.mobile.tests.test_browser_mobile import (
    CACHED_PATHS,
    PHONE,
    until,
    wait_for_worker,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DAY_MS = 24 * 3600 * 1000
BUNDLE = "/api/v1/phone/bundle"


def last_online(page, days_ago: int) -> None:
    """What the service worker noted when it last reached the server, moved back in time."""
    page.evaluate(f"GridOutbox.setMeta('online_at', Date.now() - {days_ago} * {DAY_MS})")


def test_copies_are_kept_13_days_offline_and_dropped_after_14(
    live_server, tree, users, strict_browser_page
):
    page = strict_browser_page
    page.set_viewport_size(PHONE)
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/m/")
    wait_for_worker(page)
    page.goto(f"{live_server.url}/m/data/")
    until(page, f"{CACHED_PATHS}.then(p => p.includes('/m/data/'))")

    page.context.set_offline(True)
    last_online(page, 13)
    page.goto(f"{live_server.url}/m/")  # the kept copy
    page.wait_for_selector("#m-todo", state="attached")
    assert page.evaluate(f"fetch('{BUNDLE}').then(r => r.ok)")  # the kept bundle
    assert "/m/data/" in page.evaluate(CACHED_PATHS)

    # Past 14 days, the next request that misses the network drops every copy. Asked from this
    # page, which stays open to look into the cache.
    last_online(page, 15)
    assert page.evaluate(f"fetch('{BUNDLE}').then(() => 'answered', () => 'failed')") == "failed"
    assert page.evaluate(CACHED_PATHS) == []
    with pytest.raises(Error):
        page.goto(f"{live_server.url}/m/data/")
