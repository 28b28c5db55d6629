"""Hotline entry at 1920×1080: the operator types the caller's number (earlier calls appear), the
caller's words and the address they name; the address found puts the case in its grid."""

import pytest

from gridgov.areas.models import Area
from gridgov.cases import services
from gridgov.cases.models import Case
from gridgov.conftest import browser_login, screenshot
from gridgov.registry import gazetteer_build
from gridgov.registry.models import Address

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = "13812345678"
ADDRESSES = [
    {"kind": "landmark", "name": "金水区人民医院", "lon": "113.606", "lat": "34.718"},
    {"kind": "landmark", "name": "花园路人民医院", "lon": "113.626", "lat": "34.718"},
    {"kind": "intersection", "name": "经八路与纬五路交叉口", "lon": "113.607", "lat": "34.717"},
]


def test_a_call_with_an_address_found_lands_in_its_grid(live_server, users, tree, browser_page):
    assert gazetteer_build.import_addresses(users["admin"], ADDRESSES, dry_run=False).written == 3
    hospital = Address.objects.get(name="金水区人民医院")
    earlier, _ = services.report_case(
        actor=users["op_a"],
        channel="hotline",
        description="上周反映的路灯问题",
        title="上周反映的路灯问题",
        lon=hospital.lon,
        lat=hospital.lat,
        reporter_phone=PHONE,
    )
    page = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/cases/hotline/")
    page.fill("input[name=caller_name]", "王先生")
    page.fill("input[name=caller_phone]", PHONE)
    page.wait_for_selector("#hl-history:not([hidden]) #hl-history-list li")
    assert earlier.number in page.inner_text("#hl-history-list")
    page.fill("textarea[name=description]", "医院门口的井盖松动了，晚上有人差点摔倒")
    page.fill("#hl-address-q", "金水区人民")
    page.wait_for_selector("#hl-address-hits:not([hidden]) .hl-hit")
    page.click(".hl-hit >> text=金水区人民医院")
    page.wait_for_function(
        "document.getElementById('hl-grid').textContent.includes('›')", timeout=10_000
    )
    chain = page.inner_text("#hl-grid")
    assert page.input_value("input[name=address]") == "金水区人民医院"
    screenshot(page, "hotline-entry-address-found")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert case.area_code == hospital.area_code and not case.needs_locating
    assert (round(case.lon, 5), round(case.lat, 5)) == (113.606, 34.718)
    assert case.reporter_phone == PHONE and case.channel == "hotline"
    grid = Area.objects.get(code=hospital.area_code)
    assert chain.endswith(grid.name) and grid.parent.name in chain  # names, not codes
