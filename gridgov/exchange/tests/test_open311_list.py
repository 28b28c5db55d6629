"""`GET /open311/v2/requests` on the core at the scale it is built for: both ways of reading
(a rare service_code on the category index, the rest newest first on created_at) give the same
rows in the same order, pages follow one another, and the number of queries does not grow with
the page size (no query per row)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.areas.testing import STREET_A
from gridgov.cases.models import Case, Category
from gridgov.exchange.open311 import mapping

CODES = ["C0101", "C0102", "E0102", "E0601"]  # E0601 is about people: never listed


@pytest.fixture
def many(tree, taxonomy):
    cats = {c.code: c for c in Category.objects.filter(code__in=CODES)}
    now = timezone.now()
    statuses = ["reported", "closed", "dispatched"]
    rows = []
    for i in range(120):
        rows.append(
            Case(
                title="井盖", channel="grid_member", category=cats[CODES[i % 4]],
                status=statuses[i % 3], area_code=f"{STREET_A}00101", level_code=STREET_A,
                lon=113.605, lat=34.7175, created_at=now - datetime.timedelta(hours=i // 2),
            )
        )  # fmt: skip
    Case.objects.bulk_create(rows)
    return now


def _ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.content[:200]
    return [r["service_request_id"] for r in answer.json()]


def _expected(codes: list[str], status: str = "") -> list[str]:
    rows = Case.objects.filter(category__code__in=codes).order_by("-created_at", "-id")
    if status == "open":
        rows = rows.exclude(status="closed")
    return [c.number for c in rows]


@pytest.mark.parametrize("sorted_rows", [0, 10_000], ids=["newest-first", "category-index"])
def test_both_ways_of_reading_agree(many, monkeypatch, sorted_rows):
    monkeypatch.setattr(mapping, "SORTED_ROWS", sorted_rows)
    c = Client()
    public = ["C0101", "C0102", "E0102"]
    assert _ids(c.get("/open311/v2/requests.json", {"page_size": "200"})) == _expected(public)
    only = _ids(c.get("/open311/v2/requests.json", {"service_code": "C0102", "status": "open"}))
    assert only == _expected(["C0102"], "open") and only
    assert _ids(c.get("/open311/v2/requests.json", {"service_code": "E0601"})) == []
    pages = [
        _ids(c.get("/open311/v2/requests.json", {"page_size": "25", "page": str(n)}))
        for n in (1, 2, 3, 4)
    ]
    assert [len(p) for p in pages] == [25, 25, 25, 15]
    assert [n for page in pages for n in page] == _expected(public)


def test_the_number_of_queries_does_not_grow_with_the_page_size(many):
    c = Client()
    c.get("/open311/v2/requests.json")  # warm
    counts = {}
    for size in ("1", "90"):
        with CaptureQueriesContext(connection) as queries:
            found = _ids(c.get("/open311/v2/requests.json", {"page_size": size}))
        counts[size] = len(queries.captured_queries)
        assert len(found) == int(size)
    assert counts["1"] == counts["90"]
    with CaptureQueriesContext(connection) as queries:
        xml = c.get("/open311/v2/requests.xml", {"page_size": "90"})
    assert xml.status_code == 200 and xml.content.count(b"<request>") == 90
    assert len(queries.captured_queries) == counts["90"]
