"""What a public instance lists at `GET /open311/v2/requests`: the Open311 requests taken there
and the portal reports made there, merged, filtered, ordered and paged in SQL (one UNION ALL).
The rows are written straight into the tables, as the relay leaves them once the core has
numbered them (test_relay_actions.py goes the whole way through a core)."""

import datetime

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.accounts.system import SETUP, system_user
from gridgov.cases.models import Case
from gridgov.exchange.models import ClientKind
from gridgov.exchange.open311.mapping import when
from gridgov.exchange.services.clients import issue_client
from gridgov.portal.models import Moderation, PortalReport, RelayOut, RelayRequest, RelayState
from gridgov.portal.services import relay_open311
from gridgov.portal.tests.conftest import category

PUBLIC = override_settings(GRIDGOV_ROLE="public")
NOW = timezone.now().replace(microsecond=0)


def _public(number: str, at: datetime.datetime, status: str, code: str) -> dict:
    return {
        "service_request_id": number,
        "status": status,
        "service_code": code,
        "requested_datetime": when(at),
        "lat": 34.718,
        "long": 113.603,
    }


@pytest.fixture
def listed(portal):
    """Six numbered rows, alternating between the two tables, one hour apart (newest first:
    R0, P1, R2, P3, R4, P5), plus one of each not numbered yet."""
    client, _key = issue_client(
        system_user(SETUP), name="第三方", kind=ClientKind.OPEN311, area_codes=["410105001"]
    )
    lamp, cover = category("C0110"), category("C0102")
    numbers = []
    for i in range(8):
        at = NOW - datetime.timedelta(hours=i)
        code = "C0110" if i % 3 else "C0102"
        status = "closed" if i in (1, 2) else "open"
        number = f"20261201-{100 + i}" if i < 6 else ""
        public = _public(number, at, status, code) if number else {}
        if i % 2 == 0:
            row = RelayRequest.objects.create(
                token=f"t{i}", client=client, request_key=f"k{i}", service_code=code,
                next_attempt_at=at, core_number=number, public=public, state=RelayState.SENT,
            )  # fmt: skip
            RelayRequest.objects.filter(pk=row.pk).update(created_at=at)
        else:
            case = Case.objects.create(
                title="路灯", channel="portal", category=(lamp if code == "C0110" else cover).category,
                area_code="41010500100101", level_code="410105001001", created_at=at,
            )  # fmt: skip
            report = PortalReport.objects.create(
                case=case, number=f"P-{i}", category=lamp if code == "C0110" else cover,
                area_code="41010500100101", moderation=Moderation.PUBLISHED, created_at=at,
            )  # fmt: skip
            RelayOut.objects.create(
                report=report, next_attempt_at=at, core_number=number, public=public,
                state=RelayState.SENT,
            )  # fmt: skip
        numbers.append(number)
    return numbers


def _page(**terms) -> list[str]:
    base = {
        "codes": [],
        "statuses": set(),
        "start": NOW - datetime.timedelta(days=90),
        "end": NOW,
        "first": 0,
        "size": 100,
    }
    rows = relay_open311.public_page(**{**base, **terms})
    return [r["service_request_id"] for r in rows]


def test_both_sources_newest_first_and_paged(listed):
    assert _page() == listed[:6]
    assert _page(first=0, size=4) == listed[:4]
    assert _page(first=4, size=4) == listed[4:6]
    assert _page(first=2, size=2) == listed[2:4]


def test_filters_apply_to_both_sources(listed):
    assert _page(statuses={"closed"}) == [listed[1], listed[2]]
    assert _page(statuses={"open"}) == [listed[0], listed[3], listed[4], listed[5]]
    assert _page(statuses={"open", "closed"}) == listed[:6]
    assert _page(codes=["C0102"]) == [listed[0], listed[3]]
    assert _page(codes=["C0110"], statuses={"open"}) == [listed[4], listed[5]]
    hour = datetime.timedelta(hours=1)
    window = {"start": NOW - 3 * hour - datetime.timedelta(seconds=1), "end": NOW - hour}
    assert _page(**window) == listed[1:4]
    # The window is judged on the core's requested time, not on the time taken here.
    RelayOut.objects.filter(core_number=listed[1]).update(
        public=_public(listed[1], NOW - 10 * hour, "closed", "C0110")
    )
    assert _page(**window) == listed[2:4]


def test_by_number_from_either_source(listed):
    found = relay_open311.public_requests([listed[0], listed[1], "20261201-999"])
    assert sorted(found) == sorted(listed[:2])
    assert found[listed[1]]["status"] == "closed" and found[listed[1]]["service_code"] == "C0110"


def test_the_public_endpoint_pages_both_sources_in_a_constant_number_of_queries(listed):
    with PUBLIC:
        client = Client()
        answer = client.get("/open311/v2/requests.json", {"page_size": "2", "page": "2"})
        assert [r["service_request_id"] for r in answer.json()] == listed[2:4]
        with CaptureQueriesContext(connection) as small:
            client.get("/open311/v2/requests.json", {"page_size": "1"})
        with CaptureQueriesContext(connection) as large:
            answer = client.get("/open311/v2/requests.json", {"page_size": "6"})
        assert len(answer.json()) == 6
        assert len(large.captured_queries) == len(small.captured_queries)
        one = client.get(f"/open311/v2/requests/{listed[3]}.json").json()
        assert [r["service_request_id"] for r in one] == [listed[3]]
        ids = client.get("/open311/v2/requests.json", {"service_request_id": listed[5]})
        assert [r["service_request_id"] for r in ids.json()] == [listed[5]]
