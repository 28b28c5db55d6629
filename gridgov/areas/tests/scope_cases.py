import json

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.areas.testing import STREET_B
from gridgov.tests.scope import Case

B_GRID = "41010500200101"
B_COMMUNITY = "410105002001"
B_POINT = {"lon": 113.625, "lat": 34.715}  # inside street B's first grid


def _b_names(world) -> list[str]:
    return [a.name for a in world.tree.grids if a.code.startswith(STREET_B)] + [STREET_B, B_GRID]


def _b_point_names(world) -> list[str]:
    """What the locator answers about B_POINT: its grid (by name and code) and street B."""
    grid = world.tree.grid(B_GRID)
    return [grid.name, B_GRID, "花园路街道"]


def _import_file(world) -> dict:
    """Street B's first grid again, renamed, with its own boundary (an update of B's grid)."""
    feature = {
        "type": "Feature",
        "properties": {
            "code": B_GRID,
            "name": "改名网格",
            "level": "grid",
            "parent_code": B_COMMUNITY,
        },
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [113.62, 34.715],
                    [113.63, 34.715],
                    [113.63, 34.72],
                    [113.62, 34.72],
                    [113.62, 34.715],
                ]
            ],
        },
    }
    body = json.dumps({"type": "FeatureCollection", "features": [feature]})
    return {"file": SimpleUploadedFile("grids.geojson", body.encode(), "application/geo+json")}


def _box(world) -> str:
    return json.dumps(
        {
            "type": "Polygon",
            "coordinates": [
                [
                    [113.62, 34.715],
                    [113.63, 34.715],
                    [113.63, 34.72],
                    [113.62, 34.72],
                    [113.62, 34.715],
                ]
            ],
        }
    )


CONSOLE = "the console page is a shell: its tree and map come from api/v1/areas…"


CASES = [
    Case(
        "api/v1/areas",
        lambda w: "/api/v1/areas?limit=1000",
        expect=200,
        absent=_b_names,
        codes=("code",),
    ),
    Case(
        "api/v1/areas",
        lambda w: "/api/v1/areas",
        "POST",
        lambda w: {
            "code": B_COMMUNITY + "09",
            "name": "x",
            "level": "grid",
            "parent_code": B_COMMUNITY,
        },
    ),
    Case("api/v1/areas/<code>", lambda w: f"/api/v1/areas/{B_GRID}"),
    Case(
        "api/v1/areas/<code>", lambda w: f"/api/v1/areas/{B_GRID}", "PATCH", lambda w: {"name": "x"}
    ),
    Case("api/v1/areas/<code>/children", lambda w: f"/api/v1/areas/{B_COMMUNITY}/children"),
    Case("api/v1/areas/<code>/geojson", lambda w: f"/api/v1/areas/{STREET_B}/geojson"),
    Case(
        "api/v1/areas/<code>/boundary",
        lambda w: f"/api/v1/areas/{B_GRID}/boundary",
        "PUT",
        lambda w: {"geometry": None},
    ),
    Case(
        "api/v1/areas/<code>/move",
        lambda w: f"/api/v1/areas/{B_GRID}/move",
        "POST",
        lambda w: {"parent_code": "410105001001"},
    ),
    Case(
        "api/v1/areas/<code>/retire",
        lambda w: f"/api/v1/areas/{B_GRID}/retire",
        "POST",
        lambda w: {},
    ),
    Case(
        "api/v1/areas/import",
        lambda w: "/api/v1/areas/import?commit=true",
        "POST",
        _import_file,
        expect=400,
        multipart=True,
        live_expect=200,
    ),
    Case(
        "api/v1/locate",
        lambda w: "/api/v1/locate",
        data=lambda w: B_POINT,
        expect=200,
        absent=_b_point_names,
        codes=("code",),
    ),
    Case(
        "api/v1/locate",
        lambda w: "/api/v1/locate",
        "POST",
        lambda w: {"points": [[B_POINT["lon"], B_POINT["lat"]]]},
        expect=200,
        absent=lambda w: [B_GRID],
    ),
    Case("areas/console/", lambda w: "/areas/console/", expect=200, not_live=CONSOLE),
    Case(
        "areas/console/", lambda w: f"/areas/console/?area={B_GRID}", expect=200, not_live=CONSOLE
    ),
    Case("areas/search/", lambda w: "/areas/search/?q=花园", expect=200, absent=_b_names),
    Case("areas/search/", lambda w: "/areas/search/?q=410105002", expect=200, absent=_b_names),
    Case("areas/export.geojson", lambda w: f"/areas/export.geojson?root={STREET_B}"),
    Case(
        "areas/import/",
        lambda w: "/areas/import/",
        expect=200,
        not_live="a blank upload form (its tree comes from the API)",
    ),
    Case(
        "areas/import/",
        lambda w: "/areas/import/",
        "POST",
        lambda w: {**_import_file(w), "crs": "wgs84"},
        expect=200,
        multipart=True,
        leaks=lambda w, text: 'name="upload_id"' in text,  # the plan may be confirmed
    ),
    Case("areas/<str:code>/card/", lambda w: f"/areas/{B_GRID}/card/"),
    Case("areas/<str:code>/children/", lambda w: f"/areas/{STREET_B}/children/"),
    Case("areas/<str:code>/history/", lambda w: f"/areas/{B_GRID}/history/"),
    Case("areas/<str:code>/edit/", lambda w: f"/areas/{B_GRID}/edit/"),
    Case(
        "areas/<str:code>/edit/",
        lambda w: f"/areas/{B_GRID}/edit/",
        "POST",
        lambda w: {"name": "x"},
    ),
    Case("areas/<str:code>/new/", lambda w: f"/areas/{B_COMMUNITY}/new/"),
    Case(
        "areas/<str:code>/new/",
        lambda w: f"/areas/{B_COMMUNITY}/new/",
        "POST",
        lambda w: {"code": B_COMMUNITY + "09", "name": "x", "kind": "regular"},
        multipart=True,
    ),
    Case("areas/<str:code>/move/", lambda w: f"/areas/{B_GRID}/move/"),
    Case(
        "areas/<str:code>/move/",
        lambda w: f"/areas/{B_GRID}/move/",
        "POST",
        lambda w: {"parent_code": "410105001001"},
        multipart=True,
    ),
    Case("areas/<str:code>/retire/", lambda w: f"/areas/{B_GRID}/retire/"),
    Case(
        "areas/<str:code>/retire/",
        lambda w: f"/areas/{B_GRID}/retire/",
        "POST",
        lambda w: {"note": "x"},
        multipart=True,
    ),
    Case("areas/<str:code>/boundary/", lambda w: f"/areas/{B_GRID}/boundary/"),
    Case(
        "areas/<str:code>/boundary/",
        lambda w: f"/areas/{B_GRID}/boundary/",
        "POST",
        lambda w: {"geometry": _box(w), "crs": "wgs84"},
        multipart=True,
    ),
]
