"""`gridgov serve` as a process: slow clients do not stall others, children are supervised."""

import contextlib
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve-template")
    env = {**os.environ, "GRIDGOV_VAR_DIR": str(folder)}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    subprocess.run([sys.executable, "-m", "gridgov", "migrate", "-v", "0"], env=env, check=True)
    return folder / "db.sqlite3"


class Served:
    """A running `gridgov serve` with its own data folder; its output lines are collected."""

    def __init__(self, folder: Path, database: Path, hashed_static: bool = False):
        self.port = _free_port()
        self.database = folder / "db.sqlite3"
        shutil.copy(database, self.database)
        self.env = {
            **os.environ,
            "GRIDGOV_VAR_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "GRIDGOV_LOG_LEVEL": "ERROR",
            # Collecting the static files costs a few seconds; one test below does.
            "GRIDGOV_STATIC_HASHED": "1" if hashed_static else "0",
        }
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gridgov", "serve", "--port", str(self.port), "--workers", "1"],
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


@pytest.fixture
def served(tmp_path, migrated):
    server = Served(tmp_path, migrated)
    yield server
    server.stop()


def test_static_files_are_served_under_hashed_names_compressed_and_cached_for_a_year(
    tmp_path, migrated
):
    server = Served(tmp_path, migrated, hashed_static=True)
    try:
        page = server.fetch("/accounts/login/").body.decode()
        css = re.search(r'href="(/static/gridgov/[\w./-]+\.[0-9a-f]{12}\.css)"', page)
        assert css, "the sign-in page links its style sheet by a hashed name"
        answer = server.fetch(css.group(1), headers={"Accept-Encoding": "gzip"})
        assert answer.status == 200 and answer.getheader("Content-Encoding") == "gzip"
        assert "immutable" in answer.getheader("Cache-Control")
        assert b"{" in gzip.decompress(answer.body)
        # The service worker precaches the same hashed names.
        config = json.loads(server.fetch("/m/sw.js").body.decode().split("\n", 1)[0][15:-1])
        assert config["shell"] and all(re.search(r"\.[0-9a-f]{12}\.", u) for u in config["shell"])
        assert server.fetch("/static/vendor/echarts/echarts.js").status == 404  # not collected
        assert any(line.startswith("static files collected in") for line in server.lines)
    finally:
        server.stop()


def _group_gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_normal_requests_are_answered_while_slow_clients_hold_connections(served):
    """30 clients sending headers a line a second and 30 uploading bodies at 1 KB/s hold
    connections; the sign-in page, with its request id, and a static file are still answered.
    (With gunicorn's sync workers alone, the first slow client took a worker each.)"""
    slow = []
    for _ in range(30):
        s = socket.create_connection(("127.0.0.1", served.port))
        s.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(s)
    for _ in range(30):
        s = socket.create_connection(("127.0.0.1", served.port))
        s.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Length: 2097152\r\n\r\ncsrfmiddlewaretoken=" + b"a" * 32 + b"&a="
        )
        slow.append(s)
    stop = threading.Event()

    def trickle() -> None:
        n = 0
        while not stop.wait(1):
            n += 1
            for i, s in enumerate(slow):
                with contextlib.suppress(OSError):
                    s.sendall(f"X-Slow-{n}: 1\r\n".encode() if i < 30 else b"x" * 1024)

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        time.sleep(1)
        latencies = []
        for n in range(20):
            rid = f"test-slow-{n:04d}"
            t = time.perf_counter()
            status, echoed = served.get("/accounts/login/", headers={"X-Request-ID": rid})
            latencies.append(time.perf_counter() - t)
            assert (status, echoed) == (200, rid)
        assert served.get("/static/vendor/leaflet/leaflet.js")[0] == 200
    finally:
        stop.set()
        feeder.join()
        for s in slow:
            s.close()
    latencies.sort()
    # p95 of 20 requests; the goal is 1 s, with room for a busy test machine.
    assert latencies[18] < 2.0, latencies


def test_a_killed_worker_is_started_again_and_sigterm_stops_everything(served):
    (worker,) = served.pids("worker")
    (web,) = served.pids("web")
    os.kill(worker, signal.SIGKILL)
    served.wait_for(lambda: len(served.pids("worker")) == 2, 20)
    replacement = served.pids("worker")[1]
    assert replacement != worker
    # The new worker runs a job queued now.
    queued = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridgov",
            "shell",
            "-c",
            "from gridgov.jobs.models import Job; print(Job.objects.create(kind='cases.sweep_deadlines').pk)",
        ],
        env=served.env,
        capture_output=True,
        text=True,
        check=True,
    )
    job = int(queued.stdout.strip().splitlines()[-1])

    def status() -> str:
        with sqlite3.connect(served.database, timeout=10) as db:
            return db.execute("SELECT status FROM jobs_job WHERE id = ?", [job]).fetchone()[0]

    served.wait_for(lambda: status() == "done", 30)
    assert served.stop() == 0
    assert _group_gone(web) and _group_gone(replacement)


def test_serve_exits_non_zero_when_the_web_front_dies(served):
    (web,) = served.pids("web")
    (worker,) = served.pids("worker")
    os.kill(web, signal.SIGKILL)
    assert served.process.wait(timeout=30) != 0
    served.wait_for(lambda: _group_gone(web) and _group_gone(worker), 10)


def test_children_do_not_outlive_a_killed_serve(served):
    """SIGKILL of serve itself (no chance to clean up): its children get SIGTERM from the kernel."""
    children = served.pids("web") + served.pids("worker")
    served.process.kill()
    served.process.wait(timeout=10)
    served.wait_for(lambda: all(_group_gone(pid) for pid in children), 30)
