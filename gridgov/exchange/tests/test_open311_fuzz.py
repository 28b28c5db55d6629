"""schemathesis against the published (path-patched) Swagger description of GeoReport v2: every
operation, valid and invalid requests, derandomized and small. The server never fails, answers
only documented statuses, and each JSON answer of 200 fits the GeoReport JSON schemas."""

import json
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from gridgov.areas.testing import DISTRICT
from gridgov.cases.services import report_case
from gridgov.exchange.services.clients import issue_client
from gridgov.exchange.tests.test_open311 import SCHEMAS, _schema
from gridgov.wsgi import application

EXAMPLES = 8
FIXED = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "phases": [Phase.explicit, Phase.generate],
}
ANSWER_SCHEMAS = {
    "/requests.{response_format}": {"GET": "requests.json"},
    "/requests/{service_request_id}.{response_format}": {"GET": "requests.json"},
    "/services.{response_format}": {"GET": "services.json"},
    "/services/{service_code}.{response_format}": {"GET": "service-definition.json"},
}


def _swagger() -> dict:
    raw = json.loads(Path(SCHEMAS, "swagger-patched.json").read_text())
    raw["basePath"] = "/open311/v2"
    raw.pop("host", None)
    return raw


@pytest.fixture(autouse=True)
def _keep_the_test_connection(kept_connection):
    """The application is called directly (see gridgov.conftest.kept_connection)."""


@pytest.mark.slow
def test_open311_against_the_swagger_description(users, tree):
    admin = users["admin"]
    _client, key = issue_client(admin, name="fuzz", kind="open311", area_codes=[DISTRICT])
    report_case(actor=admin, channel="grid_member", category="E0102", description="垃圾",
                lon=113.605, lat=34.7175)  # fmt: skip
    schema = schemathesis.openapi.from_dict(_swagger())
    seen = {"calls": 0, "ok": 0}
    for result in schema.get_all_operations():
        _fuzz(result.ok(), key, seen)
    assert seen["calls"] >= 6 * EXAMPLES // 2 and seen["ok"] > 0, seen


def _fuzz(operation, key: str, seen: dict) -> None:
    documented = {int(s) for s in operation.definition.raw.get("responses", {})}
    answer_schema = ANSWER_SCHEMAS.get(operation.path, {}).get(operation.method.upper())
    validator = jsonschema_rs.Draft4Validator(_schema(answer_schema)) if answer_schema else None
    cases = st.tuples(
        st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ),
        st.booleans(),
        st.booleans(),
    )
    label = f"{operation.method.upper()} {operation.path}"

    @settings(max_examples=EXAMPLES, **FIXED)
    @given(drawn=cases)
    def fuzz(drawn):
        case, real_key, our_jurisdiction = drawn
        if isinstance(case.query, dict):
            if real_key and operation.method.upper() == "POST":
                case.query["api_key"] = key
            if our_jurisdiction:
                case.query["jurisdiction_id"] = DISTRICT
        # Plain answers: the test transport does not undo gzip (schemathesis asks for it).
        response = case.call(app=application, headers={"Accept-Encoding": "identity"})
        seen["calls"] += 1
        assert response.status_code < 500, (label, case.path_parameters, case.query)
        assert response.status_code in documented | {404}, (label, response.status_code)
        fmt = (case.path_parameters or {}).get("response_format")
        if response.status_code == 200 and fmt == "json" and validator is not None:
            seen["ok"] += 1
            errors = [str(e) for e in validator.iter_errors(response.json())]
            assert not errors, (label, errors)

    fuzz()
