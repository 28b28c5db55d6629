"""bench/positions.py at its --smoke size works and stays quick."""

import importlib
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.mark.django_db
def test_positions_bench_smoke(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("positions", None)
    bench = importlib.import_module("positions")
    monkeypatch.setattr(bench, "INGEST", 400)
    started = time.monotonic()
    figures = bench.measure(smoke=True, days=2, members=6)
    assert time.monotonic() - started < 20
    assert figures["positions_loaded"] == 6 * 2 * 240
    assert figures["ingested_through_service"] >= 400
    assert figures["live_members"] == 6
    for key in (
        "positions_ingest_vs_bare_ratio",
        "positions_track_p95_ms",
        "positions_coverage_p95_ms",
        "positions_live_p95_ms",
        "positions_disk_mb",
    ):
        assert figures[key] > 0, key
