"""Every bench runs at its --smoke size in the suite, so a bench the code has outgrown fails here
and not in front of someone who copied its command from the README.

The script benches set up their own database and servers, so they run here as processes (on
SQLite, once: under the PostgreSQL pass they would do the same again). The others are measured
in-process by their part's tests, named in IN_PROCESS.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.slow
ROOT = Path(settings.BASE_DIR)
BENCH = ROOT / "bench"

# bench → the BENCH figures its --smoke run must print
SCRIPTS = {
    "locate": {"locate_bulk", "locate_single_ms"},
    "import_people": {"import_people_sqlite"},
    "intake": {"intake_rps", "bare_insert_rps", "intake_vs_bare_ratio", "intake_lost_or_doubled"},
    "cockpit": {"cockpit_worst_p95_ms_sqlite", "cockpit_rollup_full_s_sqlite"},
    "phone": {
        "phone_first_load_s",
        "phone_repeat_load_s",
        "phone_shell_kb",
        "offline_bundle_kb",
        "offline_bundle_ms",
    },
    "slow_clients": {"slow_clients_granian_p95_ms", "slow_clients_granian_failed"},
}
# bench → the test that runs it in-process
IN_PROCESS = {
    "classify": "gridgov/exchange/tests/test_classify_bench_smoke.py",
    "exchange": "gridgov/exchange/tests/test_bench_smoke.py",
    "exchange_package": "gridgov/exchange/tests/test_catalogue_bench_smoke.py",
    "open311": "gridgov/exchange/tests/test_bench_open311.py",
    "lines": "gridgov/lines/tests/test_disputes_bench_smoke.py",
    "warning_fanout": "gridgov/warnings/tests/test_bench_smoke.py",
    "sms_throughput": "gridgov/notify/tests/test_bench_smoke.py",
    "positions": "gridgov/patrol/tests/test_tracks_bench_smoke.py",
    "portal": "gridgov/portal/tests/test_bench_smoke.py",
}
# benches that only run others, each in its own process
WRAPPERS = {"fanout": {"warning_fanout", "sms_throughput"}}
# Only the front `gridgov serve` runs: gunicorn alone waits 10 s per unanswered request by design.
ENV = {"slow_clients": {"BENCH_FRONTS": "granian"}}


def test_every_bench_is_run_by_the_suite():
    benches = {p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_")}
    assert benches == set(SCRIPTS) | set(IN_PROCESS) | set(WRAPPERS)
    for name, test in IN_PROCESS.items():
        text = (ROOT / test).read_text()
        assert f'"{name}"' in text or f"bench/{name}.py" in text, f"{test} does not run {name}"
    for name, halves in WRAPPERS.items():
        text = (BENCH / f"{name}.py").read_text()
        assert all(f"{half}.py" in text for half in halves)
        assert halves <= set(SCRIPTS) | set(IN_PROCESS)


def figures(output: str) -> dict[str, float]:
    return {k: float(v) for k, v in re.findall(r"^BENCH (\S+) ([-0-9.e]+)", output, re.M)}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_bench_script_smoke(name):
    if connection.vendor != "sqlite":
        pytest.skip("the bench scripts make their own SQLite databases: run on the SQLite pass")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ENV.get(name, {}))
    done = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    found = figures(done.stdout)
    assert SCRIPTS[name] <= set(found), (sorted(found), done.stdout[-2000:])
    assert all(v >= 0 for v in found.values()), found
    if name == "intake":
        assert found["intake_lost_or_doubled"] == 0, done.stdout[-1500:]
    if name == "import_people":
        assert found["import_people_sqlite"] > 0
    if name == "slow_clients":
        # the sign-in page kept answering while the slow clients held their connections
        assert found["slow_clients_granian_failed"] == 0, done.stdout[-1500:]
        assert found["slow_clients_granian_p95_ms"] < 10_000
