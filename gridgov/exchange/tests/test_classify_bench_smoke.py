"""bench/classify.py at its --smoke size works and stays quick."""

import importlib
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.mark.django_db
def test_classify_bench_smoke(monkeypatch):
    from gridgov.exchange.services import classify

    classify.tokens("预热")  # jieba's dictionary, loaded once per process
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("classify", None)
    bench = importlib.import_module("classify")
    started = time.monotonic()
    figures = bench.measure(smoke=True)
    assert time.monotonic() - started < 20
    assert figures["classify_eval_texts"] == 420
    assert 0 < figures["classify_top1_accuracy"] <= figures["classify_top3_accuracy"] <= 1
    assert figures["classify_p95_ms"] > 0 and figures["classify_training_s"] > 0
