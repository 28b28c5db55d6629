"""At desk size, a street operator creates a special-population record for a person found in the
registry, then a rented house with its landlord, a lease and a tenant."""

import pytest
from django.utils import timezone

from gridgov.conftest import browser_login, screenshot
from gridgov.lines.models import PopulationCategory, RentalHouse, SpecialRecord
from gridgov.lines.tests import populations_world as pw

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_desk_creates_a_record_and_a_rental(live_server, users, browser_page):
    world = pw.build(users, prefix="DF")
    person = world["person_a"]
    youth = PopulationCategory.objects.get(code="key_youth")
    page = browser_page
    base = live_server.url
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, base, "op_a", "pw-op_a")

    page.goto(f"{base}/lines/populations/")
    page.click("a[href='/lines/populations/new/']")
    page.fill("input[name=q]", pw.NAME_A[:2])
    page.select_option("select[name=category]", str(youth.pk))
    page.click("button[name=action][value=search]")
    page.wait_for_load_state("networkidle")
    page.check(f"input[name=person][value='{person.pk}']")
    page.fill("input[name=risk_level]", "2")
    page.fill("input[name=guardian]", "社区监护人")
    page.fill("input[name=d_school]", "第一中学")
    screenshot(page, "populations-forms-1-new-record")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")
    record = SpecialRecord.objects.get(person=person, category=youth)
    assert page.url.endswith(f"/lines/populations/{record.pk}/")
    assert record.details == {"school": "第一中学"} and record.risk_level == 2
    screenshot(page, "populations-forms-2-record")

    house = world["house_a"].building.houses.exclude(pk=world["house_a"].pk).first()
    page.goto(f"{base}/lines/rentals/")
    page.click("a[href='/lines/rentals/new/']")
    page.fill("input[name=house_q]", house.code)
    page.fill("input[name=person_q]", pw.NAME_A[:2])
    page.click("button[name=action][value=search] >> nth=0")
    page.wait_for_load_state("networkidle")
    page.check(f"input[name=house][value='{house.pk}']")
    page.check(f"input[name=landlord_person][value='{person.pk}']")
    page.fill("input[name=max_occupants]", "3")
    screenshot(page, "populations-forms-3-new-rental")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")
    rental = RentalHouse.objects.get(house=house)
    assert page.url.endswith(f"/lines/rentals/{rental.pk}/edit/")

    today = timezone.localdate().isoformat()
    page.fill("#lease-form input[name=start]", today)
    page.fill("#lease-form input[name=end]", "2027-12-31")
    page.click("#lease-form button[name=action][value=lease]")
    page.wait_for_load_state("networkidle")
    assert rental.leases.count() == 1
    tenant = world["tenant_a"].person
    page.fill("#tenant-form input[name=tenant_q]", tenant.name[:2])
    page.click("#tenant-form button[name=action][value=tenant_search]")
    page.wait_for_load_state("networkidle")
    page.check(f"#tenant-form input[name=person][value='{tenant.pk}']")
    page.fill("#tenant-form input[name=moved_in]", today)
    page.fill("#tenant-form input[name=permit_expiry]", "2027-06-30")
    page.click("#tenant-form button[name=action][value=tenant]")
    page.wait_for_load_state("networkidle")
    assert rental.tenants.filter(person=tenant).exists()
    screenshot(page, "populations-forms-4-rental")
