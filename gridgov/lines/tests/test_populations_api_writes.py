"""API writes of special-population records and rented houses: the desk forms' fields and
checks, the same services and rights, 201/200/400/403/404/409/422, the change log."""

import dataclasses
import datetime
import json

import pytest
from django.utils import timezone

from gridgov.audit.models import AccessLog, ChangeLog
from gridgov.lines.forms_populations import RecordForm
from gridgov.lines.models import PopulationCategory, RentalHouse, SpecialRecord
from gridgov.lines.services.populations import RecordFacts
from gridgov.lines.tests import populations_world as pw
from gridgov.registry.models import House


@pytest.fixture
def world(tree, users):
    return pw.build(users, prefix="AW")


def _send(client, method: str, url: str, body) -> tuple[int, dict]:
    response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
    return response.status_code, json.loads(response.content)


def test_the_form_and_the_services_share_one_list_of_facts():
    names = {f.name for f in dataclasses.fields(RecordFacts)} - {"details"}
    assert names <= set(RecordForm.base_fields)


def test_a_record_is_created_and_patched_through_the_api(world, users, client_for):
    op_a = client_for(users["op_a"])
    drug = PopulationCategory.objects.get(code="drug")
    body = {
        "person": world["person_a"].pk,
        "category": drug.pk,
        "risk_level": 1,
        "guardian": "监护人乙",
        "period_start": "2026-01-01",
        "details": {"agreement_number": "K-7", "unknown": "dropped"},
        "responsible": users["member_a"].pk,
    }
    status, made = _send(op_a, "post", "/api/v1/lines/populations", body)
    assert status == 201, made
    record = SpecialRecord.objects.get(pk=made["id"])
    assert made["name"] == pw.NAME_A and made["category_id"] == drug.pk
    assert made["details"] == {"agreement_number": "K-7"} and made["guardian"] == "监护人乙"
    assert record.responsible == users["member_a"] and record.area_code == made["area_code"]
    assert ChangeLog.objects.filter(
        object_type="lines.specialrecord", object_id=str(record.pk), action="create"
    ).exists()
    assert AccessLog.objects.filter(subject_id=str(record.pk)).exists()  # the answer is a read
    # the same person and category again: a conflict; the desk's checks answer 400
    assert _send(op_a, "post", "/api/v1/lines/populations", body)[0] == 409
    status, refused = _send(
        op_a, "post", "/api/v1/lines/populations", body | {"person": world["person_b"].pk}
    )
    assert status == 400 and "person" in refused["details"]
    status, refused = _send(
        op_a,
        "post",
        "/api/v1/lines/populations",
        body
        | {"category": PopulationCategory.objects.get(code="correction").pk}
        | {"period_end": "2025-01-01"},
    )
    assert status == 400 and "period_end" in refused["details"], refused
    assert (
        _send(op_a, "post", "/api/v1/lines/populations", body | {"guardian": "x" * 101})[0] == 422
    )
    assert _send(op_a, "post", "/api/v1/lines/populations", body | {"nickname": "x"})[0] == 422
    member = client_for(users["member_a"])  # no special-population right
    assert _send(member, "post", "/api/v1/lines/populations", body)[0] == 403

    # PATCH: the fields sent change, the others keep their values
    url = f"/api/v1/lines/populations/{record.pk}"
    status, patched = _send(op_a, "patch", url, {"guardian": "监护人丙"})
    assert status == 200 and patched["guardian"] == "监护人丙"
    assert patched["details"] == {"agreement_number": "K-7"}
    assert patched["period_start"] == "2026-01-01"
    assert patched["responsible"] == str(users["member_a"])
    assert ChangeLog.objects.filter(object_id=str(record.pk), action="update").exists()
    stale = made["updated_at"]
    status, refused = _send(op_a, "patch", url, {"guardian": "x", "updated_at": stale})
    assert status == 409 and refused["code"] == "conflict"
    status, patched = _send(
        op_a, "patch", url, {"assistance_group": "社区民警", "updated_at": patched["updated_at"]}
    )
    assert status == 200 and patched["assistance_group"] == "社区民警"
    assert _send(op_a, "patch", url, {"period_end": "2020-01-01"})[0] == 400
    assert _send(op_a, "patch", url, {"risk_level": 3})[0] == 422  # through its own route
    other = f"/api/v1/lines/populations/{world['record_b'].pk}"
    assert _send(op_a, "patch", other, {"guardian": "x"})[0] == 404
    assert _send(member, "patch", url, {"guardian": "x"})[0] == 403


