"""The benches' throw-away folders go when a bench ends, also when it fails or is stopped."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BENCH = Path(settings.BASE_DIR) / "bench"
SCRIPT = """
import os, signal, sys, time
import _setup
folder = _setup.throwaway("selftest")
(folder / "bench.sqlite3").write_bytes(b"x" * 1000)
print(folder, flush=True)
if sys.argv[1] == "fail":
    raise RuntimeError("the bench fails")
if sys.argv[1] == "term":
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
"""


@pytest.mark.parametrize(("how", "code"), [("ok", 0), ("fail", 1), ("term", 143)])
def test_the_folder_is_deleted_however_the_bench_ends(how, code):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, how], cwd=BENCH, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == code, done.stderr
    folder = Path(done.stdout.split()[0])
    assert folder.name.startswith("gridgov-bench-selftest-")
    assert not folder.exists()


def test_keep_leaves_it():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "ok", "--keep"],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=30,
    )
    folder = Path(done.stdout.split()[0])
    try:
        assert folder.exists() and f"kept {folder}" in done.stdout
    finally:
        (folder / "bench.sqlite3").unlink()
        folder.rmdir()
