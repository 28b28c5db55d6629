"""bench/exchange.py at its --smoke size works: every webhook arrives, signed, though the sender
is killed twice; the feed reads every event; a district's backlog reaches a second platform
with nothing lost or doubled."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_exchange_bench_smoke():
    done = subprocess.run(
        [sys.executable, "bench/exchange.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "DATABASE_URL": "", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = dict(re.findall(r"^BENCH (\S+) (\S+)", done.stdout, re.M))
    assert figures["webhook_lost_or_doubled"].startswith("0/")
    assert float(figures["webhook_events_per_s"]) > 0
    assert float(figures["change_feed_events_per_s"]) > 0
    assert figures["federation_lost_or_doubled"] == "0/0"
    assert float(figures["federation_catchup_events_per_s"]) > 0
