"""The departments settings pages (职能部门) and `update_department`: rights, scope, change log,
search and paging; and the grid force types named as Chinese practice names them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gridgov.accounts.models import Department, ForceType
from gridgov.accounts.services import create_department, update_department
from gridgov.areas.models import Area
from gridgov.areas.testing import STREET_A, STREET_B
from gridgov.audit.models import ChangeAction, ChangeLog


@pytest.fixture
def departments(users):
    street_a = Area.objects.get(code=STREET_A)
    street_b = Area.objects.get(code=STREET_B)
    return {
        "a": create_department(
            actor=users["op_a"], code="A-CG", name="经八路城管科", level="street", area=street_a
        ),
        "b": create_department(
            actor=users["op_b"], code="B-CG", name="花园路城管科", level="street", area=street_b
        ),
    }


def test_update_department_is_scoped_rights_checked_and_logged(users, departments):
    street_b = Area.objects.get(code=STREET_B)
    with pytest.raises(PermissionDenied):
        update_department(departments["b"], actor=users["op_a"], name="占领")
    with pytest.raises(PermissionDenied):  # nor may A move its own department onto B's ground
        update_department(departments["a"], actor=users["op_a"], area=street_b)
    with pytest.raises(PermissionDenied):
        update_department(departments["a"], actor=users["leader"], name="x")
    with pytest.raises(ValidationError):
        update_department(departments["a"], actor=users["op_a"], code="B-CG")
    assert Department.objects.get(pk=departments["b"].pk).name == "花园路城管科"

    update_department(departments["a"], actor=users["op_a"], phone="0371-1234", active=False)
    moved = update_department(departments["a"], actor=users["district"], area=street_b)
    assert moved.area_code == STREET_B and not moved.active
    logs = ChangeLog.objects.filter(
        object_id=str(departments["a"].pk), action=ChangeAction.UPDATE
    ).order_by("pk")
    assert (logs[0].before["phone"], logs[0].after["phone"]) == ("", "0371-1234")
    assert (
        logs[1].before["area_id"] != logs[1].after["area_id"] and logs[1].actor == users["district"]
    )


def test_create_department_needs_the_right_and_the_area_in_scope(users):
    with pytest.raises(PermissionDenied):
        create_department(
            actor=users["op_a"],
            code="X",
            name="x",
            level="street",
            area=Area.objects.get(code=STREET_B),
        )
    with pytest.raises(PermissionDenied):
        create_department(
            actor=users["member_a"],
            code="X",
            name="x",
            level="street",
            area=Area.objects.get(code=STREET_A),
        )


def test_a_street_operator_creates_edits_and_finds_departments(users, departments, client_for):
    client = client_for(users["op_a"])
    street_a = Area.objects.get(code=STREET_A)
    form = {"code": "A-SW", "name": "经八路水务站", "level": "street", "area": street_a.pk}
    created = client.post("/accounts/departments/new/", {**form, "line": "供水", "active": "on"})
    assert created.status_code == 302
    water = Department.objects.get(code="A-SW")
    assert water.area_code == STREET_A and water.line == "供水" and water.active
    taken = client.post("/accounts/departments/new/", {**form, "active": "on"})
    assert taken.status_code == 200 and "A-SW" in taken.content.decode()
    assert Department.objects.filter(code="A-SW").count() == 1

    edited = client.post(f"/accounts/departments/{water.pk}/", {**form, "phone": "12345"})
    assert edited.status_code == 302
    water.refresh_from_db()
    assert water.phone == "12345" and not water.active
    assert ChangeLog.objects.filter(object_id=str(water.pk), action=ChangeAction.UPDATE).exists()

    found = client.get("/accounts/departments/", {"q": "水务"}).content.decode()
    assert "经八路水务站" in found and "经八路城管科" not in found and "花园路城管科" not in found


def test_the_department_list_pages(users, client_for):
    street_a = Area.objects.get(code=STREET_A)
    for n in range(55):
        create_department(
            actor=users["admin"],
            code=f"A-{n:02d}",
            name=f"部门{n:02d}",
            level="street",
            area=street_a,
        )
    client = client_for(users["district"])
    first = client.get("/accounts/departments/").content.decode()
    second = client.get("/accounts/departments/", {"page": 2}).content.decode()
    assert "部门00" in first and "部门54" not in first
    assert "部门54" in second and "部门00" not in second


def test_departments_pages_and_nav_follow_the_right(users, client_for):
    for who, status in (("admin", 200), ("district", 200), ("op_a", 200), ("leader", 403)):
        client = client_for(users[who])
        assert client.get("/accounts/departments/").status_code == status, who
        nav = client.get("/registry/people/").content.decode().split("</nav>")[0]
        assert ('href="/accounts/departments/"' in nav) == (status == 200), who
    member = client_for(users["member_a"])
    assert member.get("/accounts/departments/new/").status_code == 403


def test_grid_supervisor_and_instructor_are_force_types(db):
    with translation.override("zh-hans"):
        labels = {value: str(label) for value, label in ForceType.choices}
    assert labels["supervisor"] == "网格督导员"
    assert labels["monitor"] == "网格监督员"
    assert labels["instructor"] == "网格指导员"
