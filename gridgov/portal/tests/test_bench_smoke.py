"""bench/portal.py at its --smoke size works and stays quick."""

import importlib
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.mark.django_db
def test_portal_bench_smoke(monkeypatch, tree):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("portal", None)
    bench = importlib.import_module("portal")
    started = time.monotonic()
    figures = bench.measure(smoke=True)
    assert time.monotonic() - started < 20
    assert figures["reports"] == 2_000 and figures["found_mean"] > 0
    assert figures["nearby_p95_ms"] > 0