def test_a_rented_house_is_created_with_leases_and_tenants_and_changed(world, users, client_for):
    op_a = client_for(users["op_a"])
    house = (
        House.objects.filter(building=world["house_a"].building)
        .exclude(pk=world["house_a"].pk)
        .order_by("pk")
        .first()
    )
    today = timezone.localdate()
    body = {
        "house": house.pk,
        "landlord_person": world["person_a"].pk,
        "max_occupants": 3,
        "leases": [{"start": str(today), "end": str(today + datetime.timedelta(days=365))}],
        "tenants": [{"person": world["person_a"].pk, "moved_in": str(today)}],
    }
    refused = _send(op_a, "post", "/api/v1/lines/rentals", body | {"landlord_person": None})
    assert refused[0] == 400 and "landlord" in refused[1]["details"]
    bad_tenant = body | {"tenants": [{"person": world["person_b"].pk, "moved_in": str(today)}]}
    assert _send(op_a, "post", "/api/v1/lines/rentals", bad_tenant)[0] == 400
    assert not RentalHouse.objects.filter(house=house).exists()  # all or nothing
    status, made = _send(op_a, "post", "/api/v1/lines/rentals", body)
    assert status == 201, made
    assert made["house_code"] == house.code and made["max_occupants"] == 3
    assert made["landlord"] == pw.NAME_A[0] + "**"
    assert [t["name"] for t in made["tenants"]] == [pw.NAME_A[0] + "**"]
    assert len(made["leases"]) == 1 and made["risk_colour"] == "green"
    assert _send(op_a, "post", "/api/v1/lines/rentals", body)[0] == 409  # already rented
    assert ChangeLog.objects.filter(object_type="lines.rentalhouse", action="create").exists()

    url = f"/api/v1/lines/rentals/{made['id']}"
    status, patched = _send(op_a, "patch", url, {"max_occupants": 5})
    assert status == 200 and patched["max_occupants"] == 5
    assert patched["landlord_person_id"] == world["person_a"].pk
    status, refused = _send(
        op_a, "patch", url, {"max_occupants": 6, "updated_at": made["updated_at"]}
    )
    assert status == 409
    assert _send(op_a, "patch", url, {"max_occupants": 0})[0] == 422
    assert _send(op_a, "patch", url, {"landlord_person": world["person_b"].pk})[0] == 400

    lease = {"start": "2027-01-01", "end": "2026-01-01"}
    assert _send(op_a, "post", f"{url}/leases", lease)[0] == 400
    status, out = _send(op_a, "post", f"{url}/leases", {"start": "2027-01-01", "end": "2027-12-31"})
    assert status == 201 and len(out["leases"]) == 2
    tenant = {"person": world["person_a"].pk, "moved_in": str(today), "permit_expiry": "2027-06-01"}
    status, out = _send(op_a, "post", f"{url}/tenants", tenant)
    assert status == 201 and len(out["tenants"]) == 2
    tenant_id = out["tenants"][0]["id"]
    status, out = _send(
        op_a, "patch", f"{url}/tenants/{tenant_id}", {"police_registered_on": str(today)}
    )
    assert status == 200
    assert {t["police_registered_on"] for t in out["tenants"] if t["id"] == tenant_id} == {
        str(today)
    }
    assert _send(op_a, "patch", f"{url}/tenants/{tenant_id}", {})[0] == 400
    status, out = _send(op_a, "patch", f"{url}/tenants/{tenant_id}", {"moved_out": str(today)})
    assert status == 200 and [t["moved_out"] for t in out["tenants"] if t["id"] == tenant_id] == [
        str(today)
    ]
    # street B's house is not found, neither its tenants through street A's house
    other = f"/api/v1/lines/rentals/{world['rental_b'].pk}"
    assert op_a.get(other).status_code == 404
    assert _send(op_a, "patch", other, {"max_occupants": 2})[0] == 404
    assert (
        _send(op_a, "post", f"{other}/leases", {"start": "2027-01-01", "end": "2027-12-31"})[0]
        == 404
    )
    assert (
        _send(op_a, "patch", f"{url}/tenants/{world['tenant_b'].pk}", {"moved_out": str(today)})[0]
        == 404
    )
    assert op_a.get(url).status_code == 200


