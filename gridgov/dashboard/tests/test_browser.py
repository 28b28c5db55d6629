"""The cockpit in Chromium on a 1920×1080 wall and a 1366×768 laptop, with October's cases."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps

from gridgov.assessment.models import Scheme
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import (  # noqa: F401 (fixtures)
    TZ,
    loop,
    october,
    taxonomy,
)
from gridgov.conftest import browser_login, screenshot
from gridgov.dashboard.tests.test_cockpit_populations import foreign_stays
from gridgov.lines.tests import populations_world as pw
from gridgov.lines.tests.disputes_helpers import dispute

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = datetime.datetime(2026, 10, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def schemes(transactional_db):
    """The seeded schemes, put back when a live-server test before this one flushed them."""
    if not Scheme.objects.exists():
        seed = importlib.import_module("gridgov.assessment.migrations.0002_seed_schemes")
        seed.load(django_apps, None)


@pytest.fixture
def october_today(schemes, october, settings):  # noqa: F811
    """October's cases rolled up, with the server's clock on 20 October 2026 (ticking). The
    browser's clock stays real, so the session cookie must not carry an expiry date."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    with time_machine.travel(TODAY):
        roll_up()
        yield october


def kpi(page, key: str) -> str:
    return page.locator(f".kpi[data-key='{key}'] b").inner_text()


def is_loaded_street(page) -> None:
    page.wait_for_function("/^\\d{9}$/.test(document.body.dataset.loaded || '')")


def assert_fits(page) -> None:
    """Nothing spills out of the window, and every chart has drawn into its panel."""
    width, height = page.evaluate("[innerWidth, innerHeight]")
    scroll = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert scroll == [width, height], (scroll, width, height)
    for chart in ("chart-days", "chart-months", "chart-classes", "chart-funnel", "chart-ranking"):
        box = page.locator(f"#{chart} canvas").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 60, (chart, box)
    for panel in page.locator(".ck-panel").all():
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0, box
        assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1


def shot(page, name: str) -> None:
    """Let the charts finish animating, check the layout, and take the screenshot."""
    page.wait_for_timeout(1200)
    screenshot(page, name)
    assert_fits(page)


def test_the_cockpit_drills_from_the_district_to_a_street_and_back(
    live_server, october_today, browser_page
):
    world = pw.build(october_today)  # special populations (B lost contact), foreigners
    dispute(october_today["op_a"], "楼上漏水", "41010500100101")
    dispute(october_today["op_b"], "欠薪", "41010500200101")
    foreign_stays(october_today, world["house_a"])
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_server.url, "district", "pw-district")
    page.goto(f"{live_server.url}/cockpit/")
    page.wait_for_selector("body[data-loaded='410105']")
    page.wait_for_function(
        "document.querySelectorAll('#ck-map path.leaflet-interactive').length == 2"
    )
    assert kpi(page, "month_reports") == "5"
    assert kpi(page, "month_closed") == "3"
    assert kpi(page, "overdue") == "1"
    assert page.locator("#crumbs a").all_inner_texts() == ["金水区"]
    title_word = page.title().split(" · ")[0]
    assert title_word == "驾驶舱" and "金水区" in page.title()
    assert "金水区" in page.locator("#map-title").inner_text()
    assert page.locator("#rolled-at").inner_text()
    assert page.locator("#red-cards li").inner_text() == "无"
    assert page.locator("#map-legend div").count() == 6
    lines = page.locator("#lines [data-key]").all_inner_texts()
    assert len(lines) == 8 and lines[2].startswith("调解成功率")
    assert lines[6].startswith("本月按期整改")
    kinds, stages = page.locator("#lines-breakdown p").all_inner_texts()
    assert kinds == "纠纷类型分布邻里纠纷 2" and stages.startswith("纠纷办理阶段")
    pops = {
        k: page.locator(f"#pops [data-key={k}] b").inner_text()
        for k in ("popsTotal", "lostContact")
    }
    assert pops == {"popsTotal": "2", "lostContact": "1"}
    assert page.locator("#chart-pops canvas").count() == 1
    shot(page, "cockpit-1-district")

    # A click on a street on the map narrows the whole cockpit to it.
    page.locator("#ck-map path.leaflet-interactive").first.click()
    is_loaded_street(page)
    street = page.evaluate("document.body.dataset.loaded")
    assert street in ("410105001", "410105002")
    assert page.url.endswith(f"?area={street}")
    assert page.title().startswith(title_word + " · ")  # the page keeps its title when drilling
    assert page.locator("#crumbs a").count() == 2
    assert kpi(page, "month_reports") == {"410105001": "4", "410105002": "1"}[street]
    page.wait_for_function(
        "document.querySelectorAll('#ck-map path.leaflet-interactive').length == 2"
    )
    # Both communities have no open cases: one colour, one legend row.
    assert page.locator("#map-legend div").all_inner_texts() == ["0.0%"]
    shot(page, "cockpit-2-street")

    # The breadcrumb goes back up to the district.
    page.locator("#crumbs a").first.click()
    page.wait_for_selector("body[data-loaded='410105']")
    assert kpi(page, "month_reports") == "5"
    assert page.locator("#crumbs a").count() == 1
    assert page.title() == f"{title_word} · 金水区"
    shot(page, "cockpit-3-district-again")

    # A laptop: the same panels, smaller.
    page.set_viewport_size({"width": 1366, "height": 768})
    shot(page, "cockpit-4-laptop")

    # The foreign-affairs tab: the district's foreigners by nationality, registration, streets.
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.click("#tab-foreign")
    page.wait_for_selector("body[data-loaded='410105']")
    assert page.title().startswith("涉外驾驶舱")
    assert kpi(page, "total") == "5"
    assert kpi(page, "awaiting") == "2"  # arrived two hours ago, not registered yet
    assert (kpi(page, "unregistered"), kpi(page, "expired")) == ("1", "1")
    rows = page.locator("#areas-table tbody tr").all_inner_texts()
    assert [r.split("\t")[:2] for r in rows] == [["经八路街道", "4"], ["花园路街道", "1"]], rows
    page.wait_for_timeout(1200)
    screenshot(page, "cockpit-5-foreign")
    size = page.evaluate("[innerWidth, innerHeight]")
    root = "document.documentElement"
    assert page.evaluate(f"[{root}.scrollWidth, {root}.scrollHeight]") == size
    assert errors == []
