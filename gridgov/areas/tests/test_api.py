import json

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.services import issue_token
from gridgov.areas import services
from gridgov.areas.models import Area


def post_json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_list_filters_and_pages(tree, users, client_for):
    client = client_for(users["district"])
    answer = client.get("/api/v1/areas?level=grid&limit=5").json()
    assert answer["count"] == 16 and len(answer["items"]) == 5
    assert client.get("/api/v1/areas?parent=410105001").json()["count"] == 2
    assert client.get("/api/v1/areas?q=花园").json()["count"] >= 1
    assert client.get("/api/v1/areas?within=410105002&level=grid").json()["count"] == 8
    assert client.get("/api/v1/areas?kind=school").json()["items"][0]["code"] == "41010500200104"
    assert client.get("/api/v1/areas?limit=0").status_code == 422


def test_detail_has_chain_staff_and_facts(tree, users, client_for):
    answer = client_for(users["op_a"]).get("/api/v1/areas/41010500100101").json()
    assert [a["code"] for a in answer["chain"]] == ["410105", "410105001", "410105001001"]
    assert answer["staff"][0]["username"] == "member_a"
    street = client_for(users["op_a"]).get("/api/v1/areas/410105001").json()
    assert {f["key"]: f["value"] for f in street["facts"]}["grids"] == 8


def test_unknown_and_out_of_scope_codes_answer_the_same_404(tree, users, client_for):
    client = client_for(users["op_a"])
    for code in ("41010500200101", "99999999"):
        answer = client.get(f"/api/v1/areas/{code}")
        assert answer.status_code == 404
        assert set(answer.json()) == {"code", "message", "details"}


def test_subtree_geojson(tree, users, client_for):
    answer = client_for(users["op_a"]).get("/api/v1/areas/410105001/geojson?levels=grid")
    assert answer["Content-Type"].startswith("application/geo+json")
    assert len(answer.json()["features"]) == 8
    bbox = client_for(users["op_a"]).get(
        "/api/v1/areas/410105001/geojson?levels=grid&bbox=113.600,34.716,113.605,34.720"
    )
    assert len(bbox.json()["features"]) == 1
    assert (
        client_for(users["op_a"]).get("/api/v1/areas/410105001/geojson?bbox=1,2,3").status_code
        == 400
    )
    assert (
        client_for(users["op_a"]).get("/api/v1/areas/410105001/geojson?levels=village").status_code
        == 400
    )


def test_token_auth_and_me(tree, users, client):
    answer = post_json(client, "/api/v1/auth/token", {"username": "op_a", "password": "pw-op_a"})
    assert answer.status_code == 200
    token = answer.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["scope_codes"] == ["410105001"] and me["role"] == "street_operator"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ggv_wrong").status_code == 401
    assert client.get("/api/v1/me").status_code == 401
    assert (
        post_json(client, "/api/v1/auth/token", {"username": "op_a", "password": "no"}).status_code
        == 401
    )


