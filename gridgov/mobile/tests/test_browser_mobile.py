"""The phone app in Chromium at 390×844: install-ready (manifest, active service worker), and a
report with a photo and a voice note made while offline that is sent once when the network
returns."""

import io
import time

import pytest
from PIL import Image

from gridgov.cases import services as cases
from gridgov.cases.models import Case, Status
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (fixture)
from gridgov.conftest import browser_login, screenshot
from gridgov.mobile import services as uploads

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def big_photo(path) -> None:
    """A 12-megapixel-sized noisy photo (4000×3000), far over the phone's 500 KB limit."""
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())


def until(page, expression: str, timeout_s: float = 15) -> None:
    """Poll an expression with evaluate (the pages' policy forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(100)


def wait_for_worker(page) -> None:
    until(
        page,
        "navigator.serviceWorker.getRegistration('/m/')"
        ".then(r => !!(r && r.active && r.active.state === 'activated'))",
    )


def test_install_ready_and_an_offline_report_arrives_once(
    monkeypatch,
    live_server,
    taxonomy,  # noqa: F811 (the categories, put back when a live-server test before flushed them)
    tree,
    users,
    strict_browser_page,
    tmp_path,
):
    grid = tree.grids[0]
    lon, lat = grid.label_lon, grid.label_lat
    waiting, _ = cases.report_case(
        actor=users["op_a"],
        channel="grid_member",
        description="路灯不亮，已维修待核查",
        title="路灯不亮",
        lon=lon,
        lat=lat,
    )
    Case.objects.filter(pk=waiting.pk).update(status=Status.HANDLED)
    photo = tmp_path / "photo.jpg"
    big_photo(photo)

    page = strict_browser_page
    page.set_viewport_size(PHONE)
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/m/")
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/m/"
    wait_for_worker(page)
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    assert page.locator("#m-badge-todo").inner_text() == "1"
    assert page.locator("#m-outbox-pill").is_hidden()
    screenshot(page, "mobile-home")

    page.goto(f"{live_server.url}/m/report/")
    page.fill("#m-cat-search", "井盖")
    page.locator(".m-cat-item").first.click()
    page.fill("#m-description", "井盖松动，行人踩上去会翻转")
    page.evaluate(
        f"document.getElementById('m-lon').value = '{lon}';"
        f"document.getElementById('m-lat').value = '{lat}';"
    )
    page.set_input_files("#m-photo", str(photo))
    until(page, "document.getElementById('m-photo-info').textContent.includes('KB')")
    info = page.inner_text("#m-photo-info")
    width, height = (int(v) for v in info.split(" ")[0].split("×"))
    assert max(width, height) == 2048
    page.click(".m-voice-record")
    # Two whole seconds of the fake microphone: at half a second a loaded machine had given the
    # recorder no audio yet (273 bytes, the container's header).
    until(page, "document.querySelector('.m-voice-info').textContent.includes('● 2 s')")
    page.click(".m-voice-record")
    until(page, "document.querySelector('.m-voice-info').textContent.includes('KB')")
    assert page.locator(".m-voice-player").is_visible()
    screenshot(page, "mobile-report-voice")

    page.context.set_offline(True)
    page.click("#m-send")
    page.wait_for_selector("#m-report-ok:not([hidden])")
    assert page.inner_text("#m-outbox-count") == "1"
    assert Case.objects.filter(description__startswith="井盖松动").count() == 0

    page.goto(f"{live_server.url}/m/me/")  # from the service worker's copy
    page.wait_for_selector("#m-outbox .m-outbox-item")
    screenshot(page, "mobile-outbox")

    # The photo goes in 64 KB chunks; the connection drops during the second one. The server
    # (in this process) notes each chunk it gets: none twice, so the upload went on, not again.
    cut, arrived = [], []
    append = uploads.append_chunk

    def noted(**kwargs):
        arrived.append(kwargs["offset"])
        return append(**kwargs)

    monkeypatch.setattr(uploads, "append_chunk", noted)

    def cut_once(route):
        second = route.request.headers.get("upload-offset") == "65536"
        if route.request.method == "PUT" and second and not cut:
            cut.append(True)
            route.abort("connectionreset")
            return
        route.continue_()

    # The context's routes also see the service worker's requests (Background Sync sends too).
    page.context.route("**/api/v1/uploads/**", cut_once)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    until(page, "document.getElementById('m-outbox-pill').hidden", 30)
    assert cut and arrived[:2] == [0, 65536], arrived
    assert len(arrived) == len(set(arrived)) and arrived == sorted(arrived)
    made = Case.objects.filter(description__startswith="井盖松动")
    assert made.count() == 1
    case = made.get()
    assert case.category is not None and case.category.code.startswith("C01")
    attachment = case.attachments.get()
    assert attachment.width <= 2048 and attachment.height <= 2048 and attachment.size <= 500 * 1024
    voice = case.voice_notes.get()
    assert voice.content_type == "audio/webm" and voice.size > 1000

    # Sending again (another start of the app) makes nothing twice.
    page.evaluate("GridApp.send()")
    page.reload()
    assert made.count() == 1 and case.attachments.count() == 1 and case.voice_notes.count() == 1


CACHED_PATHS = (
    "caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('gridgov-'))"
    ".map(n => caches.open(n).then(c => c.keys()))))"
    ".then(lists => lists.flat().map(r => new URL(r.url).pathname))"
)


def test_a_revoked_session_drops_the_phones_copies_of_the_grid(
    live_server, tree, users, strict_browser_page
):
    """The member's password is changed on the desk (or the account disabled): the next time the
    phone reaches the server, its copies of the member's pages and grid bundle go, the shell stays."""
    from gridgov.accounts.services import set_password

    page = strict_browser_page
    page.set_viewport_size(PHONE)
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/m/")
    wait_for_worker(page)
    page.goto(f"{live_server.url}/m/data/")
    until(page, "!document.getElementById('m-bundle-figures').hidden")
    until(page, f"{CACHED_PATHS}.then(p => p.includes('/api/v1/phone/bundle'))")
    before = page.evaluate(CACHED_PATHS)
    assert "/m/" in before and "/m/data/" in before
    static_before = {p for p in before if p.startswith("/static/")}
    assert static_before

    set_password(users["member_a"], "Another-pw-2026!", actor=users["admin"])

    page.goto(f"{live_server.url}/m/")
    assert "/accounts/login" in page.url
    until(page, f"{CACHED_PATHS}.then(p => !p.includes('/m/data/'))")
    after = page.evaluate(CACHED_PATHS)
    assert not [p for p in after if not p.startswith("/static/")], after
    assert set(after) == static_before
