"""bench/warning_fanout.py at its --smoke size (the demo district) works and stays quick."""

import importlib
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.mark.django_db
def test_warning_fanout_bench_smoke(settings, monkeypatch):
    settings.GRIDGOV_REQUIRE_2FA = False
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.setenv("BENCH_POLLERS", "40")
    sys.modules.pop("warning_fanout", None)
    bench = importlib.import_module("warning_fanout")
    monkeypatch.setattr(bench, "POLLERS", 40)
    started = time.monotonic()
    figures = bench.measure(smoke=True)
    assert time.monotonic() - started < 20
    assert figures["receipts"] == 2 * figures["sms_rows"] > 300
    assert figures["warning_fanout_s"] > 0 and figures["ack_board_p95_ms"] > 0
    assert figures["poll_p95_ms"] > 0
