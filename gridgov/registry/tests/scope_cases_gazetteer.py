"""The gazetteer in the scope matrix: street A's operator neither finds nor reverse-looks-up
street B's addresses."""

from gridgov.registry import gazetteer_build
from gridgov.tests.scope import Case

HOSPITAL_B = "乙街道花园路医院"
POINT_B = (113.625, 34.7175)


def setup(world) -> None:
    report = gazetteer_build.import_addresses(
        world.users["admin"],
        [{"kind": "landmark", "name": HOSPITAL_B, "lon": str(POINT_B[0]), "lat": str(POINT_B[1])}],
        dry_run=False,
    )
    assert report.written == 1, report.errors


def _absent(world) -> list[str]:
    return [HOSPITAL_B]


CASES = [
    Case(
        "api/v1/addresses",
        lambda w: "/api/v1/addresses",
        data=lambda w: {"q": "花园路医院"},
        expect=200,
        absent=_absent,
    ),
    Case(
        "api/v1/addresses/reverse",
        lambda w: "/api/v1/addresses/reverse",
        data=lambda w: {"lon": POINT_B[0], "lat": POINT_B[1], "radius": 100},
        expect=404,
        absent=_absent,
    ),
]
