"""The catalogue API for client systems: key authentication, applications, packages and their
download; a client sees only its own applications and packages, and only its areas' rows."""

import datetime
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.areas.testing import STREET_A, STREET_B
from gridgov.exchange.models import ClientKind, DataApplication, ExchangeLog, ExchangePackage
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import issue_client
from gridgov.registry.models import Place


@pytest.fixture
def two_clients(users):
    a, key_a = issue_client(
        users["admin"], name="甲街道共享", kind=ClientKind.EXCHANGE, area_codes=[STREET_A]
    )
    b, key_b = issue_client(
        users["admin"], name="乙街道共享", kind=ClientKind.EXCHANGE, area_codes=[STREET_B]
    )
    return (a, key_a), (b, key_b)


def _api(key):
    return Client(headers={"X-Api-Key": key})


def _application(**over):
    body = {
        "dataset": "people",
        "fields": ["id", "sex", "ethnicity"],
        "purpose": "人口核查",
        "legal_basis": "《统计法》第七条",
        "recipient": "市统计局",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
    }
    body.update(over)
    return json.dumps(body)


def test_the_catalogue_needs_a_client_key(two_clients, client_for, users):
    assert Client().get("/api/v1/exchange/catalogue").status_code == 401
    assert _api("gg_wrong").get("/api/v1/exchange/catalogue").status_code == 401
    # A signed-in administrator is no client system.
    assert client_for(users["admin"]).get("/api/v1/exchange/catalogue").status_code == 401
    (_a, key_a), _b = two_clients
    answer = _api(key_a).get("/api/v1/exchange/catalogue")
    assert answer.status_code == 200
    sets = {d["key"]: d for d in answer.json()["datasets"]}
    assert sets["people"]["share"] == "conditional"
    assert sets["special_populations"]["special"]
    sex = next(f for f in sets["people"]["fields"] if f["name"] == "sex")
    assert sex["code_table"] == "GB/T 2261.1"


def test_a_client_applies_and_sees_only_its_own_applications(two_clients, users):
    (a, key_a), (_b, key_b) = two_clients
    answer = _api(key_a).post(
        "/api/v1/exchange/applications", _application(), content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["state"] == "pending" and not answer.json()["overdue"]
    app = DataApplication.objects.get()
    assert app.client == a
    mine = _api(key_a).get("/api/v1/exchange/catalogue").json()["applications"]
    theirs = _api(key_b).get("/api/v1/exchange/catalogue").json()["applications"]
    assert [x["id"] for x in mine] == [app.pk] and theirs == []  # live: a sees it, b does not


@pytest.mark.parametrize(
    "body",
    [
        _application(dataset="cases"),
        _application(dataset="nope"),
        _application(fields=["nope"]),
        _application(purpose=""),
        _application(expires_on="2000-01-01"),
        _application(expires_on="not a date"),
        _application(purpose="x" * 501),
        "{not json",
        json.dumps({"dataset": "people"}),
    ],
)
def test_bad_applications_are_4xx(two_clients, body):
    (_a, key_a), _b = two_clients
    answer = _api(key_a).post(
        "/api/v1/exchange/applications", body, content_type="application/json"
    )
    assert 400 <= answer.status_code < 500, answer.content
    assert {"code", "message"} <= set(answer.json())


def test_packages_hold_only_the_client_areas_and_only_its_own(two_clients, users, tree):
    (a, key_a), (_b, key_b) = two_clients
    Place.objects.create(
        name="甲街道消防栓", kind="component", lon=113.6, lat=34.7, area_code=STREET_A
    )
    Place.objects.create(
        name="乙街道消防栓", kind="component", lon=113.7, lat=34.7, area_code=STREET_B
    )
    answer = _api(key_a).post(
        "/api/v1/exchange/packages",
        json.dumps({"dataset": "places", "fmt": "csv", "suite": "common"}),
        content_type="application/json",
    )
    assert answer.status_code == 202, answer.content
    package_id = answer.json()["id"]
    assert answer.json()["state"] == "queued"
    assert packages.produce_queued() == 1
    listed = _api(key_a).get("/api/v1/exchange/packages").json()
    assert listed[0]["state"] == "done" and listed[0]["records"] == 1
    assert _api(key_b).get("/api/v1/exchange/packages").json() == []
    # b may not download a's package; a may (live), and the download is logged.
    assert _api(key_b).get(f"/api/v1/exchange/packages/{package_id}/download").status_code == 404
    got = _api(key_a).get(f"/api/v1/exchange/packages/{package_id}/download")
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    data = zipfile.ZipFile(io.BytesIO(got.content)).read("places.csv").decode()
    assert "甲街道消防栓" in data and "乙街道消防栓" not in data
    assert ExchangeLog.objects.filter(event="downloaded", client=a).count() == 1
    assert ExchangePackage.objects.get(pk=package_id).sha256 == got["X-Package-Hash"]


def test_conditional_packages_need_an_approval(two_clients, users):
    (a, key_a), _b = two_clients
    ask = json.dumps({"dataset": "people", "suite": "common"})
    assert (
        _api(key_a)
        .post("/api/v1/exchange/packages", ask, content_type="application/json")
        .status_code
        == 403
    )
    bad = json.dumps({"dataset": "cases", "fmt": "xml"})
    assert (
        _api(key_a)
        .post("/api/v1/exchange/packages", bad, content_type="application/json")
        .status_code
        == 400
    )
    app = catalogue.apply_for(
        users["admin"],
        a,
        dataset_key="people",
        fields=["id", "sex"],
        purpose="核查",
        legal_basis="法",
        recipient="甲街道",
        expires_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    catalogue.decide(users["admin"], app, approve=True, reason="ok")
    answer = _api(key_a).post("/api/v1/exchange/packages", ask, content_type="application/json")
    assert answer.status_code == 202  # no personal field asked: no recipient key needed
