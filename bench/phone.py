"""The phone app on a slow mobile network: Chromium at 390×844, throttled through the DevTools
protocol to 400 kbit/s down and up with 400 ms round trips, a signed-in grid member. Median of 5
navigations until the to-do list is rendered, with an empty cache (a fresh browser context) and
from the cache (the service worker's copy of the shell), plus the shell's compressed size and
the offline bundle's size.

    .venv/bin/python bench/phone.py            # 5 runs each
    .venv/bin/python bench/phone.py --smoke    # 2 runs each

The member's grid is one of the test tree's (a few cases, no registry rows), so the bundle figure
is a floor; bench/positions.py measures the bundle of a full demo grid.
"""

import gzip
import os
import shutil
import statistics
import sys
import time

from _setup import ROOT, SMOKE, free_port, throwaway

RUNS = 2 if SMOKE else 5
KBIT = 400
RTT_MS = 400
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-bench-member"  # noqa: S105 (a throw-away account)

folder = throwaway("phone")
env = {
    **os.environ,
    "GRIDGOV_VAR_DIR": str(folder),
    "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
    "GRIDGOV_DEBUG": "0",
    "GRIDGOV_LOG_LEVEL": "ERROR",
    "GRIDGOV_REQUIRE_2FA": "0",
    "DJANGO_SETTINGS_MODULE": "gridgov.settings",
    "PYTHONPATH": str(ROOT),
}
os.environ.update(env)
sys.path.insert(0, str(ROOT))
from gridgov.tests.migrated import migrated_database  # noqa: E402

# a copy of the migrated database this code makes (made once, kept in var/migrated)
shutil.copyfile(migrated_database(), folder / "bench.sqlite3")
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from gridgov.accounts.models import ForceType  # noqa: E402
from gridgov.accounts.permissions import Role  # noqa: E402
from gridgov.accounts.services import assign_staff, create_user  # noqa: E402
from gridgov.accounts.system import SETUP, system_user  # noqa: E402
from gridgov.areas.testing import build_tree  # noqa: E402
from gridgov.cases import services as cases  # noqa: E402
from gridgov.mobile.views import SHELL_STATIC  # noqa: E402


def prepare() -> str:
    call_command("migrate", verbosity=0)
    grid = build_tree().grids[0]
    member = create_user(
        actor=system_user(SETUP),
        username="bench_member",
        password=PASSWORD,
        role=Role.GRID_MEMBER,
        scope_codes=[grid.code],
        full_name="测试网格员",
    )
    assign_staff(member, grid, ForceType.GRID_MEMBER, actor=system_user(SETUP))
    for i in range(5):
        cases.report_case(
            actor=member,
            channel="grid_member",
            description=f"测试问题{i}",
            lon=grid.label_lon,
            lat=grid.label_lat,
        )
    return grid.code


def sizes() -> dict[str, float]:
    """The shell compressed (gzip -9 of the shell files and the to-do page) and the bundle."""
    from django.contrib.staticfiles import finders

    client = Client()
    client.login(username="bench_member", password=PASSWORD)
    total = 0
    for name in SHELL_STATIC:
        path = finders.find(name)
        with open(path, "rb") as f:
            data = f.read()
        total += len(data) if name.endswith(".png") else len(gzip.compress(data, 9))
    total += len(gzip.compress(client.get("/m/").content, 9))
    total += len(gzip.compress(client.get("/m/manifest.webmanifest").content, 9))
    total += len(gzip.compress(client.get("/m/sw.js").content, 9))
    bundle = client.get("/api/v1/phone/bundle").content
    return {
        "phone_shell_kb": total / 1024,
        "offline_bundle_kb": len(bundle) / 1024,
        "offline_bundle_gzip_kb": len(gzip.compress(bundle, 9)) / 1024,
    }


def serve(port: int):
    """The platform in a thread of this process (Django's threaded WSGI server, static files
    through WhiteNoise as in production)."""
    import threading

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), Quiet)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "bench_member")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def throttle(context, page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = KBIT * 1000 / 8
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": RTT_MS,
            "downloadThroughput": rate,
            "uploadThroughput": rate,
            "connectionType": "cellular3g",
        },
    )


def load_time(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector("#m-todo", state="attached")
    page.wait_for_load_state("domcontentloaded")
    # A tab tap answers: the tab bar is there and its links are live.
    page.wait_for_selector(".m-tabs a[href='/m/report/']")
    return time.perf_counter() - started


def measure() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    prepare()
    figures = sizes()
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    first, repeat = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--headless", "--disable-gpu"],
            )
            for _ in range(RUNS):
                context = browser.new_context(viewport=PHONE, locale="zh-CN")
                page = context.new_page()
                sign_in(page, base)  # unthrottled; the desk's files are not the phone's
                throttle(context, page)
                first.append(load_time(page, f"{base}/m/"))
                page.wait_for_function(
                    "navigator.serviceWorker.getRegistration('/m/')"
                    ".then(r => !!(r && r.active && r.active.state === 'activated'))",
                    timeout=60_000,
                )
                repeat.append(load_time(page, f"{base}/m/"))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    figures["phone_first_load_s"] = statistics.median(first)
    figures["phone_repeat_load_s"] = statistics.median(repeat)
    return figures


def main() -> None:
    figures = measure()
    print(f"network: {KBIT} kbit/s, {RTT_MS} ms round trip, 390x844, median of {RUNS}")
    print(f"BENCH phone_first_load_s {figures['phone_first_load_s']:.2f} s")
    print(f"BENCH phone_repeat_load_s {figures['phone_repeat_load_s']:.2f} s")
    print(f"BENCH phone_shell_kb {figures['phone_shell_kb']:.1f} KB")
    print(f"BENCH offline_bundle_kb {figures['offline_bundle_kb']:.1f} KB")


if __name__ == "__main__":
    main()
