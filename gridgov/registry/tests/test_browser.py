import pytest

from gridgov.conftest import browser_login, screenshot
from gridgov.registry import services
from gridgov.registry.identity import mask_id
from gridgov.registry.models import House
from gridgov.registry.tests.conftest import ID_A, ID_C

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def household(homes, users):
    """张三 heads a household in room 301 with her grandchild; some rooms have a known state."""
    house = homes["house_a"]
    grandchild, _ = services.save_person(
        {"name": "张小梅", "id_number": ID_C, "registration": "registered"},
        actor=users["admin"],
        house=house,
    )
    services.create_household(
        house, homes["person_a"], actor=users["admin"], members=[(grandchild, "孙女")]
    )
    services.tag_key_population(homes["person_a"], actor=users["admin"], category="elderly_alone")
    states = {"B-A-1-1-3-301": "owner", "B-A-1-1-2-201": "rented", "B-A-1-2-1-102": "vacant"}
    for code, state in states.items():
        services.update_house(House.objects.get(code=code), actor=users["admin"], state=state)
    services.update_house(
        House.objects.get(code="B-A-1-1-1-101"), actor=users["admin"], use="shop", state="business"
    )
    return {**homes, "grandchild": grandchild}


def test_a_grid_member_opens_the_building_table_and_a_household(
    live_server, household, browser_page
):
    page = browser_page
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/registry/buildings/")
    assert page.locator("table.table tbody tr").count() == 1  # only the member's grid
    page.click("text=经八小区1号楼")
    page.wait_for_selector("table.building-table")
    assert "楼盘表" in page.locator("h1").inner_text()
    assert page.locator("table.building-table button.room").count() == 12
    room = page.locator(f"button.room[data-house='{household['house_a'].pk}']")
    assert "state-owner" in room.get_attribute("class")
    # The room's colour comes from the stylesheet (owner-occupied: green).
    assert room.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(230, 244, 234)"
    assert room.inner_text().split() == ["301", "2"]  # two residents
    heights = page.eval_on_selector_all(
        "table.building-table button.room", "rooms => rooms.map(r => r.offsetHeight)"
    )
    assert len(set(heights)) == 1, heights  # rows of rooms line up
    screenshot(page, "registry-1-building-table")

    room.click()
    card = page.locator("#house-panel .house-card")
    card.wait_for()
    assert "B-A-1-1-3-301" in card.inner_text()
    household_rows = card.locator("table.household tr")
    assert [household_rows.nth(i).inner_text().split() for i in range(2)] == [
        ["张三", "本人"],
        ["张小梅", "孙女"],
    ]
    residents = card.locator("ul.residents li")
    assert residents.count() == 2
    text = card.inner_text()
    assert mask_id(ID_A) in text and ID_A not in text
    assert "独居老人" not in text  # a grid member is not told who is a key population
    screenshot(page, "registry-2-household")

    # The resident's link opens the person, masked.
    card.locator("ul.residents a", has_text="张小梅").click()
    page.wait_for_selector("#person-facts")
    assert page.locator("#id-number").inner_text() == mask_id(ID_C)


def test_a_street_operator_sees_key_populations_marked(live_server, household, browser_page):
    page = browser_page
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/registry/buildings/{household['building_a'].pk}/")
    room = page.locator(f"button.room[data-house='{household['house_a'].pk}']")
    assert room.locator("i.mark.key").count() == 1
    room.click()
    card = page.locator("#house-panel .house-card")
    card.wait_for()
    assert "独居老人" in card.locator(".key-note").inner_text()
    screenshot(page, "registry-3-operator-key-population")
