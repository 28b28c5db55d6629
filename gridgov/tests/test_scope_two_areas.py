"""A user whose scope is two areas (a many-to-many) sees each thing of both once, never raises
MultipleObjectsReturned, and never sees a third area: lists, details, exports and map layers."""

import csv
import io
import json

import pytest

from gridgov.accounts.permissions import Role
from gridgov.conftest import make_user
from gridgov.tests.scope import World, run_setups

NORTH_A, NORTH_B = "410105001001", "410105002001"


@pytest.fixture
def world(tree, users):
    w = World(tree=tree, users=users)
    run_setups(w)
    w.users["two"] = make_user("two", Role.STREET_OPERATOR, [NORTH_A, NORTH_B])
    return w


def _inside(code: str) -> bool:
    return code.startswith((NORTH_A, NORTH_B))


def _json(response) -> object:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return json.loads(response.content)


@pytest.mark.parametrize(
    ("url", "items"),
    [
        ("/api/v1/people?limit=500", lambda d: d["items"]),
        ("/api/v1/buildings", lambda d: d),
        ("/api/v1/organizations", lambda d: d),
        ("/api/v1/places", lambda d: d),
        ("/api/v1/cases?queue=all&limit=200", lambda d: d["items"]),
    ],
)
def test_lists_hold_both_areas_once(world, client_for, url, items):
    rows = items(_json(client_for(world.users["two"]).get(url)))
    ids = [r["id"] for r in rows]
    assert ids and len(ids) == len(set(ids))
    assert all(_inside(r["area_code"]) for r in rows)


def test_both_areas_are_in_the_lists(world, client_for):
    client = client_for(world.users["two"])
    people = _json(client.get("/api/v1/people?limit=500"))["items"]
    assert {p["area_code"][:12] for p in people} == {NORTH_A, NORTH_B}
    areas = _json(client.get("/api/v1/areas?limit=1000"))["items"]
    codes = [a["code"] for a in areas]
    assert len(codes) == len(set(codes)) == 2 * 5
    assert all(_inside(c) for c in codes)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/registry/map.geojson?layer=buildings",
        "/api/v1/registry/map.geojson?layer=organizations",
        "/api/v1/registry/map.geojson?layer=places",
        "/api/v1/cases/map.geojson?status=all",
    ],
)
def test_map_layers_hold_each_feature_once(world, client_for, url):
    features = _json(client_for(world.users["two"]).get(url))["features"]
    ids = [f["properties"]["id"] for f in features]
    assert ids and len(ids) == len(set(ids))
    assert all(_inside(f["properties"]["area_code"]) for f in features)


def test_export_holds_each_person_once(world, client_for):
    response = client_for(world.users["two"]).get("/registry/people/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    codes = [r[-1] for r in rows]
    assert codes and all(_inside(c) for c in codes)
    assert {c[:12] for c in codes} == {NORTH_A, NORTH_B}
    assert len(rows) == len({tuple(r) for r in rows})


def test_details_of_a_two_area_user_answer_once(world, client_for):
    """Managers and assessors find the user by a join over their two areas: one row, no 500."""
    two = world.users["two"]
    district = client_for(world.users["district"])
    assert district.get(f"/accounts/users/{two.pk}/").status_code == 200
    page = district.get("/accounts/users/?q=two")
    assert page.content.decode().count(f"/accounts/users/{two.pk}/") == 1
    report = _json(district.get(f"/api/v1/assessment/indicators?kind=staff&unit={two.pk}"))
    assert report["unit_key"] == str(two.pk)


def test_a_two_area_user_has_their_own_pages(world, client_for):
    client = client_for(world.users["two"])
    for url in ("/cockpit/", "/assessment/", "/cases/?queue=all", "/registry/people/"):
        assert client.get(url).status_code == 200, url
    cockpit = _json(client.get("/api/v1/cockpit"))
    assert _inside(cockpit["area"]["code"])
    person_b = world.objects["person_b"]
    assert client.get(f"/api/v1/people/{person_b.pk}").status_code == 200
    assert client.get(f"/api/v1/cases/{world.objects['case_b'].pk}").status_code == 200
