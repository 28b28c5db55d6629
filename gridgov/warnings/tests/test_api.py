"""The warnings API: drafting with areas and polygons (bad geometry is a clear 400), the phone's
acknowledgement, the active list polled with ETags, CAP in and out."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.warnings import cap
from gridgov.warnings.models import Receipt, Target, Warning
from gridgov.warnings.tests.helpers import issued

pytestmark = pytest.mark.django_db
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [113.601, 34.716],
            [113.609, 34.716],
            [113.609, 34.719],
            [113.601, 34.719],
            [113.601, 34.716],
        ]
    ],
}


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _draft(**extra):
    return {
        "area_code": "410105",
        "event": "暴雨",
        "colour": "orange",
        "headline": "暴雨橙色预警",
    } | extra


def test_draft_approve_issue_through_the_api(staff, users, client_for):
    client = client_for(users["district"])
    made = _post(client, "/api/v1/warnings", _draft(target_codes=["410105001"], polygons=[SQUARE]))
    assert made.status_code == 201, made.content
    w = json.loads(made.content)
    assert w["state"] == "draft" and w["severity"] == "Severe" and w["urgency"] == "Expected"
    assert (
        json.loads(_post(client, f"/api/v1/warnings/{w['id']}/approve", {}).content)["state"]
        == "approved"
    )
    done = json.loads(_post(client, f"/api/v1/warnings/{w['id']}/issue", {}).content)
    assert done["state"] == "issued" and done["ack_code"]
    polygon_grids = set(
        Target.objects.filter(warning_id=w["id"], from_polygon=True).values_list("code", flat=True)
    )
    assert polygon_grids == {"41010500100101"}  # the square lies in the north-west grid


@pytest.mark.parametrize(
    "polygons, words",
    [
        ([{"type": "Point", "coordinates": [113.6, 34.7]}], "Point"),
        (
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [113.601, 34.711],
                            [113.609, 34.719],
                            [113.601, 34.719],
                            [113.609, 34.711],
                            [113.601, 34.711],
                        ]
                    ],
                }
            ],
            "Self-intersection",
        ),
        (
            [
                {
                    "type": "Polygon",
                    "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.0]]],
                }
            ],
            "1",
        ),
        ([{"type": "Polygon"}], "1"),
        ("not a list", "polygons"),  # the body's shape: 422 like every schema error
    ],
)
def test_bad_geometry_is_a_clear_400(users, client_for, polygons, words):
    client = client_for(users["district"])
    before = Warning.objects.count()
    answer = _post(client, "/api/v1/warnings", _draft(polygons=polygons))
    assert answer.status_code == (422 if polygons == "not a list" else 400), answer.content
    body = json.loads(answer.content)
    assert words in body["message"] and body["details"], body
    assert Warning.objects.count() == before


def test_targets_outside_the_issuers_subtree_are_a_400(users, client_for):
    answer = _post(
        client_for(users["op_a"]),
        "/api/v1/warnings",
        _draft(area_code="410105001", target_codes=["410105002"]),
    )
    assert answer.status_code == 400
    assert "target_codes" in json.loads(answer.content)["details"]


def test_the_phone_acknowledges_and_the_active_list_polls_with_etags(staff, users, client_for):
    w = issued(users["district"], "410105", "red")
    phone = client_for(staff["grid_41010500100101"])
    first = phone.get("/api/v1/warnings/active")
    items = json.loads(first.content)["items"]
    assert [(i["id"], i["mine"], i["acknowledged"]) for i in items] == [(w.pk, True, False)]
    etag = first["ETag"]
    assert phone.get("/api/v1/warnings/active", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert json.loads(_post(phone, f"/api/v1/warnings/{w.pk}/ack", {}).content) == {
        "acknowledged": 2
    }
    again = phone.get("/api/v1/warnings/active", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert json.loads(again.content)["items"][0]["acknowledged"] is True
    assert (
        Receipt.objects.filter(warning=w, user=staff["grid_41010500100101"], ack_via="api").count()
        == 2
    )


def test_a_street_never_sees_another_streets_warning(staff, users, client_for):
    w = issued(staff["street_b"], "410105002", "red", headline="乙街道的预警")
    for asker in (users["op_a"], staff["grid_41010500100101"], staff["comm_410105001001"]):
        client = client_for(asker)
        assert client.get(f"/api/v1/warnings/{w.pk}").status_code == 404
        listed = json.loads(client.get("/api/v1/warnings").content)
        assert w.pk not in [x["id"] for x in listed]
    seen = json.loads(client_for(staff["grid_41010500200101"]).get("/api/v1/warnings").content)
    assert w.pk in [x["id"] for x in seen]  # street B's own grid member does see it


def test_cap_export_and_import_through_the_api(staff, users, client_for):
    w = issued(users["district"], "410105", "yellow", targets=["410105001"])
    client = client_for(users["district"])
    xml = client.get(f"/api/v1/warnings/{w.pk}/cap")
    assert xml["Content-Type"].startswith("application/cap+xml")
    cap.validate(xml.content)
    upload = SimpleUploadedFile("alert.xml", xml.content, "application/cap+xml")
    made = client.post("/api/v1/warnings/import-cap", {"area_code": "410105", "file": upload})
    assert made.status_code == 201
    assert json.loads(made.content)["target_codes"] == ["410105001"]
    bad = SimpleUploadedFile("bad.xml", b"<alert/>", "text/xml")
    refused = client.post("/api/v1/warnings/import-cap", {"area_code": "410105", "file": bad})
    assert refused.status_code == 400


def test_the_list_page_and_the_api_list_the_same_warnings(staff, users, client_for):
    import re

    issued(users["district"], "410105", "red")
    issued(staff["street_b"], "410105002", "yellow", headline="乙街道黄色预警")
    client = client_for(users["admin"])
    seen = []
    for query in ("", "state=issued", "colour=red", "area=410105002", "kind=alert"):
        page = client.get(f"/warnings/?{query}").content.decode()
        page_ids = re.findall(r'<tr data-id="(\d+)"', page)
        api_ids = [
            str(w["id"]) for w in json.loads(client.get(f"/api/v1/warnings?{query}").content)
        ]
        assert page_ids == api_ids, query
        seen.append(tuple(api_ids))
    assert len(set(seen)) > 1
    assert client.get("/api/v1/warnings?state=nonsense").status_code in (400, 422)
    assert "filter-errors" in client.get("/warnings/?state=nonsense").content.decode()
