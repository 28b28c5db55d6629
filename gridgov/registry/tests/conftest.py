import pytest

from gridgov.registry import services
from gridgov.registry.models import House

POINT_A = (113.605, 34.7175)
POINT_B = (113.625, 34.7175)

# Valid ID numbers (checked by computation): region, birth date, sequence, check digit.
ID_A = "11010519491231002X"
ID_B = "410105198001010017"
ID_C = "410105200506150023"


@pytest.fixture
def homes(tree, users):
    """A building in street A (2 units × 3 floors × 2 rooms) and one in street B, with people."""
    a = services.save_building(
        {
            "code": "B-A-1",
            "name": "经八小区1号楼",
            "address": "经八路1号院1号楼",
            "units": 2,
            "floors": 3,
            "rooms_per_floor": 2,
            "lon": POINT_A[0],
            "lat": POINT_A[1],
        },
        actor=users["admin"],
    )
    b = services.save_building(
        {
            "code": "B-B-1",
            "name": "花园小区1号楼",
            "address": "花园路1号院1号楼",
            "units": 1,
            "floors": 2,
            "rooms_per_floor": 2,
            "lon": POINT_B[0],
            "lat": POINT_B[1],
        },
        actor=users["admin"],
    )
    services.generate_houses(a, actor=users["admin"])
    services.generate_houses(b, actor=users["admin"])
    house_a = House.objects.get(code="B-A-1-1-3-301")
    house_b = House.objects.get(code="B-B-1-1-2-201")
    person_a, _ = services.save_person(
        {"name": "张三", "id_number": ID_A, "phone": "13800001111", "registration": "registered"},
        actor=users["admin"],
        house=house_a,
    )
    person_b, _ = services.save_person(
        {"name": "李四", "id_number": ID_B, "phone": "13900002222", "registration": "floating"},
        actor=users["admin"],
        house=house_b,
    )
    org_b, _ = services.save_organization(
        {
            "name": "乙街道商贸公司",
            "credit_code": "91110000600037341L",
            "kind": "enterprise",
            "lon": POINT_B[0],
            "lat": POINT_B[1],
        },
        actor=users["admin"],
    )
    place_b = services.save_place(
        {
            "name": "乙街道消防栓",
            "kind": "facility",
            "category_code": "C0109",
            "lon": POINT_B[0],
            "lat": POINT_B[1],
        },
        actor=users["admin"],
    )
    return {
        "building_a": a,
        "building_b": b,
        "house_a": house_a,
        "house_b": house_b,
        "person_a": person_a,
        "person_b": person_b,
        "org_b": org_b,
        "place_b": place_b,
    }
