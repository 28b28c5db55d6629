"""Registry corrections from the phone: applied when the version is current, a conflict when a
desk edit came first, the same UUID applied once, both resolutions, rights and scope."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.accounts.system import SETUP, system_user
from gridgov.audit import retention
from gridgov.audit.models import ChangeLog
from gridgov.mobile import services_corrections as corrections
from gridgov.mobile.models import Correction, CorrectionState
from gridgov.registry import services as registry
from gridgov.registry.models import House, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tree, users):
    """A house in member_a's grid with a household of two."""
    grid = tree.grids[0]
    building = registry.save_building(
        {
            "code": "B-FLD-1",
            "name": "幸福里1号楼",
            "lon": grid.label_lon,
            "lat": grid.label_lat,
            "units": 1,
            "floors": 1,
            "rooms_per_floor": 1,
        },
        actor=users["op_a"],
    )
    registry.generate_houses(building, actor=users["op_a"])
    house = House.objects.get(building=building)
    head, _ = registry.save_person(
        {
            "name": "李秀英",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
            "registration": "registered",
            "occupation": "教师",
        },
        actor=users["op_a"],
        house=house,
    )
    household = registry.create_household(house, head, actor=users["op_a"])
    return {"house": house, "person": head, "household": household}


def _submit(actor, record, values, *, kind="person", version=None, cid=None):
    return corrections.submit_correction(
        actor=actor,
        correction_id=cid or uuid.uuid4(),
        kind=kind,
        record_id=record.pk,
        base_version=version or record.updated_at,
        values=values,
    )


def test_a_current_correction_is_applied_through_the_registry(home, users):
    person = home["person"]
    correction, created = _submit(
        users["member_a"], person, {"phone": "13900139000", "occupation": "退休"}
    )
    assert created and correction.state == CorrectionState.APPLIED
    person.refresh_from_db()
    assert person.phone == "13900139000" and person.occupation == "退休"
    log = ChangeLog.objects.filter(object_type="registry.person", object_id=str(person.pk))
    assert log.filter(actor_name="member_a").exists()
    # The new number is sealed in the correction row and shown masked.
    assert correction.values["phone"] != "13900139000" and correction.phone == "13900139000"


def test_a_house_and_moving_out(home, users):
    house, person = home["house"], home["person"]
    _submit(users["member_a"], house, {"use": "shop", "state": "rented"}, kind="house")
    house.refresh_from_db()
    assert (house.use, house.state) == ("shop", "rented")
    _submit(users["member_a"], person, {"moved_out": True})
    person.refresh_from_db()
    assert person.current_house_id is None


def test_a_stale_correction_becomes_a_conflict(home, users):
    person = home["person"]
    seen = person.updated_at
    data = {k: getattr(person, k) for k in ("name", "id_number", "phone", "registration")}
    registry.save_person({**data, "occupation": "工程师"}, actor=users["op_a"], person=person)
    correction, created = _submit(users["member_a"], person, {"occupation": "退休"}, version=seen)
    assert created and correction.state == CorrectionState.CONFLICT
    person.refresh_from_db()
    assert person.occupation == "工程师"  # never silently over the desk edit
    assert correction.desk_values == {"occupation": "工程师"}
    assert correction.desk_changed_by == "op_a" and correction.desk_changed_at is not None


def test_the_same_uuid_twice_is_applied_once(home, users):
    person, cid = home["person"], uuid.uuid4()
    first, created = _submit(users["member_a"], person, {"occupation": "退休"}, cid=cid)
    person.refresh_from_db()
    again, created_again = _submit(
        users["member_a"], person, {"occupation": "退休"}, cid=cid, version=first.base_version
    )
    assert created and not created_again and again.pk == first.pk
    assert again.state == CorrectionState.APPLIED
    assert Correction.objects.count() == 1
    assert (
        ChangeLog.objects.filter(
            object_type="registry.person", object_id=str(person.pk), actor_name="member_a"
        ).count()
        == 1
    )
    with pytest.raises(PermissionDenied):  # someone else's UUID
        _submit(users["op_a"], person, {"occupation": "x"}, cid=cid)


def _conflict(home, users, value="退休"):
    person = home["person"]
    seen = person.updated_at
    registry.update_house(home["house"], actor=users["op_a"], use="office")
    data = {k: getattr(person, k) for k in ("name", "id_number", "registration")}
    registry.save_person({**data, "occupation": "工程师"}, actor=users["op_a"], person=person)
    return _submit(
        users["member_a"], person, {"occupation": value, "phone": "13700137000"}, version=seen
    )[0]


def test_resolve_by_applying_mine(home, users):
    correction = _conflict(home, users)
    done = corrections.resolve_conflict(correction, actor=users["member_a"], keep="mine")
    assert done.state == CorrectionState.MINE and done.resolved_by == users["member_a"]
    person = Person.objects.get(pk=home["person"].pk)
    assert person.occupation == "退休" and person.phone == "13700137000"
    assert ChangeLog.objects.filter(
        object_type="mobile.correction", object_id=str(correction.pk), action="update"
    ).exists()
    with pytest.raises(ValidationError):
        corrections.resolve_conflict(done, actor=users["member_a"], keep="desk")


def test_resolve_by_keeping_the_desk(home, users):
    correction = _conflict(home, users)
    done = corrections.resolve_conflict(correction, actor=users["member_a"], keep="desk")
    assert done.state == CorrectionState.DESK
    assert Person.objects.get(pk=home["person"].pk).occupation == "工程师"


