"""bench/lines.py at its --smoke size works and stays quick."""

import importlib
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.mark.django_db
def test_lines_bench_smoke(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("lines", None)
    bench = importlib.import_module("lines")
    monkeypatch.setattr(bench, "RUNS", 10)
    started = time.monotonic()
    figures = bench.measure(smoke=True)
    assert time.monotonic() - started < 20
    assert figures["export_rows"] > 0 and figures["lines_export_rows_per_s"] > 0
    assert figures["lines_list_p95_ms"] > 0 and figures["lines_board_p95_ms"] > 0
    assert figures["lines_cockpit_p95_ms"] > 0