def test_login_throttling_holds_even_the_right_password(tree, users, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert (
            post_json(
                client, "/api/v1/auth/token", {"username": "op_b", "password": "bad"}
            ).status_code
            == 401
        )
    assert (
        post_json(
            client, "/api/v1/auth/token", {"username": "op_b", "password": "pw-op_b"}
        ).status_code
        == 429
    )


def test_locate_one_point(tree, users, client_for):
    client = client_for(users["op_a"])
    found = client.get("/api/v1/locate?lon=113.605&lat=34.7175").json()
    assert found["found"] and found["grid"]["code"] == "41010500100101"
    assert [a["level"] for a in found["chain"]] == ["district", "street", "community"]
    assert client.get("/api/v1/locate?lon=113.70&lat=34.70").json()["found"] is False
    assert client.get("/api/v1/locate?lon=200&lat=34").status_code == 422
    assert client.get("/api/v1/locate?lon=abc&lat=34").status_code == 422
    assert client.get("/api/v1/locate?lon=113.6&lat=34.7&crs=utm").status_code == 422


def test_locate_in_gcj02_and_bd09(tree, users, client_for):
    from gridgov.areas.crs import from_wgs84

    client = client_for(users["op_a"])
    for system in ("gcj02", "bd09"):
        lon, lat = (float(v) for v in from_wgs84(113.605, 34.7175, system))
        answer = client.get(f"/api/v1/locate?lon={lon}&lat={lat}&crs={system}").json()
        assert answer["grid"]["code"] == "41010500100101"
        assert answer["lon"] == pytest.approx(113.605, abs=1e-6)


def test_locate_many_points(tree, users, client_for):
    client = client_for(users["district"])
    answer = post_json(
        client, "/api/v1/locate", {"points": [[113.605, 34.7175], [113.635, 34.703], [113.7, 34.7]]}
    ).json()
    assert answer["codes"] == ["41010500100101", "41010500200204", None] and answer["found"] == 2
    assert post_json(client, "/api/v1/locate", {"points": [[113.6, 95]]}).status_code == 400
    assert (
        client.post("/api/v1/locate", "{not json", content_type="application/json").status_code
        == 400
    )
    assert post_json(client, "/api/v1/locate", {"points": "x"}).status_code == 422


def test_manage_through_the_api(tree, users, client_for):
    client = client_for(users["op_a"])
    created = post_json(
        client,
        "/api/v1/areas",
        {
            "code": "41010500100105",
            "name": "五号网格",
            "level": "grid",
            "parent_code": "410105001001",
        },
    )
    assert created.status_code == 201, created.content
    assert (
        post_json(client, "/api/v1/areas/41010500100105", {"name": "改名"}, "patch").json()["name"]
        == "改名"
    )
    square = {
        "type": "Polygon",
        "coordinates": [[[113.60, 34.71], [113.601, 34.71], [113.601, 34.711], [113.60, 34.71]]],
    }
    over = post_json(client, "/api/v1/areas/41010500100105/boundary", {"geometry": square}, "put")
    assert over.status_code == 400 and "41010500100103" in over.json()["message"]
    services.set_boundary(
        tree.grid("41010500100103"),
        json.loads(shapely.to_geojson(shapely.box(113.602, 34.71, 113.61, 34.715))),
        actor=users["admin"],
    )
    assert (
        post_json(
            client, "/api/v1/areas/41010500100105/boundary", {"geometry": square}, "put"
        ).status_code
        == 200
    )
    bad = post_json(
        client,
        "/api/v1/areas/41010500100105/boundary",
        {"geometry": {"type": "Polygon", "coordinates": [[[1, 1]]]}},
        "put",
    )
    assert bad.status_code == 400 and bad.json()["message"]
    moved = post_json(client, "/api/v1/areas/41010500100105/move", {"parent_code": "410105001002"})
    assert moved.json()["code"].startswith("410105001002")
    retired = post_json(client, f"/api/v1/areas/{moved.json()['code']}/retire", {"note": "试验"})
    assert retired.json()["valid_to"]
    assert (
        post_json(
            client_for(users["member_a"]), "/api/v1/areas/41010500100101", {"name": "x"}, "patch"
        ).status_code
        == 404
    )


def test_import_dry_run_and_commit_over_the_api(tree, users, client_for):
    client = client_for(users["op_a"])
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": "41010500100101",
                    "name": "新名",
                    "level": "grid",
                    "parent_code": "410105001001",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[113.60, 34.715], [113.61, 34.715], [113.61, 34.72], [113.60, 34.715]]
                    ],
                },
            }
        ],
    }
    upload = lambda: SimpleUploadedFile("g.geojson", json.dumps(body).encode())  # noqa: E731
    dry = client.post("/api/v1/areas/import", {"file": upload()}).json()
    assert dry["ok"] and not dry["committed"] and dry["update"] == 1, dry
    assert Area.objects.get(code="41010500100101").name != "新名"
    done = client.post("/api/v1/areas/import?commit=true", {"file": upload()}).json()
    assert done["committed"] and Area.objects.get(code="41010500100101").name == "新名"
    broken = client.post(
        "/api/v1/areas/import?commit=true", {"file": SimpleUploadedFile("g.geojson", b"{oops")}
    )
    assert broken.status_code == 400 and broken.json()["problems"][0]["feature"] == 0


def test_oversized_upload_is_refused(tree, users, client_for, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 10
    answer = client_for(users["op_a"]).post(
        "/api/v1/areas/import", {"file": SimpleUploadedFile("g.geojson", b"x" * 100)}
    )
    assert answer.status_code == 400


def test_openapi_schema_and_docs(client, tree, users, client_for):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/locate" in schema["paths"] and "/api/v1/areas/{code}/geojson" in schema["paths"]
    assert client_for(users["op_a"]).get("/api/v1/docs").status_code == 200


def test_bearer_token_from_service(tree, users, client):
    token = issue_token(users["op_b"])
    assert (
        client.get("/api/v1/areas/410105002", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 200
    )
    assert (
        client.get("/api/v1/areas/410105001", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 404
    )