def test_fields_not_allowed_and_bad_values_are_refused(home, users):
    for values in ({"id_number": "110105194912310038"}, {"name": "x"}, {}, {"use": "shop"}):
        with pytest.raises(ValidationError):
            _submit(users["member_a"], home["person"], values)
    with pytest.raises(ValidationError):
        _submit(users["member_a"], home["house"], {"use": "castle"}, kind="house")
    with pytest.raises(ValidationError):
        _submit(users["member_a"], home["person"], {"phone": "12ab"})
    assert not Correction.objects.exists()


def test_rights_and_scope(home, users):
    # Street B's operator cannot reach street A's records; nothing is stored.
    with pytest.raises(PermissionDenied):
        _submit(users["op_b"], home["person"], {"occupation": "x"})
    correction = _conflict(home, users)
    with pytest.raises(PermissionDenied):
        corrections.resolve_conflict(correction, actor=users["op_b"], keep="desk")


# --- the API -----------------------------------------------------------------------------------


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_api_applies_and_replays(home, users, client_for):
    client = client_for(users["member_a"])
    person = home["person"]
    body = {
        "id": str(uuid.uuid4()),
        "kind": "person",
        "record_id": person.pk,
        "base_version": person.updated_at.isoformat(),
        "values": {"employer": "街道卫生院"},
    }
    first = _post(client, "/api/v1/phone/corrections", body)
    assert first.status_code == 201, first.content
    assert first.json()["state"] == "applied"
    again = _post(client, "/api/v1/phone/corrections", body)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Person.objects.get(pk=person.pk).employer == "街道卫生院"


def test_api_conflict_list_and_resolve(home, users, client_for):
    client = client_for(users["member_a"])
    person = home["person"]
    seen = person.updated_at - datetime.timedelta(seconds=5)
    body = {
        "id": str(uuid.uuid4()),
        "kind": "person",
        "record_id": person.pk,
        "base_version": seen.isoformat(),
        "values": {"occupation": "退休", "phone": "13700137000"},
    }
    answer = _post(client, "/api/v1/phone/corrections", body).json()
    assert answer["state"] == "conflict"
    assert answer["values"]["phone"] == "137****7000"
    assert answer["desk_values"] == {"occupation": "教师", "phone": "138****8000"}
    listed = client.get("/api/v1/phone/conflicts").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    # Others: street B sees nothing, and cannot resolve.
    other = client_for(users["op_b"])
    assert other.get("/api/v1/phone/conflicts").json()["count"] == 0
    url = f"/api/v1/phone/conflicts/{body['id']}/resolve"
    assert _post(other, url, {"keep": "mine"}).status_code == 404
    done = _post(client, url, {"keep": "mine"})
    assert done.status_code == 200 and done.json()["state"] == "mine"
    assert Person.objects.get(pk=person.pk).occupation == "退休"
    assert client.get("/api/v1/phone/conflicts").json()["count"] == 0


def test_api_refuses_fields_not_allowed(home, users, client_for):
    client = client_for(users["member_a"])
    person = home["person"]
    body = {
        "id": str(uuid.uuid4()),
        "kind": "person",
        "record_id": person.pk,
        "base_version": person.updated_at.isoformat(),
        "values": {"id_number": "110105194912310038"},
    }
    answer = _post(client, "/api/v1/phone/corrections", body)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert _post(client, "/api/v1/phone/corrections", {**body, "values": "x"}).status_code == 422


def test_pages(home, users, client_for):
    member = client_for(users["member_a"])
    html = member.get(f"/m/data/households/{home['household'].pk}/").content.decode()
    assert "m-correct" in html and "李秀英" not in html
    assert "13800138000" not in html and "11010519491231002X" not in html
    correction = _conflict(home, users)
    page = member.get("/m/conflicts/").content.decode()
    assert "m-conflict" in page and "工程师" in page and "退休" in page
    home_page = member.get("/m/").content.decode()
    assert "/m/conflicts/" in home_page
    desk = client_for(users["op_a"]).get("/m/conflicts/").content.decode()
    assert str(correction.pk) in desk
    response = member.post(f"/m/conflicts/{correction.pk}/resolve/", {"keep": "desk"})
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.state == CorrectionState.DESK


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def test_retention_removes_settled_corrections_and_keeps_open_conflicts(home, users, settings):
    applied = _submit(users["member_a"], home["person"], {"occupation": "教师"})[0]
    conflict = _conflict(home, users)
    resolved = corrections.resolve_conflict(
        _conflict(home, users, value="司机"), actor=users["member_a"], keep="desk"
    )
    long_ago = timezone.now() - _days(91)
    Correction.objects.update(created_at=long_ago)
    Correction.objects.filter(pk=resolved.pk).update(resolved_at=long_ago)
    recent = _submit(users["member_a"], home["person"], {"employer": "某公司"})[0]

    removed = retention.apply(acting_user=system_user(SETUP))
    assert removed["mobile.correction"] == 2
    assert set(Correction.objects.values_list("pk", flat=True)) == {conflict.pk, recent.pk}
    assert not Correction.objects.filter(pk__in=[applied.pk, resolved.pk]).exists()
    Correction.objects.filter(pk=recent.pk).update(created_at=timezone.now() - _days(40))
    assert retention.apply(acting_user=system_user(SETUP))["mobile.correction"] == 0  # 90 days
    settings.GRIDGOV_RETENTION_DAYS = {"mobile.correction": 0}  # below the minimum: 30 days
    assert retention.apply(acting_user=system_user(SETUP))["mobile.correction"] == 1
    assert list(Correction.objects.values_list("pk", flat=True)) == [conflict.pk]
