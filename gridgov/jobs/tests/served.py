"""`gridgov serve` run as a real process for tests: the kept migrated SQLite database, and a server on a free port with its own data folder (HTTP, or HTTPS with a client
context that trusts the test's certificate authority)."""

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from gridgov.tests.migrated import migrated_database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def migrated() -> Path:
    """The migrated, empty database kept for this code (copied, never written)."""
    return migrated_database()


class Served:
    """A running `gridgov serve` with its own data folder; its output lines are collected.
    `tls` (a client context trusting the server's certificate) serves and asks over HTTPS;
    `args` go to serve, `env` into its environment."""

    def __init__(
        self,
        folder: Path,
        database: Path,
        hashed_static: bool = False,
        *,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
    ):
        self.port = free_port()
        self.tls = tls
        self.database = folder / "db.sqlite3"
        shutil.copy(database, self.database)
        self.env = {
            **os.environ,
            "GRIDGOV_VAR_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "GRIDGOV_LOG_LEVEL": "ERROR",
            # Collecting the static files costs a few seconds; one test below does.
            "GRIDGOV_STATIC_HASHED": "1" if hashed_static else "0",
            **(env or {}),
        }
        self.lines: list[str] = []
        command = ["serve", "--port", str(self.port), "--workers", "1", *args]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gridgov", *command],
            env=self.env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda: self.get("/accounts/login/", timeout=2)[0] == 200, 40)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def get(self, path: str, timeout: float = 5, headers: dict | None = None):
        try:
            r = self.fetch(path, timeout, headers)
            return r.status, r.getheader("X-Request-ID")
        except OSError:
            return None, None

    def fetch(self, path: str, timeout: float = 5, headers: dict | None = None):
        """The response, its body read into `.body`."""
        if self.tls is not None:
            c = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=timeout, context=self.tls
            )
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        r.body = r.read()
        return r

    def pids(self, name: str) -> list[int]:
        prefix = f"started {name} (pid "
        return [int(line[len(prefix) : -1]) for line in self.lines if line.startswith(prefix)]

    @staticmethod
    def wait_for(condition, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.2)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=40)
