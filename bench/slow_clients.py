"""Slow clients: does the web front keep answering everyone while phones on a weak network hold
connections open? For each front, 100 clients send their request headers one line a second and
100 upload 2 MB bodies at 20 KB/s, while a normal client asks for the sign-in page in a loop:
the p95 of its answers is the figure (a request that gets no answer within 10 s counts as 10 s).
Each front's request rate on a hello-world WSGI app (wrk, 32 connections) is printed beside.

Fronts: granian (what `gridgov serve` runs), gunicorn sync workers alone (what it ran before),
gunicorn behind nginx (when nginx is installed). Two web processes each.

    .venv/bin/python bench/slow_clients.py            # 100 + 100 slow connections, 30 s a front
    .venv/bin/python bench/slow_clients.py --smoke    # the same connections, 6 s a front
    BENCH_FRONTS=granian .venv/bin/python bench/slow_clients.py --smoke   # one front (the suite)
"""

import asyncio
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _setup import ROOT, SMOKE, ensure_wrk, free_port, scratch

# Idle connections cost the machine little: --smoke holds as many, only for a shorter time.
HEADER_CLIENTS = 100
BODY_CLIENTS = 100
BODY_BYTES = 2 * 1024 * 1024
BODY_RATE = 20 * 1024  # bytes per second and client
SECONDS = 6 if SMOKE else 30
HELLO_SECONDS = 3 if SMOKE else 15
NO_ANSWER_S = 10.0
PAGE = "/accounts/login/"
# A valid CSRF pair, so that the sign-in view reads the whole body (a form post of a photo's size).
CSRF = "a" * 32


