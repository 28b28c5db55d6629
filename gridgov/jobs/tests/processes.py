"""Real `gridgov` processes on a throw-away SQLite file, for tests that kill them (SIGKILL)."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gridgov.tests.migrated import migrated_database

ROOT = Path(__file__).resolve().parents[3]
# `python -m gridgov ARGS`, with the test job kinds registered first
BOOT = "import gridgov.jobs.tests.kinds; from gridgov.cli import main; main()"


class Platform:
    """One installation in a folder: its environment, its database file and its processes."""

    def __init__(self, folder: Path, **settings: str):
        self.folder = folder
        self.db = folder / "gridgov.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")},
            "DATABASE_URL": f"sqlite:///{self.db}",
            "GRIDGOV_VAR_DIR": str(folder),
            "GRIDGOV_SECRET_KEY": "test-only",
            **settings,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, *args: str, name: str) -> subprocess.Popen:
        """Start `gridgov ARGS`; its output goes to `<name>.log` in the folder."""
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-c", BOOT, *args], env=self.env, cwd=ROOT, stdout=log, stderr=log
        )
        self.processes.append(process)
        return process

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", BOOT, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=timeout,
        )

    def python(self, code: str) -> str:
        """Run `code` with Django set up against this installation; return what it printed."""
        setup = "import django, gridgov.jobs.tests.kinds; django.setup()\n"
        done = subprocess.run(
            [sys.executable, "-c", setup + code],
            env={**self.env, "DJANGO_SETTINGS_MODULE": "gridgov.settings"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout.strip()

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db, timeout=30) as connection:
            return connection.execute(sql, params).fetchall()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)


def wait_for(check: Callable[[], object], timeout: float, what: str, every: float = 0.05):
    """Poll `check` until it returns something true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(every)


@pytest.fixture(scope="session")
def migrated_db() -> Path:
    """A migrated database file (gridgov/tests/migrated.py), copied for each test."""
    return migrated_database()


@pytest.fixture
def platform(migrated_db, tmp_path) -> Iterator[Callable[..., Platform]]:
    """`platform(**env)`: a fresh installation with those settings; its processes die at the end."""
    made: list[Platform] = []

    def make(**settings: str) -> Platform:
        folder = tmp_path / f"platform{len(made)}"
        folder.mkdir()
        shutil.copy(migrated_db, folder / "gridgov.sqlite3")
        made.append(Platform(folder, **settings))
        return made[-1]

    yield make
    for each in made:
        each.stop_all()