def test_a_foreigners_stay_is_recorded_and_registered_through_the_api(world, users, client_for):
    op_a = client_for(users["op_a"])
    body = {
        "person": world["person_a"].pk,
        "nationality": "Freedonia",
        "arrived_at": "2026-11-01T10:00:00+08:00",
        "rental": world["rental_a"].pk,
    }
    status, made = _send(op_a, "post", "/api/v1/lines/foreigners", body)
    assert status == 201, made
    assert made["name"] == pw.NAME_A[0] + "**" and made["registered_at"] is None
    assert made["registration_late"] and made["area_code"] == world["person_a"].area_code
    assert _send(op_a, "post", "/api/v1/lines/foreigners", body | {"nationality": ""})[0] == 422
    refused = _send(
        op_a, "post", "/api/v1/lines/foreigners", body | {"rental": world["rental_b"].pk}
    )
    assert refused[0] == 400 and "rental" in refused[1]["details"]
    refused = _send(
        op_a, "post", "/api/v1/lines/foreigners", body | {"person": world["person_b"].pk}
    )
    assert refused[0] == 400 and "person" in refused[1]["details"]
    member = client_for(users["member_a"])  # no foreign-affairs right
    assert _send(member, "post", "/api/v1/lines/foreigners", body)[0] == 403
    url = f"/api/v1/lines/foreigners/{made['id']}/registration"
    when = "2026-11-01T20:00:00+08:00"
    status, registered = _send(op_a, "post", url, {"registered_at": when})
    assert status == 200 and registered["registration_late"] is False
    assert ChangeLog.objects.filter(object_type="lines.foreignerstay", action="update").exists()
    other = f"/api/v1/lines/foreigners/{world['stay_b'].pk}/registration"
    assert _send(op_a, "post", other, {})[0] == 404


def test_a_foreigners_stay_is_corrected_through_the_api(world, users, client_for):
    """PATCH lays the fields sent over the stay (null clears), as the desk form: a leaving date
    before the arrival is refused (400), another street's stay is not there (404), the member
    without the foreign-affairs right is refused (403); the change is logged."""
    op_a = client_for(users["op_a"])
    stay = world["stay_a"]
    url = f"/api/v1/lines/foreigners/{stay.pk}"
    arrived = timezone.localtime(stay.arrived_at).date()
    status, out = _send(op_a, "patch", url, {"visa_expiry": str(arrived + datetime.timedelta(400))})
    assert status == 200, out
    assert out["visa_expiry"] == str(arrived + datetime.timedelta(400))
    assert out["nationality"] == stay.nationality and out["left_on"] is None
    before = _send(op_a, "patch", url, {"left_on": str(arrived - datetime.timedelta(1))})
    assert before[0] == 400 and "left_on" in before[1]["details"]
    assert _send(op_a, "patch", url, {"nationality": None})[0] == 400
    assert _send(op_a, "patch", url, {"rental": world["rental_b"].pk})[0] == 400
    assert _send(op_a, "patch", url, {"colour": "red"})[0] == 422
    status, out = _send(op_a, "patch", url, {"left_on": str(arrived), "rental": None})
    assert status == 200 and out["left_on"] == str(arrived)
    stay.refresh_from_db()
    assert stay.left_on == arrived and stay.rental is None
    assert ChangeLog.objects.filter(object_type="lines.foreignerstay", action="update").exists()
    other = f"/api/v1/lines/foreigners/{world['stay_b'].pk}"
    assert _send(op_a, "patch", other, {"left_on": str(arrived)})[0] == 404
    assert _send(client_for(users["member_a"]), "patch", url, {})[0] == 403
    # the district reaches street B's stay (the 404 above is the scope, not the route)
    assert _send(client_for(users["district"]), "patch", other, {})[0] == 200
