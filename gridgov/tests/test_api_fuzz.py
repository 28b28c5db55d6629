"""Bad input gets a 4xx, never a 500: schemathesis generates requests for every operation of the
OpenAPI schema (valid and invalid ones) and for chains of linked operations (an id one answer gives
is used by the next request), and checks that the server never fails.

Each operation is its own test item (its node id names the operation), so `pytest -n 2` spreads
them over the workers and runs every one. The size is fixed and the generation derandomized, so a
run is repeatable; the counts are recorded on each test and summed in a closing line
("fuzz: N operations, M examples, K server errors", see gridgov/tests/conftest.py)."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from gridgov.accounts.services import issue_token
from gridgov.cases.services import report_case
from gridgov.registry.models import House
from gridgov.registry.services import generate_houses, save_building, save_person
from gridgov.wsgi import application

EXAMPLES_PER_OPERATION = 25
CHAINS = 10
STEPS_PER_CHAIN = 6

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OPERATIONS = {result.ok().label: result.ok() for result in schema.get_all_operations()}

FIXED = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "phases": [Phase.explicit, Phase.generate, Phase.shrink],
}


@pytest.fixture(autouse=True)
def _keep_the_test_connection(kept_connection):
    """The application is called directly (see gridgov.conftest.kept_connection)."""


@pytest.fixture
def auth(tree, users):
    """A district operator's token, with a case, a building and a person to find and link to."""
    admin = users["admin"]
    report_case(actor=admin, channel="api", description="井盖缺失", lon=113.605, lat=34.7175)
    building = save_building(
        {
            "code": "B-1",
            "name": "1号楼",
            "address": "经八路1号",
            "units": 1,
            "floors": 1,
            "rooms_per_floor": 1,
            "lon": 113.605,
            "lat": 34.7175,
        },
        actor=admin,
    )
    generate_houses(building, actor=admin)
    save_person(
        {
            "name": "张三",
            "other_id_type": "passport",
            "other_id": "E1",
            "registration": "registered",
        },
        actor=admin,
        house=House.objects.get(),
    )
    # Plain answers: the test transport does not undo gzip, and linked chains read the JSON.
    return {
        "Authorization": f"Bearer {issue_token(users['district'])}",
        "Accept-Encoding": "identity",
    }


# Text schemathesis rarely makes on its own: an unpaired surrogate, control characters, a formula,
# a value longer than any column, a right-to-left override.
HOSTILE_TEXT = ["\ud800", "a\x01b\x1b", "=HYPERLINK(1)", "名" * 5000, "\u202e", "\x00"]


def _poisoned(case, text: str):
    """A valid request with every text of its JSON body and query replaced by `text`."""
    if isinstance(case.body, dict) and case.media_type == "application/json":
        body = {k: text if isinstance(v, str) else v for k, v in case.body.items()}
        case.body = json.dumps(body).encode()  # as bytes: schemathesis cannot hold a surrogate
    if case.query and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        case.query = {k: text if isinstance(v, str) else v for k, v in case.query.items()}
    return case


class Tally:
    """Requests sent and server errors seen by one test, recorded as the test's properties."""

    def __init__(self, record_property, prefix: str):
        self.sent = 0
        self.server_errors = 0
        self.record_property = record_property
        self.prefix = prefix

    def send(self, case, **kwargs):
        self.sent += 1
        response = case.call(**kwargs)
        if response.status_code >= 500:
            self.server_errors += 1
        return response

    def record(self, **counts: int) -> None:
        for name, value in {**counts, "calls": self.sent}.items():
            self.record_property(f"fuzz_{self.prefix}_{name}", value)
        self.record_property("fuzz_server_errors", self.server_errors)


@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_never_fails(label, auth, record_property):
    operation = OPERATIONS[label]
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    cases = st.one_of(
        positive,
        operation.as_strategy(GenerationMode.NEGATIVE),
        st.builds(_poisoned, positive, st.sampled_from(HOSTILE_TEXT)),
    )
    tally = Tally(record_property, "operation")

    @settings(max_examples=EXAMPLES_PER_OPERATION, **FIXED)
    @given(case=cases)
    def fuzz(case):
        response = tally.send(case, headers=auth)
        case.validate_response(response, checks=[not_a_server_error])

    try:
        fuzz()
    finally:
        tally.record(count=1)


@pytest.mark.slow
def test_linked_operations_never_fail(auth, record_property):
    """Chains that feed one answer's ids and codes into the next request (links inferred from the
    schema: a case listed, then its timeline, an action on it, a rating...)."""
    tally = Tally(record_property, "linked")
    chains = []

    class Linked(schema.as_state_machine()):
        def setup(self):
            chains.append(1)

        def call(self, case, **kwargs):
            return tally.send(case, **kwargs)

        def get_call_kwargs(self, case):
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=[not_a_server_error])

    try:
        run_state_machine_as_test(
            Linked,
            settings=settings(max_examples=CHAINS, stateful_step_count=STEPS_PER_CHAIN, **FIXED),
        )
    finally:
        tally.record(chains=len(chains))
