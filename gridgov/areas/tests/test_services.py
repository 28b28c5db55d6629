import json

import pytest
import shapely
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.models import StaffAssignment
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas import services
from gridgov.areas.models import Area, BoundaryVersion
from gridgov.audit.models import ChangeLog


def box(*bounds) -> dict:
    return json.loads(shapely.to_geojson(shapely.box(*bounds)))


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[113.60, 34.71], [113.605, 34.71], [113.605, 34.715], [113.60, 34.715], [113.60, 34.71]]
    ],
}


def test_create_checks_the_code_rule_and_logs(tree, users):
    # The new grid's ground is taken from grid 03 first (siblings must not overlap).
    services.set_boundary(
        tree.grid("41010500100103"), box(113.605, 34.71, 113.61, 34.715), actor=users["admin"]
    )
    area = services.create_area(
        services.AreaInput("41010500100105", "新网格", "grid", "410105001001", geometry=SQUARE),
        actor=users["op_a"],
    )
    assert area.area_km2 > 0
    log = ChangeLog.objects.get(object_type="areas.area", object_id=str(area.pk))
    assert (log.action, log.actor, log.area_code) == ("create", users["op_a"], area.code)
    with pytest.raises(ValidationError) as info:
        services.create_area(
            services.AreaInput("41010500200105", "x", "grid", "410105001001"), actor=users["op_a"]
        )
    assert "code" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.create_area(
            services.AreaInput("41010500100106", "新网格", "grid", "410105001001"),
            actor=users["op_a"],
        )


def test_a_street_operator_cannot_manage_another_street(tree, users):
    with pytest.raises(PermissionDenied):
        services.create_area(
            services.AreaInput("41010500200105", "x", "grid", "410105002001"), actor=users["op_a"]
        )
    with pytest.raises(PermissionDenied):
        services.update_area(tree.grid("41010500200101"), actor=users["op_a"], name="x")
    with pytest.raises(PermissionDenied):
        services.update_area(tree.grid("41010500100101"), actor=users["member_a"], name="x")


def test_update_logs_before_and_after(tree, users):
    grid = tree.grid("41010500100101")
    services.update_area(grid, actor=users["admin"], name="改名网格", risk="high")
    log = ChangeLog.objects.filter(object_id=str(grid.pk), action="update").get()
    assert log.before["name"] != log.after["name"] == "改名网格"
    assert set(log.changed_fields) == {"name", "risk"}


def test_boundary_change_keeps_the_former_boundary(tree, users):
    grid = tree.grid("41010500100101")
    old = grid.geometry
    services.set_boundary(grid, box(113.60, 34.715, 113.605, 34.72), actor=users["admin"])
    version = BoundaryVersion.objects.get(area=grid)
    assert version.geometry == old
    with pytest.raises(ValidationError):
        services.set_boundary(
            grid,
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            actor=users["admin"],
        )


def test_move_recodes_the_subtree_and_every_scoped_row(tree, users):
    community = Area.objects.get(code="410105001002")
    grid_codes = sorted(a.code for a in Area.objects.filter(parent=community))
    member_grid = Area.objects.get(code=grid_codes[0])
    from gridgov.accounts.models import ForceType
    from gridgov.accounts.services import assign_staff

    assign_staff(users["member_a"], member_grid, ForceType.VOLUNTEER, actor=system_user(SETUP))
    moved = services.move_area(community, Area.objects.get(code="410105002"), actor=users["admin"])
    assert moved.code == "410105002003"
    assert sorted(a.code for a in Area.objects.filter(parent=moved)) == [
        f"410105002003{c[-2:]}" for c in grid_codes
    ]
    assert (
        StaffAssignment.objects.filter(force_type=ForceType.VOLUNTEER)
        .get()
        .area_code.startswith("410105002003")
    )
    log = ChangeLog.objects.filter(action="move", object_type="areas.area").get()
    assert log.before["code"] == "410105001002" and log.after["code"] == "410105002003"


def test_move_refuses_wrong_levels_and_cycles(tree, users):
    street_b = Area.objects.get(code="410105002")
    with pytest.raises(ValidationError):
        services.move_area(tree.grid("41010500100101"), street_b, actor=users["admin"])
    with pytest.raises(ValidationError):
        services.move_area(street_b, Area.objects.get(code="410105002001"), actor=users["admin"])


def test_retire_keeps_rows_and_history(tree, users):
    community = Area.objects.get(code="410105001001")
    services.retire_area(community, actor=users["admin"], note="合并")
    assert Area.objects.filter(code__startswith="410105001001", valid_to__isnull=False).count() == 5
    assert Area.objects.active().filter(code__startswith="410105001001").count() == 0
    with pytest.raises(ValidationError):
        services.update_area(community, actor=users["admin"], name="x")
    # The retired name may be used again by a new sibling.
    services.create_area(
        services.AreaInput("410105001003", community.name, "community", "410105001"),
        actor=users["admin"],
    )
