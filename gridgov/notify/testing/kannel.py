"""A private Kannel for tests, benches and the demo: bearerbox, smsbox and the simulated SMSC
`fakesmsc` (Debian's `kannel` and `kannel-extras`), on free ports, with its own configuration.

`Kannel(folder, callback_url, inbound_token)` writes `kannel.conf` (never Kannel's default
ports), `start()`s the three processes and waits until the simulated SMSC is online; `received()`
reads the messages fakesmsc got, `inject()` sends a text from a handset (through a second
fakesmsc), `stop()` ends them all. The pytest fixture `kannel` (gridgov/notify/tests/conftest.py)
makes one per test worker."""

import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
SHORT_CODE = "10690000"
USERNAME, PASSWORD = "gridgov", "kannel-test"
GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>")


def installed() -> bool:
    return all(Path(p).exists() for p in (BEARERBOX, SMSBOX, FAKESMSC))


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class Received:
    sender: str
    to: str
    kind: str  # "text" or "ucs-2"
    text: str


class Kannel:
    def __init__(
        self,
        folder: Path,
        callback_url: str,
        inbound_token: str,
        first_port: int | None = None,
        password: str = PASSWORD,
    ):
        """Ports: five free ones, or `first_port` to +4 (admin, boxes, SMSC, handsets,
        sendsms)."""
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.callback_url, self.inbound_token = callback_url.rstrip("/"), inbound_token
        self.password = password
        ports = free_ports(5) if first_port is None else list(range(first_port, first_port + 5))
        (self.admin, self.box, self.mt, self.mo, self.sendsms) = ports
        self.processes: list[subprocess.Popen] = []
        self.fakesmsc: subprocess.Popen | None = None

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms}/cgi-bin/sendsms"

    def settings(self) -> dict[str, str]:
        """The platform's settings for sending through this Kannel."""
        return {
            "GRIDGOV_SMS_GATEWAY": "kannel",
            "GRIDGOV_KANNEL_SENDSMS_URL": self.sendsms_url,
            "GRIDGOV_KANNEL_USERNAME": USERNAME,
            "GRIDGOV_KANNEL_PASSWORD": self.password,
            "GRIDGOV_SMS_SENDER": SHORT_CODE,
            "GRIDGOV_SMS_CALLBACK_URL": self.callback_url,
            "GRIDGOV_SMS_INBOUND_TOKEN": self.inbound_token,
        }

    def config(self) -> str:
        inbound = (
            f"{self.callback_url}/notify/sms/inbound/?t={urllib.parse.quote(self.inbound_token)}"
            "&from=%p&to=%P&text=%a&id=%I&coding=%c&charset=%C"
        )
        log = self.folder
        return f"""group = core
admin-port = {self.admin}
admin-password = {self.password}
status-password = {self.password}
smsbox-port = {self.box}
admin-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{log}/bearerbox.log"
log-level = 2
access-log = "{log}/access.log"
dlr-storage = internal
sms-resend-retry = 3

group = smsc
smsc = fake
smsc-id = fake
port = {self.mt}
connect-allow-ip = 127.0.0.1

group = smsc
smsc = fake
smsc-id = handsets
port = {self.mo}
connect-allow-ip = 127.0.0.1
allowed-smsc-id = handsets

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.box}
sendsms-port = {self.sendsms}
sendsms-interface = 127.0.0.1
log-file = "{log}/smsbox.log"
log-level = 2
max-pending-requests = 2048
mo-recode = true

group = sendsms-user
username = {USERNAME}
password = {self.password}
forced-smsc = fake
max-messages = 10
concatenation = true
user-allow-ip = 127.0.0.1

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "{inbound}"
"""

    def _spawn(self, name: str, *argv: str) -> subprocess.Popen:
        out = (self.folder / f"{name}.out").open("ab")
        process = subprocess.Popen(  # noqa: S603 (Kannel's own programs)
            argv, cwd=self.folder, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        self.processes.append(process)
        return process

    def start(self, timeout: float = 20) -> "Kannel":
        conf = self.folder / "kannel.conf"
        conf.write_text(self.config())
        self._spawn("bearerbox", BEARERBOX, "-v", "4", str(conf))
        self._wait_port(self.box, timeout)
        self._spawn("smsbox", SMSBOX, "-v", "4", str(conf))
        self.fakesmsc = self._spawn(
            "fakesmsc", FAKESMSC, "-H", "127.0.0.1", "-r", str(self.mt), "-m", "0", "x y text z"
        )
        self._wait_port(self.sendsms, timeout)
        deadline = time.monotonic() + timeout
        while "online" not in self.status():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Kannel's simulated SMSC did not come online in {self.folder}")
            time.sleep(0.1)
        return self

    def status(self) -> str:
        url = f"http://127.0.0.1:{self.admin}/status.txt?password={self.password}"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                text = answer.read().decode(errors="replace")
        except OSError:
            return ""
        return "\n".join(line for line in text.splitlines() if "fake[" in line.replace(" ", ""))

    def _wait_port(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"Kannel did not open port {port}; see {self.folder}"
                    ) from None
                time.sleep(0.05)

    def received(self) -> list[Received]:
        """The messages fakesmsc has received so far (UCS-2 decoded)."""
        out = (self.folder / "fakesmsc.out").read_bytes().decode("latin-1")
        result = []
        for sender, to, kind, data in GOT.findall(out):
            raw = urllib.parse.unquote_to_bytes(data)
            text = raw.decode("utf-16-be" if kind == "ucs-2" else "latin-1", errors="replace")
            result.append(Received(sender, to, kind, text))
        return result

    def received_count(self) -> int:
        return (self.folder / "fakesmsc.out").read_bytes().count(b"Got message ")

    def inject(self, phone: str, text: str, timeout: float = 10) -> None:
        """A handset sends `text` to the platform's short code (as UCS-2). fakesmsc's line
        protocol turns a 0x0D byte into a space: avoid characters such as 不 (U+4E0D)."""
        data = urllib.parse.quote_from_bytes(text.encode("utf-16-be"))
        log = self.folder / "inject.out"
        before = log.read_bytes().count(b"sent message") if log.exists() else 0
        with log.open("ab") as out:
            line = f"{phone} {SHORT_CODE} ucs2 {data}"
            process = subprocess.Popen(  # noqa: S603 (Kannel's own programs)
                [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.mo), "-i", "0.01", "-m", "1", line],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            deadline = time.monotonic() + timeout
            while log.read_bytes().count(b"sent message") <= before:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"fakesmsc did not send the text; see {log}")
                time.sleep(0.05)
            time.sleep(0.2)  # let bearerbox take it before the connection closes
        finally:
            process.terminate()
            process.wait(timeout=5)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
