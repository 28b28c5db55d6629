import pytest
import shapely
from django.core.exceptions import ValidationError

from gridgov.areas import crs
from gridgov.areas.geometry import boundary_facts, check_geometry_structure, parse_boundary

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[113.6, 34.7], [113.61, 34.7], [113.61, 34.71], [113.6, 34.71], [113.6, 34.7]]
    ],
}


def test_a_good_square_parses_and_measures():
    geom = parse_boundary(SQUARE)
    facts = boundary_facts(geom)
    # 0.01° × 0.01° at 34.7°N is about 914 m × 1109 m.
    assert facts.area_km2 == pytest.approx(1.014, rel=0.01)
    assert (facts.min_lon, facts.max_lat) == (113.6, 34.71)
    assert geom.contains(shapely.Point(facts.label_lon, facts.label_lat))


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[[113.6, 34.7], [113.61, 34.7], [113.61, 34.71], [113.6, 34.71]]],
            },
            "not closed",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[34.7, 113.6], [34.7, 113.61], [34.71, 113.61], [34.7, 113.6]]],
            },
            "[lat, lon]",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[190, 34.7], [191, 34.7], [191, 35], [190, 34.7]]],
            },
            "out of range",
        ),
        ({"type": "Polygon", "coordinates": [[[113.6, 34.7], [113.6, 34.7]]]}, "at least 4"),
        ({"type": "Point", "coordinates": [113.6, 34.7]}, "Polygon or MultiPolygon"),
        (
            {"type": "Polygon", "coordinates": [[["a", 1], [1, 2], [2, 2], ["a", 1]]]},
            "finite numbers",
        ),
        (None, "missing"),
    ],
)
def test_structure_problems_are_named(geometry, words, english):
    problems = check_geometry_structure(geometry)
    assert any(words in p for p in problems), problems


def test_a_bow_tie_is_refused_as_self_crossing(english):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError, match="crosses itself"):
        parse_boundary(bow_tie)


def test_gcj02_input_is_stored_as_wgs84():
    stored = parse_boundary(SQUARE, "gcj02")
    corners = [crs.from_wgs84(x, y, "gcj02") for x, y in stored.exterior.coords]
    # Back in GCJ-02, every stored corner is one of the input corners (to the 1 cm storage grid).
    for lon, lat in corners:
        assert min(abs(float(lon) - 113.6), abs(float(lon) - 113.61)) < 3e-7
        assert min(abs(float(lat) - 34.7), abs(float(lat) - 34.71)) < 3e-7
    assert stored.bounds != parse_boundary(SQUARE).bounds
