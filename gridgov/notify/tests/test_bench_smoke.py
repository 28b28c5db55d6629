"""bench/sms_throughput.py --smoke: a real Kannel, a sender killed twice, nothing lost."""

import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from gridgov.jobs.tests.processes import ROOT
from gridgov.notify.testing.kannel import installed

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]


@pytest.mark.skipif(not installed(), reason="Kannel is not installed (make test installs it)")
def test_the_sms_throughput_bench_runs(migrated_db, tmp_path):
    database = tmp_path / "bench.sqlite3"
    shutil.copy(migrated_db, database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_"))}
    env["GRIDGOV_BENCH_DATABASE"] = str(database)
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "bench/sms_throughput.py", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(done.stdout, done.stderr[-2000:], f"{time.monotonic() - began:.1f} s", sep="\n")
    assert done.returncode == 0
    figures = dict(re.findall(r"^BENCH (\w+) (\S+)$", done.stdout, re.M))
    assert set(figures) == {
        "sms_throughput_per_s",
        "sms_vs_direct_ratio",
        "sms_lost",
        "sms_doubled",
    }
    assert float(figures["sms_throughput_per_s"]) > 0
    assert int(figures["sms_lost"]) == 0
    assert int(figures["sms_doubled"]) <= 8 * 2  # concurrency × kills
