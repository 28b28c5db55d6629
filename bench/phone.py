"""The phone app on a slow mobile network: Chromium at 390×844, throttled through the DevTools
protocol to 400 kbit/s down and up with 400 ms round trips, a signed-in grid member. Median of 5
navigations until the to-do list is rendered, with an empty cache (a fresh browser context) and
from the cache (the service worker's copy of the shell), plus the shell's compressed size and
the offline bundle's size.

    .venv/bin/python bench/phone.py            # 5 runs each
    .venv/bin/python bench/phone.py --smoke    # 2 runs each

The member's grid is filled like a city grid: 12 buildings of 48 houses, 450 households with
their heads, 30 places and 30 open cases (bulk-loaded; the cases through the services). The
offline bundle is timed as the API answers it, p95 of 20 (5 at --smoke): a full answer, and the 304 of an
unchanged grid (which still builds the bundle to compare its ETag).
"""

import gzip
import os
import shutil
import statistics
import sys
import time

from _setup import ROOT, SMOKE, free_port, throwaway

RUNS = 2 if SMOKE else 5
BUNDLE_RUNS = 5 if SMOKE else 20
BUILDINGS, HOUSES_PER_BUILDING, HOUSEHOLDS, PLACES, CASES = 12, 48, 450, 30, 30
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
    fill_grid(grid)
    for i in range(CASES):
        cases.report_case(
            actor=member,
            channel="grid_member",
            description=f"测试问题{i}",
            lon=grid.label_lon,
            lat=grid.label_lat,
        )
    return grid.code


def fill_grid(grid) -> None:
    """Buildings, houses, households with their heads and places in the member's grid."""
    from django.db import transaction

    from gridgov.registry.models import Building, House, Household, Person, Place
    from gridgov.warnings.sql import insert_rows

    code = grid.code
    with transaction.atomic():
        Building.objects.bulk_create(
            Building(
                code=f"{code}B{b:03d}",
                name=f"{b + 1}号楼",
                address=f"测试路{b + 1}号",
                units=2,
                floors=6,
                rooms_per_floor=4,
                lon=grid.label_lon + 0.0002 * b,
                lat=grid.label_lat,
                area_code=code,
            )
            for b in range(BUILDINGS)
        )
        buildings = list(Building.objects.filter(area_code=code).order_by("code"))
        House.objects.bulk_create(
            House(
                building=b,
                code=f"{b.code}-{unit}-{floor}0{room}",
                unit=unit,
                floor=floor,
                room=f"{floor}0{room}",
                area_code=code,
            )
            for b in buildings
            for unit in (1, 2)
            for floor in range(1, 7)
            for room in range(1, 5)
        )
        houses = list(House.objects.filter(area_code=code).order_by("code"))
        first = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        surnames = "王李张刘陈杨赵黄周吴"
        insert_rows(
            Person,
            ["name", "sex", "registration", "area_code"],
            [(f"{surnames[i % 10]}住户{i}", "M", "local", code) for i in range(HOUSEHOLDS)],
        )
        heads = list(
            Person.objects.filter(pk__gte=first).order_by("pk").values_list("pk", flat=True)
        )
        Household.objects.bulk_create(
            Household(number=f"{code}H{i:04d}", house=houses[i], head_id=heads[i], area_code=code)
            for i in range(HOUSEHOLDS)
        )
        Place.objects.bulk_create(
            Place(
                name=f"测试场所{i}",
                kind="place",
                lon=grid.label_lon,
                lat=grid.label_lat + 0.0001 * i,
                area_code=code,
            )
            for i in range(PLACES)
        )


def bundle_times(client) -> dict[str, float]:
    """p95 of 20 full answers of the bundle and of 20 answers 304 (ms; 5 each at --smoke)."""
    full, unchanged = [], []
    etag = ""
    for _ in range(BUNDLE_RUNS):
        started = time.perf_counter()
        answer = client.get("/api/v1/phone/bundle")
        full.append((time.perf_counter() - started) * 1000)
        etag = answer["ETag"]
    for _ in range(BUNDLE_RUNS):
        started = time.perf_counter()
        answer = client.get("/api/v1/phone/bundle", HTTP_IF_NONE_MATCH=etag)
        unchanged.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 304
    at = max(0, round(0.95 * BUNDLE_RUNS) - 1)
    return {"offline_bundle_ms": sorted(full)[at], "offline_bundle_304_ms": sorted(unchanged)[at]}


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
    bundle = client.get("/api/v1/phone/bundle").json()
    body = client.get("/api/v1/phone/bundle").content
    assert len(bundle["households"]) == HOUSEHOLDS and len(bundle["cases"]) == CASES
    return {
        "phone_shell_kb": total / 1024,
        "offline_bundle_kb": len(body) / 1024,
        # as sent to a phone that takes gzip (as every browser does)
        "offline_bundle_gzip_kb": len(
            client.get("/api/v1/phone/bundle", HTTP_ACCEPT_ENCODING="gzip").content
        )
        / 1024,
        **bundle_times(client),
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


def tap_time(page) -> float:
    """A tap on the report tab until its form is there (the page comes from the network first,
    the service worker's copy when the network fails)."""
    started = time.perf_counter()
    page.click(".m-tabs a[href='/m/report/']")
    page.wait_for_selector("#m-report #m-send", state="attached")
    page.wait_for_load_state("domcontentloaded")
    return time.perf_counter() - started


def measure() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    prepare()
    figures = sizes()
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    first, repeat, taps = [], [], []
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
                taps.append(tap_time(page))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    figures["phone_first_load_s"] = statistics.median(first)
    figures["phone_repeat_load_s"] = statistics.median(repeat)
    figures["phone_tab_tap_s"] = statistics.median(taps)
    return figures


def main() -> None:
    figures = measure()
    print(f"network: {KBIT} kbit/s, {RTT_MS} ms round trip, 390x844, median of {RUNS}")
    print(f"BENCH phone_first_load_s {figures['phone_first_load_s']:.2f} s")
    print(f"BENCH phone_repeat_load_s {figures['phone_repeat_load_s']:.2f} s")
    print(f"BENCH phone_tab_tap_s {figures['phone_tab_tap_s']:.2f} s")
    print(f"BENCH phone_shell_kb {figures['phone_shell_kb']:.1f} KB")
    print(f"BENCH offline_bundle_kb {figures['offline_bundle_kb']:.1f} KB")
    print(f"BENCH offline_bundle_gzip_kb {figures['offline_bundle_gzip_kb']:.1f} KB")
    print(f"BENCH offline_bundle_ms {figures['offline_bundle_ms']:.1f} ms")
    print(f"BENCH offline_bundle_304_ms {figures['offline_bundle_304_ms']:.1f} ms")


if __name__ == "__main__":
    main()
