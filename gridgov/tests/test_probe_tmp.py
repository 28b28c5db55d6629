import json
import pytest
from gridgov.accounts.services import issue_token

CASES = [
    ("post", "/api/v1/cases", '{"description": "a\\ud800b", "address": "x"}', "application/json"),
    ("post", "/api/v1/cases", '{"description": "a\\u0001b", "address": "x"}', "application/json"),
    ("post", "/api/v1/cases", "[" * 100000 + "]" * 100000, "application/json"),
    ("post", "/api/v1/cases", '{"description": ' + "[" * 5000 + "]" * 5000 + "}", "application/json"),
    ("post", "/api/v1/areas", json.dumps({"code": "410105001009", "name": "x", "level": "grid", "parent_code": "410105001", "geometry": {"type": "Polygon", "coordinates": "COORD"}}).replace('"COORD"', "[" * 3000 + "]" * 3000), "application/json"),
    ("put", "/api/v1/areas/410105001001/boundary", '{"geometry": ' + "{\"a\":" * 3000 + "1" + "}" * 3000 + "}", "application/json"),
    ("post", "/api/v1/cases", "[]", "application/json"),
    ("post", "/api/v1/cases", '"x"', "application/json"),
    ("post", "/api/v1/cases", '{"description": "a", "address": "x"}', "text/plain"),
    ("post", "/api/v1/cases", "description=a&address=x", "application/x-www-form-urlencoded"),
    ("post", "/api/v1/cases", b"\xff\xfe{", "application/json"),
    ("post", "/api/v1/people", json.dumps({"name": "张三", "former_name": "x" * 1000}), "application/json"),
    ("post", "/api/v1/people", json.dumps({"name": "张三", "ethnicity": "x" * 1000}), "application/json"),
    ("post", "/api/v1/people", json.dumps({"name": "张三", "registration": "nonsense"}), "application/json"),
    ("post", "/api/v1/areas", json.dumps({"code": "4101050010091" * 5, "name": "x" * 500, "level": "grid", "parent_code": "410105001"}), "application/json"),
    ("post", "/api/v1/auth/token", '{"username": "\\udc80", "password": "x"}', "application/json"),
    ("get", "/api/v1/cases?q=%ED%A0%80&area=%ED%A0%80", None, None),
    ("get", "/api/v1/areas?q=" + "x" * 5000, None, None),
    ("post", "/api/v1/cases/1/rating", json.dumps({"score": 3, "note": "x" * 100000}), "application/json"),
    ("patch", "/api/v1/areas/410105001001", json.dumps({"name": "x" * 500, "note": "y" * 100000}), "application/json"),
]


@pytest.mark.parametrize("i", range(len(CASES)))
def test_probe(i, tree, users, client):
    method, url, body, ct = CASES[i]
    token = issue_token(users["admin"])
    kw = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kw.update(data=body, content_type=ct)
    client.raise_request_exception = False
    r = getattr(client, method)(url, **kw)
    print("\nPROBE", i, r.status_code, json.loads(r.content).get("message") if r.get("Content-Type","").startswith("application/json") else r.content[:80])
    assert r.status_code < 500
