"""The desk forms: a record created for a person found by a registry search (in scope only) and
edited; a rented house created with its landlord, a lease, a tenant, the police registration and
moving out."""

import datetime

import pytest
from django.utils import timezone

from gridgov.lines.models import PopulationCategory, RentalHouse, SpecialRecord
from gridgov.lines.tests import populations_world as pw


@pytest.fixture
def world(tree, users):
    return pw.build(users, prefix="FM")


def _text(response) -> str:
    return response.content.decode()


def test_a_record_is_created_for_a_person_found_in_scope_and_edited(world, users, client_for):
    client = client_for(users["op_a"])
    person = world["person_a"]
    page = client.get("/lines/populations/new/")
    assert page.status_code == 200
    found = client.post("/lines/populations/new/", {"action": "search", "q": pw.NAME_A[:2]})
    assert person.name in _text(found) and f'value="{person.pk}"' in _text(found)
    # street B's people are never offered, nor accepted
    other = client.post("/lines/populations/new/", {"action": "search", "q": pw.NAME_B[:2]})
    assert pw.NAME_B not in _text(other)
    youth = PopulationCategory.objects.get(code="key_youth")
    mental = PopulationCategory.objects.get(code="mental")
    refused = client.post(
        "/lines/populations/new/",
        {"action": "save", "person": world["person_b"].pk, "category": mental.pk, "risk_level": 1},
    )
    assert (
        refused.status_code == 200
        and not SpecialRecord.objects.filter(person=world["person_b"], category=mental).exists()
    )
    saved = client.post(
        "/lines/populations/new/",
        {
            "action": "save",
            "person": person.pk,
            "category": youth.pk,
            "risk_level": 2,
            "guardian": "监护人甲",
            "period_start": "2026-01-01",
            "responsible": users["member_a"].pk,
        },
    )
    record = SpecialRecord.objects.get(person=person, category=youth)
    assert saved.status_code == 302 and saved["Location"] == f"/lines/populations/{record.pk}/"
    assert record.risk_level == 2 and record.responsible == users["member_a"]
    assert record.area_code == person.area_code
    edit = client.get(f"/lines/populations/{record.pk}/edit/")
    assert edit.status_code == 200 and "监护人甲" in _text(edit)
    done = client.post(
        f"/lines/populations/{record.pk}/edit/",
        {"guardian": "监护人乙", "period_start": "2026-01-01", "period_end": "2025-01-01"},
    )
    assert done.status_code == 200  # ends before it starts: shown, not saved
    done = client.post(
        f"/lines/populations/{record.pk}/edit/",
        {"guardian": "监护人乙", "assistance_group": "社区帮教小组"},
    )
    record.refresh_from_db()
    assert done.status_code == 302 and record.guardian == "监护人乙"
    assert client.get(f"/lines/populations/{world['record_b'].pk}/edit/").status_code == 404


def test_a_rental_with_lease_and_tenants_is_kept_on_the_desk(world, users, client_for):
    client = client_for(users["op_a"])
    # a second house of A's building, not yet rented
    house = world["house_a"].building.houses.exclude(pk=world["house_a"].pk).first()
    found = client.post("/lines/rentals/new/", {"action": "search", "house_q": house.code})
    assert f'value="{house.pk}"' in _text(found)
    assert world["house_b"].code not in _text(
        client.post("/lines/rentals/new/", {"action": "search", "house_q": "FM-B"})
    )
    saved = client.post(
        "/lines/rentals/new/",
        {
            "action": "save",
            "house": house.pk,
            "landlord_person": world["person_a"].pk,
            "max_occupants": 3,
            "duty_signed_on": "2026-10-01",
        },
    )
    rental = RentalHouse.objects.get(house=house)
    assert saved.status_code == 302 and saved["Location"] == f"/lines/rentals/{rental.pk}/edit/"
    assert rental.landlord_person == world["person_a"] and rental.max_occupants == 3
    url = f"/lines/rentals/{rental.pk}/edit/"
    today = timezone.localdate()
    assert (
        client.post(
            url, {"action": "lease", "start": today.isoformat(), "end": "2027-12-31"}
        ).status_code
        == 302
    )
    assert rental.leases.count() == 1
    tenant_person = world["tenant_a"].person
    assert (
        client.post(
            url,
            {
                "action": "tenant",
                "person": tenant_person.pk,
                "moved_in": today.isoformat(),
                "permit_expiry": (today + datetime.timedelta(days=100)).isoformat(),
            },
        ).status_code
        == 302
    )
    tenant = rental.tenants.get()
    assert tenant.police_registered_on is None
    client.post(url, {"action": "police", "tenant": tenant.pk, "on": today.isoformat()})
    tenant.refresh_from_db()
    assert tenant.police_registered_on == today and tenant.checked_by == users["op_a"]
    client.post(url, {"action": "move_out", "tenant": tenant.pk})
    tenant.refresh_from_db()
    assert tenant.moved_out is not None
    # another house's tenant is not this page's to change
    other = world["tenant_a"]
    client.post(url, {"action": "move_out", "tenant": other.pk})
    other.refresh_from_db()
    assert other.moved_out is None
    page = client.get(url)
    assert page.status_code == 200 and "2027-12-31" in _text(page)
    changed = client.post(
        url, {"action": "save", "landlord_person": world["person_a"].pk, "max_occupants": 5}
    )
    rental.refresh_from_db()
    assert changed.status_code == 302 and rental.max_occupants == 5
    assert client.get(f"/lines/rentals/{world['rental_b'].pk}/edit/").status_code == 404
