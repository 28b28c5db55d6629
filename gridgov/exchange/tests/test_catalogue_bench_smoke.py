"""bench/exchange_package.py at its --smoke size works: the incremental package holds exactly
the changed people, and verifies and decrypts with both suites."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_exchange_package_bench_smoke():
    done = subprocess.run(
        [sys.executable, "bench/exchange_package.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "DATABASE_URL": "", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = dict(re.findall(r"^BENCH (\S+) (\S+)", done.stdout, re.M))
    assert float(figures["exchange_package_s"]) > 0
    assert float(figures["exchange_package_mb"]) > 0
