"""Live gridgov instances for tests that need more than one platform (federation, a public
portal instance, …): each a real web server in a subprocess, with its own SQLite file and media
directory in a temporary folder.

Usage::

    from gridgov.tests.instances import Instances

    @pytest.fixture(scope="module")
    def instances(tmp_path_factory):
        with Instances(tmp_path_factory.mktemp("instances")) as made:
            yield made

    def test_two(instances):
        city = instances.start("city", env={"SOME_SETTING": "1"})
        city.manage("federation", "init-city", "--members", "410105")   # runs a command
        answer = city.json("federation", "status")          # a command printing JSON
        response = city.get("/healthz")                     # (status, body) over HTTP
        city.stop(); city.start()                           # same port, same database

- Every instance starts from a copy of one migrated database (gridgov/tests/migrated.py: made
  once per checkout and set of migrations), which costs a file copy instead of a migration.
- Ports are free ports taken at creation; an instance keeps its port across stop and start, so
  others can be configured with its `url` before it runs (`instances.create(...)`, then `start`).
- Each instance's environment: `DATABASE_URL`, `GRIDGOV_MEDIA_ROOT`, `GRIDGOV_VAR_DIR` (its own
  folder), `PYTHONPATH` (this checkout), plus what the test passes. Commands (`manage`) get the
  same environment, so they see the instance's database.
- `Instances.close()` (the end of the `with`) stops every instance still running; a server
  whose test process died goes with it (PR_SET_PDEATHSIG on Linux). That signal follows the
  *thread* that started the server: start servers from the main thread (`start_all` starts
  several side by side), never from a pool thread that ends.
- The web server is granian with one worker, as `gridgov serve` runs it (no background
  commands: tests drive jobs and the outbox with explicit commands, so they are deterministic).
"""

import contextlib
import ctypes
import json
import os
import pathlib
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import gridgov
from gridgov.tests.migrated import migrated_database

ROOT = pathlib.Path(gridgov.__file__).resolve().parent.parent
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)  # the runner ended


class Instance:
    """One platform: its folder, port, environment and (while running) its server process."""

    def __init__(self, name: str, folder: pathlib.Path, env: dict[str, str]):
        self.name = name
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = folder / "db.sqlite3"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db}",
            "GRIDGOV_MEDIA_ROOT": str(folder / "media"),
            "GRIDGOV_VAR_DIR": str(folder / "var"),
            "GRIDGOV_SECRET_KEY": f"instance-{name}-secret-key-for-tests-only",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            **env,
        }
        self.env.pop("GRIDGOV_TEST_SQLITE", None)
        self.process: subprocess.Popen | None = None
        self.log = folder / "server.log"
        self._commands: subprocess.Popen | None = None
        self._commands_env: dict[str, str] = {}
        self._commands_lock = threading.Lock()
        self._replies: queue.Queue[str | None] = queue.Queue()

    # --- commands ---------------------------------------------------------------------------

    def manage(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        """Run `gridgov <args>` against this instance's database; its standard output. Commands
        run in one long-lived process per instance (gridgov/tests/command_runner.py), started
        again when the test changed the instance's environment."""
        with self._commands_lock:
            runner = self._command_runner()
            assert runner.stdin is not None
            runner.stdin.write(json.dumps(list(args)) + "\n")
            runner.stdin.flush()
            try:
                line = self._replies.get(timeout=timeout)
            except queue.Empty:
                self.end_commands()
                raise RuntimeError(
                    f"{self.name}: gridgov {' '.join(args)} took over {timeout} s"
                ) from None
        if line is None:
            self.end_commands()
            log = (self.folder / "commands.log").read_text(errors="replace")[-4000:]
            raise RuntimeError(f"{self.name}: the command runner died:\n{log}")
        done = json.loads(line)
        if check and done["code"] != 0:
            raise RuntimeError(
                f"{self.name}: gridgov {' '.join(args)} failed ({done['code']}):\n"
                f"{done['stdout'][-2000:]}\n{done['stderr'][-4000:]}"
            )
        return done["stdout"]

    def _command_runner(self) -> subprocess.Popen:
        running = self._commands is not None and self._commands.poll() is None
        if running and self._commands_env == self.env:
            return self._commands
        self.end_commands()
        self._commands_env = dict(self.env)
        self._commands = subprocess.Popen(
            [sys.executable, "-m", "gridgov.tests.command_runner"],
            env=self._commands_env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self.folder / "commands.log").open("ab"),
            text=True,
            encoding="utf-8",
        )
        self._replies = queue.Queue()
        threading.Thread(
            target=_read_lines, args=(self._commands.stdout, self._replies), daemon=True
        ).start()
        return self._commands

    def end_commands(self) -> None:
        """Stop the command runner (end of its input; killed if it does not end)."""
        runner, self._commands = self._commands, None
        if runner is None:
            return
        with contextlib.suppress(OSError):
            runner.stdin.close()
        try:
            runner.wait(10)
        except subprocess.TimeoutExpired:
            runner.kill()
            runner.wait(5)

    def json(self, *args: str) -> dict:
        """A command printing one JSON object (its last line)."""
        out = self.manage(*args)
        return json.loads(out.strip().splitlines()[-1])

    # --- the server -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> "Instance":
        """Start the server and wait until it answers (from the main thread: see `launch`)."""
        self.launch()
        self.wait_ready()
        return self

    def launch(self) -> None:
        """Start the server without waiting. Call it from a thread that lives as long as the
        server: the server is stopped when the thread that started it ends (PR_SET_PDEATHSIG)."""
        if self.running:
            return
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-ws",
            "gridgov.wsgi:application",
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} stopped at start:\n{self.log.read_text()[-3000:]}")
            try:
                self.get("/accounts/login/", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {START_TIMEOUT} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    # --- HTTP -------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> tuple[int, bytes]:
        """(status, body) of a request to this instance; HTTP errors are answers, not raised."""
        req = urllib.request.Request(  # noqa: S310 (always http://127.0.0.1)
            self.url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        return self.request("GET", path, timeout=timeout)


class Instances:
    """The instances of one test module (or demo): made, started and stopped together."""

    def __init__(self, folder: pathlib.Path, base_env: dict[str, str] | None = None):
        self.folder = pathlib.Path(folder)
        self.base_env = base_env or {}
        self.made: dict[str, Instance] = {}
        self._template: pathlib.Path | None = None

    def template(self) -> pathlib.Path:
        """A migrated empty database (gridgov/tests/migrated.py), copied for every instance."""
        if self._template is None:
            self._template = migrated_database()
        return self._template

    def create(self, name: str, env: dict[str, str] | None = None) -> Instance:
        """An instance with its own copy of the migrated database, not started yet."""
        folder = self.folder / name
        folder.mkdir(parents=True, exist_ok=False)
        instance = Instance(name, folder, {**self.base_env, **(env or {})})
        shutil.copyfile(self.template(), instance.db)
        self.made[name] = instance
        return instance

    def start(self, name: str, env: dict[str, str] | None = None) -> Instance:
        return (self.made.get(name) or self.create(name, env)).start()

    def start_all(self, *instances: Instance) -> None:
        """Start several servers at once (they start side by side) and wait for each."""
        for instance in instances:
            instance.launch()
        for instance in instances:
            instance.wait_ready()

    def close(self) -> None:
        for instance in self.made.values():
            instance.stop()
            instance.end_commands()

    def __enter__(self) -> "Instances":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
