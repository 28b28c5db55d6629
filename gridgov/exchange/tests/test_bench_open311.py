"""bench/open311.py at its --smoke size works and stays quick."""

import importlib
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench"


def test_open311_bench_smoke(tree, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("open311", None)
    bench = importlib.import_module("open311")
    started = time.monotonic()
    figures = bench.measure(smoke=True)
    # Well under 20 s on a quiet machine; generous for a loaded shared runner.
    assert time.monotonic() - started < 90
    assert figures["gazetteer_p95_ms"] > 0 and figures["open311_requests_p95_ms"] > 0
    assert figures["gazetteer_found_share"] > 0.7
