"""Open311 GeoReport v2: every endpoint in JSON and XML validated against the published schemas,
the error shape, keys, idempotent POSTs through intake, tokens, filters, and privacy."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema_rs
import pytest
from django.test import Client

from gridgov.accounts.system import OPEN311, system_user
from gridgov.areas.testing import DISTRICT, STREET_A
from gridgov.cases import services as case_services
from gridgov.cases.models import Case, Channel
from gridgov.exchange.services.clients import issue_client, revoke_client
from gridgov.registry import gazetteer_build

# The GeoReport v2 schemas and the patched Swagger file, in the shared folder beside the checkout.
SCHEMAS = Path(__file__).resolve().parents[3].parent / "shared" / "open311"
POINT_A = (113.605, 34.7175)
POINT_B = (113.625, 34.7175)
PHONE = "13912345678"
ID_NUMBER = "410105198001010017"


def _schema(name: str) -> dict:
    schema = json.loads((SCHEMAS / name).read_text())

    def inline(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.endswith(".json"):
                return inline(json.loads((SCHEMAS / ref).read_text()))
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return inline(schema)


def valid(name: str, data) -> None:
    validator = jsonschema_rs.Draft4Validator(_schema(name))
    errors = [str(e) for e in validator.iter_errors(data)]
    assert not errors, errors


NUMBERS = {"lat", "long", "code", "order"}
BOOLEANS = {"metadata", "variable", "required"}


def parse_xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 (our own answer)


def xml_to_json(text: str):
    """The XML answer in the JSON answer's shape: the root's children as a list of objects."""
    root = parse_xml(text.encode())

    def value(el):
        if len(el):
            return {c.tag: value(c) for c in el}
        if el.text is None:
            return None
        if el.tag in NUMBERS:
            return float(el.text) if el.tag in ("lat", "long") else int(el.text)
        if el.tag in BOOLEANS:
            return el.text == "true"
        return el.text

    return root.tag, [value(c) for c in root]


@pytest.fixture
def o311(users, tree):
    client, key = issue_client(
        users["admin"], name="第三方客户端", kind="open311", area_codes=[STREET_A]
    )
    gazetteer_build.import_addresses(
        users["admin"],
        [{"kind": "landmark", "name": "经八路小学", "lon": "113.604", "lat": "34.716"}],
        dry_run=False,
    )
    return {"client": client, "key": key, "users": users}


def post(c: Client, fmt: str = "json", **data):
    return c.post(f"/open311/v2/requests.{fmt}", data)


def test_services_and_definitions_in_json_and_xml(o311):
    c = Client()
    answer = c.get("/open311/v2/services.json", {"jurisdiction_id": DISTRICT})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    services = answer.json()
    valid("services.json", services)
    codes = {s["service_code"] for s in services}
    assert "E0102" in codes and "C0101" in codes
    assert not {c for c in codes if c.startswith(("E05", "E06", "C05"))}  # about people: never
    xml = c.get("/open311/v2/services.xml")
    assert xml["Content-Type"].startswith("text/xml")
    assert xml.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root, items = xml_to_json(xml.content.decode())
    assert root == "services" and parse_xml(xml.content)[0].tag == "service"
    valid("services.json", items)
    assert items == services
    definition = c.get("/open311/v2/services/E0102.json").json()
    valid("service-definition.json", definition)
    root, _ = xml_to_json(c.get("/open311/v2/services/E0102.xml").content.decode())
    assert root == "service_definition"
    assert c.get("/open311/v2/services/E0601.json").status_code == 404
    discovery = c.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2/")
    assert xml_to_json(c.get("/open311/v2/discovery.xml").content.decode())[0] == "discovery"


def test_errors_in_the_spec_shape(o311):
    c = Client()
    bad = c.get("/open311/v2/services.json", {"jurisdiction_id": "nowhere"})
    assert bad.status_code == 404
    assert bad.json() == [{"code": 404, "description": bad.json()[0]["description"]}]
    bad_xml = c.get("/open311/v2/services.xml", {"jurisdiction_id": "nowhere"})
    root = parse_xml(bad_xml.content)
    assert root.tag == "errors" and root[0].tag == "error" and root[0].find("code").text == "404"
    no_key = post(c, service_code="E0102", lat=POINT_A[1], long=POINT_A[0])
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    window = c.get(
        "/open311/v2/requests.json",
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
    )
    assert window.status_code == 400 and window.json()[0]["code"] == 400
    assert c.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert c.get("/open311/v2/requests.json", {"status": "maybe"}).status_code == 400
    assert c.get("/open311/v2/requests/nope.json").status_code == 404
    assert c.get("/open311/v2/tokens/nope.json").status_code == 404
    assert c.get("/open311/v2/services.csv").status_code == 404


def test_post_becomes_a_case_once_and_resolves_by_token(o311):
    c = Client()
    data = {"api_key": o311["key"], "service_code": "E0102", "lat": POINT_A[1],
            "long": POINT_A[0], "description": f"垃圾堆在路边，联系我 {PHONE} 身份证 {ID_NUMBER}",
            "first_name": "王", "last_name": "五", "phone": PHONE}  # fmt: skip
    first = post(c, **data)
    assert first.status_code == 200, first.content
    valid_shape = first.json()
    assert set(valid_shape[0]) == {"service_request_id", "token", "service_notice", "account_id"}
    again = post(c, **data)
    assert again.json()[0]["service_request_id"] == valid_shape[0]["service_request_id"]
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 1
    case = Case.objects.get(channel=Channel.OPEN311)
    assert case.category.code == "E0102" and case.area_code.startswith(STREET_A)
    assert case.reporter_name == "王 五" and case.reporter_phone == PHONE
    assert case.events.filter(actor=system_user(OPEN311)).exists()
    token = valid_shape[0]["token"]
    resolved = c.get(f"/open311/v2/tokens/{token}.json").json()
    assert resolved == [{"service_request_id": case.number, "token": token}]
    root, items = xml_to_json(c.get(f"/open311/v2/tokens/{token}.xml").content.decode())
    assert root == "service_requests" and items == resolved
    # The request as the public sees it: no reporter, numbers redacted, point snapped.
    one = c.get(f"/open311/v2/requests/{case.number}.json").json()
    valid("requests.json", one)
    text = json.dumps(one, ensure_ascii=False)
    assert PHONE not in text and ID_NUMBER not in text and "王" not in text
    assert one[0]["lat"] == round(POINT_A[1], 3) and one[0]["status"] == "open"
    assert one[0]["requested_datetime"].endswith("+08:00")
    root, items = xml_to_json(c.get(f"/open311/v2/requests/{case.number}.xml").content.decode())
    assert root == "service_requests"
    valid("requests.json", items)
    assert items[0]["service_request_id"] == case.number
    # XML POST answers in the same layout; a new Idempotency-Key makes a new request.
    xml = c.post("/open311/v2/requests.xml", data, headers={"Idempotency-Key": "retry-key-1"})
    assert parse_xml(xml.content)[0].find("token").text
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 2


def test_post_by_address_and_outside_the_clients_areas(o311):
    c = Client()
    key = o311["key"]
    by_text = post(
        c, api_key=key, service_code="C0101", address_string="经八路小学", description="井盖"
    )
    case = Case.objects.get(channel=Channel.OPEN311)
    assert by_text.status_code == 200 and case.lon is not None and not case.needs_locating
    unknown = post(c, api_key=key, service_code="C0101", address_string="某个地方", description="x")
    assert unknown.status_code == 200
    assert Case.objects.filter(needs_locating=True, channel=Channel.OPEN311).count() == 1
    outside = post(c, api_key=key, service_code="C0101", lat=POINT_B[1], long=POINT_B[0])
    assert outside.status_code == 403
    assert post(c, api_key=key, service_code="C0101").status_code == 400
    assert (
        post(c, api_key=key, service_code="E0601", lat=POINT_A[1], long=POINT_A[0]).status_code
        == 404
    )
    assert post(c, api_key=key, service_code="C0101", lat="north", long=1).status_code == 400
    revoke_client(o311["users"]["admin"], o311["client"])
    assert (
        post(c, api_key=key, service_code="C0101", lat=POINT_A[1], long=POINT_A[0]).status_code
        == 403
    )


def test_search_filters_and_allow_list(o311):
    users = o311["users"]
    admin = users["admin"]
    made = {}
    for code, point in [("E0102", POINT_A), ("C0101", POINT_B), ("E0601", POINT_A)]:
        made[code], _ = case_services.report_case(
            actor=admin, channel=Channel.GRID_MEMBER, category=code,
            description=f"有人说 {PHONE}", lon=point[0], lat=point[1],
        )  # fmt: skip
    c = Client()
    listed = c.get("/open311/v2/requests.json").json()
    valid("requests.json", listed)
    ids = {r["service_request_id"] for r in listed}
    assert ids == {made["E0102"].number, made["C0101"].number}  # E0601 is about people
    assert all(r["description"] is None for r in listed)  # staff text is never public
    only = c.get("/open311/v2/requests.json", {"service_code": "C0101"}).json()
    assert [r["service_request_id"] for r in only] == [made["C0101"].number]
    assert c.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    both = c.get("/open311/v2/requests.json", {"status": "open,closed"}).json()
    assert len(both) == 2
    picked = c.get(
        "/open311/v2/requests.json",
        {"service_request_id": f"{made['E0102'].number},{made['E0601'].number},x"},
    ).json()
    assert [r["service_request_id"] for r in picked] == [made["E0102"].number]
    old = c.get("/open311/v2/requests.json", {"end_date": "2020-01-01T00:00:00+08:00"}).json()
    assert old == []
    paged = c.get("/open311/v2/requests.json", {"page_size": 1, "page": 2}).json()
    assert len(paged) == 1
    root, items = xml_to_json(c.get("/open311/v2/requests.xml").content.decode())
    assert root == "service_requests" and len(items) == 2
    valid("requests.json", items)
    assert c.get(f"/open311/v2/requests/{made['E0601'].number}.json").status_code == 404
