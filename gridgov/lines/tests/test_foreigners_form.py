"""The desk form of a foreigner's stay: the person found by a registry search (in scope only),
the arrival read in local time, the rented house found by its code; editing records the police
registration (its warning resolved) and the departure; bad input shows the form again."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from gridgov.audit.models import ChangeLog
from gridgov.lines.models import ForeignerStay, LedgerWarning, WarningKind
from gridgov.lines.services import rentals
from gridgov.lines.tests import populations_world as pw

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(tree, users):
    return pw.build(users, prefix="FF")


def test_a_stay_is_created_and_edited_on_the_desk(world, users, client_for):
    desk = client_for(users["op_a"])
    person = world["tenant_a"].person
    assert desk.get("/lines/foreigners/new/").status_code == 200
    found = desk.post(
        "/lines/foreigners/new/",
        {"action": "search", "person_q": person.name, "rental_q": world["house_a"].code},
    ).content.decode()
    assert f'value="{person.pk}"' in found and f'value="{world["rental_a"].pk}"' in found
    other = desk.post("/lines/foreigners/new/", {"action": "search", "person_q": pw.NAME_B[:2]})
    assert pw.NAME_B not in other.content.decode()
    # street B's person is refused as a choice; a missing arrival is asked again
    for bad in ({"person": world["person_b"].pk}, {"person": person.pk, "arrived_at": ""}):
        answer = desk.post(
            "/lines/foreigners/new/",
            {"action": "save", "nationality": "Utopia", "arrived_at": "2026-11-20T21:30"} | bad,
        )
        assert answer.status_code == 200 and "errorlist" in answer.content.decode()
    assert not ForeignerStay.objects.filter(nationality="Utopia").exists()
    made = desk.post(
        "/lines/foreigners/new/",
        {
            "action": "save",
            "person": person.pk,
            "rental": world["rental_a"].pk,
            "nationality": "Utopia",
            "arrived_at": "2026-11-20T21:30",
            "visa_expiry": "2027-05-01",
        },
    )
    assert made.status_code == 302 and made["Location"] == "/lines/foreigners/"
    stay = ForeignerStay.objects.get(nationality="Utopia")
    assert stay.arrived_at == datetime.datetime(2026, 11, 20, 21, 30, tzinfo=TZ)
    assert stay.rental == world["rental_a"] and stay.registered_at is None
    assert f"/lines/foreigners/{stay.pk}/edit/" in desk.get("/lines/foreigners/").content.decode()

    # the job warns of the missing registration; recording it on the edit form resolves it
    rentals.sweep_rentals()
    assert LedgerWarning.objects.filter(
        kind=WarningKind.POLICE_UNREGISTERED, subject_id=stay.pk, resolved_at__isnull=True
    ).exists()
    page = desk.get(f"/lines/foreigners/{stay.pk}/edit/").content.decode()
    assert 'value="2026-11-20T21:30"' in page  # shown in local time
    saved = desk.post(
        f"/lines/foreigners/{stay.pk}/edit/",
        {
            "action": "save",
            "rental": world["rental_a"].pk,
            "nationality": "Utopia",
            "arrived_at": "2026-11-20T21:30",
            "registered_at": "2026-11-21T09:15",
            "visa_expiry": "2027-05-01",
            "left_on": "2026-11-19",  # before the arrival: refused
        },
    )
    assert saved.status_code == 200 and "errorlist" in saved.content.decode()
    saved = desk.post(
        f"/lines/foreigners/{stay.pk}/edit/",
        {
            "action": "save",
            "rental": "",
            "nationality": "Utopia",
            "arrived_at": "2026-11-20T21:30",
            "registered_at": "2026-11-21T09:15",
            "visa_expiry": "2027-05-01",
        },
    )
    assert saved.status_code == 302
    stay.refresh_from_db()
    assert stay.registered_at == datetime.datetime(2026, 11, 21, 9, 15, tzinfo=TZ)
    assert stay.rental is None
    assert not LedgerWarning.objects.filter(
        kind=WarningKind.POLICE_UNREGISTERED, subject_id=stay.pk, resolved_at__isnull=True
    ).exists()
    assert ChangeLog.objects.filter(
        object_type="lines.foreignerstay", object_id=str(stay.pk), action="update"
    ).exists()
    # street B's stay is not found; a member without the foreign-affairs right is refused
    assert desk.get(f"/lines/foreigners/{world['stay_b'].pk}/edit/").status_code == 404
    member = client_for(users["member_a"])
    assert member.get(f"/lines/foreigners/{stay.pk}/edit/").status_code == 403
