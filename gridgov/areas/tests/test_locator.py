import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.areas.locator import GridIndex, locator
from gridgov.areas.testing import X0, X1, Y0, Y1


def _tiling(n: int = 60, seed: int = 3):
    """A Voronoi tiling of a square: irregular grids that share their edges exactly."""
    rng = np.random.default_rng(seed)
    box = shapely.box(0, 0, 1, 1)
    seeds = shapely.multipoints(rng.uniform(0, 1, (n, 2)))
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box)), box
    )
    cells = shapely.set_precision(cells, 1e-7)
    codes = [f"41010500100{i:03d}" for i in range(len(cells))]
    return GridIndex(list(range(len(cells))), codes, codes, cells)


def _brute(index: GridIndex, x: float, y: float) -> int:
    hits = [i for i, g in enumerate(index.geoms) if g.intersects(shapely.Point(x, y))]
    return min(hits) if hits else -1


def test_bulk_equals_brute_force_on_random_points():
    index = _tiling()
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(-0.1, 1.1, 3000), rng.uniform(-0.1, 1.1, 3000)
    found = index.locate_indices(xs, ys)
    assert [_brute(index, x, y) for x, y in zip(xs, ys, strict=True)] == found.tolist()


def test_points_on_vertices_and_edges_follow_the_smallest_code_rule():
    index = _tiling()
    coords = shapely.get_coordinates(index.geoms)
    mids = (coords[:-1] + coords[1:]) / 2
    pts = np.vstack([coords, mids])
    found = index.locate_indices(pts[:, 0], pts[:, 1])
    expected = [_brute(index, x, y) for x, y in pts]
    assert found.tolist() == expected
    assert all(
        index.locate_index(x, y) == e for (x, y), e in zip(pts[:200], expected[:200], strict=True)
    )


@settings(max_examples=200, deadline=None)
@given(st.floats(-0.2, 1.2), st.floats(-0.2, 1.2))
def test_single_and_bulk_agree(x, y):
    index = _INDEX
    assert index.locate_index(x, y) == int(index.locate_indices([x], [y])[0]) == _brute(index, x, y)


_INDEX = _tiling(25, seed=9)


@pytest.mark.django_db
def test_service_finds_grids_and_says_none_outside(tree):
    hit = locator.locate(113.605, 34.715)
    assert hit is not None and hit.code == "41010500100101"
    assert locator.locate(113.70, 34.70) is None
    # The shared corner of four grids in street A's north community goes to the smallest code.
    assert locator.locate(113.61, 34.715).code == "41010500100101"
    # The border between streets A and B belongs to street A's grid (smaller code).
    assert locator.locate(113.62, 34.7175).code.startswith("410105001")


@pytest.mark.django_db
def test_bulk_service_returns_codes_in_order(tree):
    lons = [113.605, 113.635, 113.70, X0, X1]
    lats = [34.715, 34.703, 34.70, Y0, Y1]
    codes = locator.locate_codes(lons, lats)
    assert codes[0] == "41010500100101"
    assert codes[1] == "41010500200204"
    assert codes[2] is None
    assert codes[3] is not None and codes[4] is not None


@pytest.mark.django_db
def test_index_follows_boundary_changes(tree, users):
    from gridgov.areas.services import retire_area

    assert locator.locate(113.605, 34.7175).code == "41010500100101"
    retire_area(tree.grid("41010500100101"), actor=users["admin"], note="merged")
    assert locator.locate(113.605, 34.7175) is None
