"""`gridgov serve`: the web front (granian) and the background commands, supervised.

granian's Rust I/O layer reads request headers and bodies before a Python thread sees the
request, so clients on a slow network (photos from phones, half-open connections) hold no
worker. A background command that dies is started again; if the web front dies, serve stops
everything and exits non-zero so that systemd (or whatever started it) restarts the lot.
"""

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# A background command that dies sooner than this after its start waits before the next try,
# doubling each time up to RESTART_DELAY_MAX, so a command that cannot start does not spin.
STEADY_SECONDS = 10.0
RESTART_DELAY_MAX = 30.0
STOP_GRACE_SECONDS = 20.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: receive SIGTERM when serve itself goes away (even SIGKILLed)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def web_command(host: str, port: int, workers: int, cert: str, key: str) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # Threads running the Django app in each worker. granian holds a slow client's headers
        # itself, but hands the request over once they are in: a slow upload then holds one of
        # these threads while Django reads its body. With 32, a hundred phones uploading photos
        # over a weak network left no thread for anyone else (no answer within 10 s in
        # bench/slow_clients.py); idle threads cost nothing, and only running ones contend.
        "--blocking-threads",
        os.environ.get("GRIDGOV_WEB_THREADS", "256"),
        "--log-level",
        "warning",
        "--access-log",
        # Drop a client that has not sent its headers within 30 s.
        "--http1-header-read-timeout",
        "30000",
        "--workers-kill-timeout",
        "15",
        "--no-ws",
        "--respawn-failed-workers",
    ]
    if cert:
        command += ["--ssl-certificate", cert, "--ssl-keyfile", key]
    return [*command, "gridgov.wsgi:application"]


class Child:
    """One supervised process, in its own process group (granian starts worker processes)."""

    def __init__(self, name: str, argv: list[str]):
        self.name = name
        self.argv = argv
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.delay = 1.0
        self.due = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            self.argv,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self.started = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        # The whole group, also when its leader is gone: granian's workers must not outlive it.
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)


class Command(BaseCommand):
    help = "Serve the platform (granian) and run the background commands, restarting any that die."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("GRIDGOV_WEB_WORKERS", "2"))
        )
        parser.add_argument("--cert", default="", help="TLS certificate (PEM); serves HTTPS.")
        parser.add_argument("--key", default="", help="TLS private key (PEM, PKCS#8).")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Start no background commands (GRIDGOV_BACKGROUND_COMMANDS), only the web front.",
        )

    def handle(self, *args, host, port, workers, cert, key, no_worker, **options):
        if bool(cert) != bool(key):
            raise CommandError("--cert and --key go together.")
        accounts = settings.GRIDGOV_DEMO_ACCOUNTS_FILE
        if accounts.exists():
            self.stdout.write("Demo accounts:")
            for a in json.loads(accounts.read_text(encoding="utf-8")):
                self.stdout.write(f"  {a['username']:<28} {a['password']:<16} {a['label']}")
        if os.environ.get("GRIDGOV_STATIC_HASHED", "1") == "1":
            self._collect_static()
        if cert:  # the web front's settings: secure cookies and HSTS (the children inherit it)
            os.environ["GRIDGOV_HTTPS"] = "1"
        background = [] if no_worker else settings.GRIDGOV_BACKGROUND_COMMANDS
        children = [Child(" ".join(c), [sys.executable, "-m", "gridgov", *c]) for c in background]
        web = Child("web", web_command(host, port, workers, cert, key))
        stopping = []
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, lambda signum, frame: stopping.append(signum))
        for child in [web, *children]:
            child.start()
            self._say(f"started {child.name} (pid {child.process.pid})")
        scheme = "https" if cert else "http"
        self.stdout.write(
            self.style.SUCCESS(f"gridgov is serving on {scheme}://{host}:{port}/  (Ctrl-C stops)")
        )
        self.stdout.flush()
        status = 0
        try:
            while not stopping:
                if not web.alive():
                    code = web.process.returncode
                    self.stderr.write(f"the web front exited ({code}); stopping everything")
                    status = code if code > 0 else 1
                    break
                for child in children:
                    self._keep_running(child)
                time.sleep(0.2)
        finally:
            self._stop([web, *children])
        if status:
            sys.exit(status)

    def _keep_running(self, child: Child) -> None:
        if child.alive():
            if time.monotonic() - child.started > STEADY_SECONDS:
                child.delay = 1.0
            return
        now = time.monotonic()
        if not child.due:
            code = child.process.returncode
            self.stderr.write(
                f"{child.name} (pid {child.process.pid}) exited ({code}); "
                f"starting it again in {child.delay:.0f} s"
            )
            child.due = now + child.delay
            child.delay = min(child.delay * 2, RESTART_DELAY_MAX)
        if now >= child.due:
            child.due = 0.0
            child.start()
            self._say(f"started {child.name} (pid {child.process.pid})")

    def _stop(self, children: list[Child]) -> None:
        for child in children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.signal(signal.SIGKILL)
                child.process.wait()

    def _collect_static(self) -> None:
        """Static files under content-hashed names with gzip copies, which the web front serves
        cached for a year (see gridgov/static_files.py); the children inherit the setting."""
        os.environ["GRIDGOV_STATIC_HASHED"] = "1"
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "gridgov", "collectstatic", "--noinput", "--clear", "-v", "0"],
            check=True,
        )
        self._say(f"static files collected in {time.monotonic() - started:.1f} s")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
