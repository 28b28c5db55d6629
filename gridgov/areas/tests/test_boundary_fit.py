"""A boundary drawn, uploaded or PUT must lie within its parent and off its siblings (the GeoJSON
import's tolerance); a street cannot take another street's ground, and the locator keeps routing
points to the street that holds them."""

import json

import shapely

from gridgov.areas.geojson_io import commit_import, plan_import
from gridgov.areas.locator import locator
from gridgov.areas.models import Area
from gridgov.areas.services import retire_area

# Grid 02 of street A's north community is (113.61, 34.715)–(113.62, 34.72); street B starts at
# lon 113.62 with its grid 41010500200101.
GRID = "41010500100102"
IN_STREET_B = (113.622, 34.7175)


def box(*bounds) -> dict:
    return json.loads(shapely.to_geojson(shapely.box(*bounds)))


def put(client, code, geometry):
    return client.put(
        f"/api/v1/areas/{code}/boundary",
        json.dumps({"geometry": geometry}),
        content_type="application/json",
    )


def test_a_street_cannot_redraw_its_grid_over_another_streets_ground(tree, users, client_for):
    assert locator.locate(*IN_STREET_B).code == "41010500200101"
    before = Area.objects.get(code=GRID).geometry
    answer = put(client_for(users["op_a"]), GRID, box(113.61, 34.715, 113.625, 34.72))
    assert answer.status_code == 400
    body = json.loads(answer.content)
    assert body["code"] == "invalid" and "geometry" in body["details"]
    assert Area.objects.get(code=GRID).geometry == before
    locator.invalidate()
    assert locator.locate(*IN_STREET_B).code == "41010500200101"


def test_the_drawing_page_refuses_it_with_a_message(tree, users, client_for):
    page = client_for(users["op_a"]).post(
        f"/areas/{GRID}/boundary/",
        {"geometry": json.dumps(box(113.61, 34.715, 113.625, 34.72)), "crs": "wgs84"},
    )
    assert page.status_code == 200
    (message,) = page.context["form"].non_field_errors()
    assert "33.3%" in message
    assert message in page.content.decode()
    assert Area.objects.get(code=GRID).max_lon == 113.62


def test_a_sibling_cannot_be_overlapped(tree, users, client_for):
    answer = put(client_for(users["op_a"]), GRID, box(113.605, 34.715, 113.62, 34.72))
    assert answer.status_code == 400
    assert "41010500100101" in json.loads(answer.content)["message"]


def test_slack_within_the_tolerance_is_clipped_to_the_parent(tree, users, client_for):
    answer = put(client_for(users["op_a"]), GRID, box(113.61, 34.715, 113.6201, 34.72))
    assert answer.status_code == 200
    grid = Area.objects.get(code=GRID)
    assert grid.max_lon <= 113.62 + 1e-9
    locator.invalidate()
    assert locator.locate(113.62005, 34.7175).code == "41010500200101"
    assert locator.locate(113.6195, 34.7175).code == GRID


def test_a_parent_cannot_shrink_away_from_its_children(tree, users, client_for):
    answer = put(client_for(users["district"]), "410105001", box(113.60, 34.70, 113.61, 34.72))
    assert answer.status_code == 400
    assert "410105001001" in json.loads(answer.content)["message"]


def test_the_geojson_import_uses_the_same_tolerance_and_clips(tree, users):
    for grid in tree.grids[:4]:  # street A's north community, emptied
        retire_area(grid, actor=users["admin"])

    def grid(code, bounds):
        return {
            "type": "Feature",
            "properties": {
                "code": code,
                "name": code,
                "level": "grid",
                "parent_code": "410105001001",
            },
            "geometry": box(*bounds),
        }

    # 10 % over street B's ground: refused (it was a warning up to 50 %).
    over = {
        "type": "FeatureCollection",
        "features": [grid("41010500100105", (113.61, 34.71, 113.621, 34.72))],
    }
    plan = plan_import(over, actor=users["op_a"])
    assert [p.code for p in plan.problems] == ["41010500100105"]
    # 1 % over: accepted and clipped, so street B's points stay street B's.
    slack = {
        "type": "FeatureCollection",
        "features": [grid("41010500100105", (113.61, 34.71, 113.6201, 34.72))],
    }
    assert commit_import(slack, actor=users["op_a"]).ok
    assert Area.objects.get(code="41010500100105").max_lon <= 113.62 + 1e-9
    locator.invalidate()
    assert locator.locate(113.62005, 34.7175).code == "41010500200101"