def hello(environ, start_response):
    """The hello-world app each front serves for the request-rate figure."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "12")])
    return [b"Hello world\n"]


def gunicorn(port: int, app: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--log-level",
        "error",
    ]


def granian(port: int, app: str) -> list[str]:
    from gridgov.jobs.management.commands.serve import web_command

    command = web_command("127.0.0.1", port, 2, "", "")
    return [c for c in command[:-1] if c != "--access-log"] + [app]


NGINX_CONF = """
daemon off;
%(user)s
worker_processes 1;
pid %(folder)s/nginx.pid;
error_log %(folder)s/nginx-error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %(folder)s/nginx-body;
  proxy_temp_path %(folder)s/nginx-proxy;
  fastcgi_temp_path %(folder)s/nginx-fastcgi;
  uwsgi_temp_path %(folder)s/nginx-uwsgi;
  scgi_temp_path %(folder)s/nginx-scgi;
  client_max_body_size 60m;
  client_header_timeout 30s;
  client_body_timeout 30s;
  server {
    listen 127.0.0.1:%(port)d;
    location / {
      proxy_pass http://127.0.0.1:%(upstream)d;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_request_buffering on;
    }
  }
}
"""


class Front:
    """One front on a free port, started and stopped as a unit."""

    def __init__(self, name: str, folder: Path, env: dict, app: str, cwd: Path):
        self.name, self.port, self.processes = name, free_port(), []
        if name == "nginx":
            upstream = free_port()
            conf = folder / f"nginx-{self.port}.conf"
            user = "user root;" if os.geteuid() == 0 else ""
            conf.write_text(
                NGINX_CONF
                % {"user": user, "folder": folder, "port": self.port, "upstream": upstream}
            )
            self._start(gunicorn(upstream, app), env, cwd)
            self._start([shutil.which("nginx"), "-c", str(conf), "-p", str(folder)], env, cwd)
        else:
            self._start((granian if name == "granian" else gunicorn)(self.port, app), env, cwd)
        self._wait_ready()

    def _start(self, argv: list[str], env: dict, cwd: Path) -> None:
        self.processes.append(subprocess.Popen(argv, env=env, cwd=cwd, start_new_session=True))

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", PAGE)
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        for p in self.processes:
            os.killpg(p.pid, 15)
        for p in self.processes:
            p.wait(timeout=30)


class SlowLoad:
    """Slow-header and slow-body clients on an event loop of their own thread."""

    def __init__(self, port: int):
        self.port = port
        self.stopping = False
        self.open = 0
        self.reconnects = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),))

    async def _run(self) -> None:
        tasks = [self._client(self._headers) for _ in range(HEADER_CLIENTS)]
        tasks += [self._client(self._body) for _ in range(BODY_CLIENTS)]
        await asyncio.gather(*tasks)

    async def _client(self, send) -> None:
        while not self.stopping:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.5)
                continue
            self.open += 1
            try:
                await send(writer)
            except OSError:
                self.reconnects += 1
            finally:
                self.open -= 1
                writer.close()

    async def _headers(self, writer) -> None:
        writer.write(f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        n = 0
        while not self.stopping:
            await asyncio.sleep(1)
            n += 1
            writer.write(f"X-Slow-{n}: {n}\r\n".encode())
            await writer.drain()

    async def _body(self, writer) -> None:
        start = f"csrfmiddlewaretoken={CSRF}&username=slow&password="
        writer.write(
            (
                f"POST {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Cookie: csrftoken={CSRF}\r\n"
                f"Content-Length: {BODY_BYTES}\r\n\r\n{start}"
            ).encode()
        )
        sent, chunk = len(start), BODY_RATE // 5
        while not self.stopping and sent < BODY_BYTES:
            await asyncio.sleep(0.2)
            part = min(chunk, BODY_BYTES - sent)
            writer.write(b"x" * part)
            await writer.drain()
            sent += part

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while self.open < HEADER_CLIENTS + BODY_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # the slow clients now hold whatever they can hold
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join(timeout=10)


def normal_requests(port: int, seconds: float) -> tuple[list[float], int]:
    """Ask for the sign-in page in a loop; latencies (no answer = NO_ANSWER_S) and failures."""
    latencies, failures, n = [], 0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n += 1
        rid = f"bench-slow-{n:06d}"
        t = time.perf_counter()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=NO_ANSWER_S)
            c.request("GET", PAGE, headers={"X-Request-ID": rid})
            r = c.getresponse()
            r.read()
            c.close()
            ok = r.status == 200 and r.getheader("X-Request-ID") == rid
            latencies.append(time.perf_counter() - t)
        except OSError:
            ok = False
            latencies.append(NO_ANSWER_S)
        failures += not ok
        time.sleep(0.1)
    return latencies, failures


def hello_rate(wrk: str, port: int) -> float:
    out = subprocess.run(
        [wrk, "-t", "2", "-c", "32", "-d", f"{HELLO_SECONDS}s", f"http://127.0.0.1:{port}/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    fronts = ["granian", "gunicorn"] + (["nginx"] if shutil.which("nginx") else [])
    if "nginx" not in fronts:
        print("nginx is not installed: gunicorn behind nginx is skipped")
    chosen = os.environ.get("BENCH_FRONTS")
    if chosen:
        fronts = [f for f in fronts if f in chosen.split(",")]
    wrk = ensure_wrk()
    with scratch("slow-clients") as folder:
        env = {
            **os.environ,
            "GRIDGOV_VAR_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "GRIDGOV_DEBUG": "0",
            "GRIDGOV_LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
        }
        from gridgov.tests.migrated import migrated_database

        # a copy of the migrated database this code makes (made once, kept in var/migrated)
        shutil.copyfile(migrated_database(), folder / "bench.sqlite3")
        for name in fronts:
            front = Front(name, folder, env, "slow_clients:hello", ROOT / "bench")
            try:
                rate = hello_rate(wrk, front.port)
            finally:
                front.stop()
            front = Front(name, folder, env, "gridgov.wsgi:application", ROOT)
            try:
                normal_requests(front.port, 1)  # warm the processes first
                quiet, _ = normal_requests(front.port, 2)
                with SlowLoad(front.port) as load:
                    held = load.open
                    latencies, failures = normal_requests(front.port, SECONDS)
                    reconnects = load.reconnects
            finally:
                front.stop()
            print(
                f"{name:<9} hello {rate:>8,.0f} req/s | sign-in page p95 {p95(quiet) * 1000:,.0f} ms "
                f"quiet, {p95(latencies) * 1000:,.0f} ms with {held} slow connections held "
                f"({len(latencies)} requests, {failures} unanswered or wrong, "
                f"{reconnects} slow clients dropped by the server)"
            )
            print(f"BENCH slow_clients_{name}_hello_rps {rate:.0f} req/s")
            print(f"BENCH slow_clients_{name}_p95_ms {p95(latencies) * 1000:.0f} ms")
            print(f"BENCH slow_clients_{name}_failed {failures}")


if __name__ == "__main__":
    main()
