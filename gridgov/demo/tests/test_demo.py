import io
import json

import pytest
import shapely
from django.core.management import call_command

from gridgov.accounts.models import Department, StaffAssignment, User
from gridgov.areas.models import Area, GridKind, Level
from gridgov.demo import district


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_district_tiles_exactly_and_has_every_role(settings, tmp_path):
    settings.GRIDGOV_DEMO_ACCOUNTS_FILE = tmp_path / "accounts.json"
    call_command("load_demo", only_areas=True, stdout=io.StringIO())
    counts = {lv: Area.objects.filter(level=lv).count() for lv in Level.values}
    assert counts == {"city": 0, "district": 1, "street": 15, "community": 100, "grid": 1000}
    assert Area.objects.get(level=Level.DISTRICT).name == "金水区"
    assert Area.objects.get(code="410105001").name == "经八路街道"

    grids = shapely.from_geojson(
        [json.dumps(g) for g in Area.objects.grids().values_list("geometry", flat=True)]
    )
    root = shapely.from_geojson(json.dumps(Area.objects.get(level=Level.DISTRICT).geometry))
    union = shapely.union_all(grids)
    assert abs(union.area - root.area) / root.area < 1e-6  # no gaps
    assert abs(sum(g.area for g in grids) - union.area) / union.area < 1e-5  # no overlaps
    for community in Area.objects.filter(level=Level.COMMUNITY)[:10]:
        outline = shapely.from_geojson(json.dumps(community.geometry))
        children = shapely.union_all(
            shapely.from_geojson([json.dumps(g.geometry) for g in community.children.all()])
        )
        assert shapely.symmetric_difference(outline, children).area / outline.area < 1e-6

    assert Area.objects.grids().exclude(kind=GridKind.REGULAR).exclude(risk="").count() >= 20
    accounts = json.loads(settings.GRIDGOV_DEMO_ACCOUNTS_FILE.read_text())
    roles = {a["role"] for a in accounts}
    assert {
        "admin",
        "district_operator",
        "street_operator",
        "community_staff",
        "grid_member",
        "department_handler",
        "leader",
        "auditor",
        "security_admin",
    } <= roles
    listed = next(a for a in accounts if a["username"] == "g41010500100301")
    assert User.objects.get(username=listed["username"]).check_password(listed["password"])
    assert StaffAssignment.objects.filter(force_type="grid_member").count() == 1000
    assert Department.objects.filter(level="district").count() >= 10


def test_demo_is_deterministic_for_a_seed(settings):
    first = district.build("district", seed=5)
    second = district.build("district", seed=5)
    other = district.build("district", seed=6)
    assert [a.code for a in first] == [a.code for a in second]
    assert all(a.geom.equals_exact(b.geom, 0) for a, b in zip(first[:50], second[:50], strict=True))
    assert not all(
        a.geom.equals_exact(b.geom, 0) for a, b in zip(first[:50], other[:50], strict=True)
    )


def test_chinese_ordinals():
    assert [district.chinese_ordinal(n) for n in (1, 10, 12, 20, 35)] == [
        "一",
        "十",
        "十二",
        "二十",
        "三十五",
    ]
    assert district.short_community_name("体育社区居民居委会") == "体育社区"
    assert district.short_community_name("祭城村民委员会") == "祭城村"
