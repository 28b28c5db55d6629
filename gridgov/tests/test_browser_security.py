"""In Chromium: the main pages run under the Content-Security-Policy without one violation, and
an area named like a script stays text on the console map and the cockpit."""

import importlib

import pytest
from django.apps import apps as django_apps

from gridgov.areas.models import Area
from gridgov.assessment.models import Scheme
from gridgov.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYLOAD = "<img src=x onerror=alert(1)>"

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || ""));
});
"""


@pytest.fixture
def schemes(transactional_db):
    """The seeded assessment schemes (the cockpit needs one), put back when a live-server test
    before this one flushed them."""
    if not Scheme.objects.exists():
        seed = importlib.import_module("gridgov.assessment.migrations.0002_seed_schemes")
        seed.load(django_apps, None)


def watch(page) -> dict:
    """Record CSP violations (event and console), dialogs and page errors."""
    seen: dict = {"console": [], "dialogs": [], "errors": []}
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda m: seen["console"].append(m.text) if "Content Security Policy" in m.text else None,
    )

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def test_main_pages_have_no_csp_violations(live_server, schemes, tree, users, strict_browser_page):
    page = strict_browser_page
    seen = watch(page)
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.wait_for_selector("#map[data-loaded='16']")
    assert violations(page) == []
    for path, ready in [
        ("/cases/", "main"),
        ("/cases/map/", "#case-map-full.leaflet-container"),
        ("/cases/report/", "#report-map.leaflet-container"),
        ("/registry/people/", "main"),
        ("/assessment/", "main"),
        ("/accounts/users/", "main"),
        ("/accounts/account/", "main"),
        ("/areas/import/", "main"),
        (f"/areas/{tree.grids[0].code}/boundary/", "#boundary-map.leaflet-container"),
        ("/no/such/page/", "#error-404"),
        ("/api/v1/docs", "#swagger-ui .information-container"),
    ]:
        page.goto(live_server.url + path)
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
    page.goto(live_server.url + "/no/such/page/")
    screenshot(page, "error-404")
    page.goto(f"{live_server.url}/cockpit/?area={tree.district.code}")
    page.wait_for_selector("body[data-loaded]", state="attached")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    # The language menu submits itself by a listener of the static script, not inline code.
    page.goto(live_server.url + "/cases/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert "Cases" in page.inner_text(".mainnav")
    assert violations(page) == [] and seen["console"] == []


def hover_every_shape(page, container: str) -> int:
    """Move the mouse over each shape of a Leaflet map so its tooltip opens; returns how many
    tooltips were shown."""
    shown = page.evaluate(
        """(sel) => {
          let n = 0;
          document.querySelectorAll(sel + " path.leaflet-interactive").forEach((p) => {
            const r = p.getBoundingClientRect();
            const at = { bubbles: true, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2 };
            p.dispatchEvent(new MouseEvent("mouseover", at));
            p.dispatchEvent(new MouseEvent("mousemove", at));
            n += document.querySelectorAll(sel + " .leaflet-tooltip").length ? 1 : 0;
            p.dispatchEvent(new MouseEvent("mouseout", at));
          });
          return n;
        }""",
        container,
    )
    return shown


def assert_nothing_injected(page, seen) -> None:
    assert page.locator("img[src='x']").count() == 0
    assert seen["dialogs"] == [] and seen["errors"] == []


def test_an_area_named_like_a_script_stays_text(live_server, schemes, tree, users, browser_page):
    grid = tree.grids[0]
    # The street, one of its communities and one grid (names are unique among siblings).
    Area.objects.filter(code__in=[grid.code[:9], grid.code[:12], grid.code]).update(name=PAYLOAD)
    page = browser_page
    seen = watch(page)
    browser_login(page, live_server.url, "district", "pw-district")
    page.wait_for_selector("#map[data-loaded='16']")
    assert hover_every_shape(page, "#map") >= 1
    # The locator's popup names the grid too.
    point = page.evaluate(
        "(() => { const p = window.gridgovMap.latLngToContainerPoint([34.7175, 113.605]);"
        " return [p.x, p.y]; })()"
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector(".leaflet-popup-content")
    assert PAYLOAD in page.inner_text(".leaflet-popup-content")
    assert PAYLOAD in page.inner_text("#locate-result")
    assert_nothing_injected(page, seen)
    screenshot(page, "xss-console")

    page.goto(f"{live_server.url}/cockpit/?area={grid.code[:9]}")
    page.wait_for_selector(f"body[data-loaded='{grid.code[:9]}']", state="attached")
    page.wait_for_load_state("networkidle")
    assert PAYLOAD in page.inner_text("#crumbs")
    assert hover_every_shape(page, "#ck-map") >= 1
    for chart in ("chart-ranking", "chart-classes"):
        box = page.locator(f"#{chart}").bounding_box()
        for y in range(10, int(box["height"]), 15):
            page.mouse.move(box["x"] + box["width"] / 3, box["y"] + y)
    assert_nothing_injected(page, seen)
    assert violations(page) == []
    screenshot(page, "xss-cockpit")
