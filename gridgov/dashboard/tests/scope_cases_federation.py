"""The city cockpit's federation panel in the scope matrix: street A's operator sees no member
outside street A (member B, registered by exchange's federation setup, sits on street B), and
street B's code answers 404; the administrator sees member B."""

from gridgov.dashboard.tests.scope_cases import STREET_B_NAME
from gridgov.tests.scope import Case

CASES = [
    Case("api/v1/cockpit/federation", lambda w: "/api/v1/cockpit/federation?area=410105002"),
    Case(
        "api/v1/cockpit/federation",
        lambda w: "/api/v1/cockpit/federation",
        expect=200,
        absent=lambda w: [STREET_B_NAME],
    ),
]
