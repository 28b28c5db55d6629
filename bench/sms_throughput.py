"""The SMS platform's throughput into a real Kannel (bearerbox, smsbox, fakesmsc), counted at the
simulated SMSC, beside posting the same messages straight to Kannel's sendsms.

N messages are queued as a warning queues them (priority WARNING, one dedupe key each, to N
different numbers); `gridgov sender --concurrency C` sends them and is killed with SIGKILL twice
mid-run (restarted at once). The platform's rate is N ÷ the time from queueing to the last
delivery report recorded (reports reach the platform's web front, `gridgov serve`); the direct
rate is N ÷ the time for C threads posting to sendsms until fakesmsc has them all. Afterwards
every number must have got its text (lost 0); a kill may resend the messages in flight (doubled
at most C × kills: Kannel's sendsms cannot drop a message it has already taken).

    .venv/bin/python bench/sms_throughput.py            # 20,000 messages, 64 at once (the default)
    .venv/bin/python bench/sms_throughput.py --smoke    # 60 messages, 8 at once
    .venv/bin/python bench/sms_throughput.py -n 5000 -c 32

Needs Debian's `kannel` and `kannel-extras` (apt-get install -y kannel kannel-extras).
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from _setup import ROOT, SMOKE, free_port, start, throwaway

INBOUND_TOKEN = "bench-inbound"  # noqa: S105 (a throw-away installation)
LEASE_SECONDS = "1" if SMOKE else "3"


def _numbers(n: int) -> list[str]:
    return [f"139{k:08d}" for k in range(n)]


def post_direct(kannel, numbers: list[str], text: str, concurrency: int) -> float:
    """Post each message straight to sendsms from `concurrency` threads; the seconds until
    fakesmsc has received them all."""
    from gridgov.notify.testing.kannel import PASSWORD, SHORT_CODE, USERNAME

    before = kannel.received_count()
    queue = list(numbers)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                number = queue.pop()
            query = urllib.parse.urlencode(
                {
                    "username": USERNAME,
                    "password": PASSWORD,
                    "from": SHORT_CODE,
                    "to": number,
                    "text": text,
                    "charset": "utf-8",
                    "coding": 2,
                }
            )
            with urllib.request.urlopen(f"{kannel.sendsms_url}?{query}", timeout=30) as answer:  # noqa: S310
                answer.read()

    began = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _wait(lambda: kannel.received_count() - before >= len(numbers), 600, "the direct messages")
    return time.monotonic() - began


def _wait(check, timeout: float, what: str) -> None:
    """Poll `check` every 0.1 s: it reads fakesmsc's whole output or counts rows, and polled more
    often it took half a core from the platform it measures."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {timeout} s for {what}")
        time.sleep(0.1)


# A sender booted ahead (Django imported, settings read) that starts sending when told: a kill is
# then followed at once by the next sender, as a supervisor on a quiet machine would restart it.
SPARE = (
    "import pathlib, sys, django; django.setup()\n"
    "from django.core.management import call_command\n"
    "from gridgov.notify import outbox, gateways\n"
    "pathlib.Path(sys.argv[2]).touch()\n"
    "sys.stdin.readline()\n"
    "call_command('sender', sleep=0.05, concurrency=int(sys.argv[1]))\n"
)


def _spare(env: dict, concurrency: int, log: Path, ready: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SPARE, str(concurrency), str(ready)],
        env={**env, "DJANGO_SETTINGS_MODULE": "gridgov.settings"},
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _go(sender: subprocess.Popen) -> subprocess.Popen:
    sender.stdin.write(b"go\n")
    sender.stdin.flush()
    return sender


def sender_env(kannel) -> dict:
    return {
        **os.environ,
        **kannel.settings(),
        "GRIDGOV_OUTBOX_LEASE_SECONDS": LEASE_SECONDS,
        "GRIDGOV_LOG_LEVEL": "ERROR",
    }


def boot_senders(kannel, concurrency: int, kills: int, folder: Path) -> list[subprocess.Popen]:
    """The first sender and one spare for each kill, booting (see `booted`)."""
    env = sender_env(kannel)
    return [
        _spare(env, concurrency, folder / "sender.log", folder / f"sender-{k}.ready")
        for k in range(kills + 1)
    ]


def booted(senders: list[subprocess.Popen], folder: Path) -> None:
    """Wait until every sender is ready to send (before the clock starts)."""
    ready = [folder / f"sender-{k}.ready" for k in range(len(senders))]
    _wait(lambda: all(r.exists() for r in ready), 300, "the senders to boot")


def send_through_platform(
    kannel,
    senders: list[subprocess.Popen],
    first_id: int,
    n: int,
    began: float,
    concurrency: int,
    kills: int,
    folder: Path,
) -> dict:
    """Run `senders` (from boot_senders) over the queued rows with ids from `first_id` (n of
    them), killing the sender with SIGKILL `kills` times mid-run; return the rate and the counts
    at fakesmsc. `began` is when the messages were issued (time.monotonic())."""
    from gridgov.notify.models import Outbox

    rows = Outbox.objects.filter(pk__gte=first_id, channel="sms")
    received_before = kannel.received_count()
    sender = _go(senders[0])
    for k in range(1, kills + 1):
        target = received_before + n * k // (kills + 1)
        _wait(lambda t=target: kannel.received_count() >= t, 600, "messages before the kill")
        sender.send_signal(signal.SIGKILL)
        sender.wait()
        print(f"  {time.monotonic() - began:.1f} s: killed the sender ({k} of {kills})")
        sender = _go(senders[k])
    try:
        _wait(lambda: kannel.received_count() - received_before >= n, 600, "the messages")
        print(f"  {time.monotonic() - began:.1f} s: fakesmsc has received {n}")
        _wait(lambda: rows.exclude(delivery="").count() >= n, 600, "the delivery reports recorded")
        seconds = time.monotonic() - began
        print(f"  {seconds:.1f} s: the last delivery report recorded")
    finally:
        for each in senders:
            each.terminate()
            each.wait(timeout=30)
    got = kannel.received()[received_before:]
    wanted = set(rows.values_list("destination", flat=True))
    reached = {r.to for r in got} & wanted
    return {
        "seconds": seconds,
        "per_s": n / seconds,
        "received": len(got),
        "lost": len(wanted - reached),
        "doubled": len(got) - len(reached),
    }


def run(n: int, concurrency: int | None, kills: int = 2) -> dict:
    # GRIDGOV_BENCH_DATABASE: a copy of an already migrated SQLite file to work in (the smoke
    # test passes one, so that it need not wait for the migrations)
    copy = os.environ.get("GRIDGOV_BENCH_DATABASE")
    if copy:
        folder = throwaway("sms-throughput")
        os.environ.update(
            DATABASE_URL=f"sqlite:///{copy}",
            GRIDGOV_VAR_DIR=str(folder),
            DJANGO_SETTINGS_MODULE="gridgov.settings",
        )
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
    else:
        folder = start("sms-throughput")
    from django.conf import settings
    from django.db import transaction

    from gridgov.notify.models import Outbox, Priority
    from gridgov.notify.outbox import enqueue_messages
    from gridgov.notify.testing.kannel import Kannel, installed

    if not installed():
        raise SystemExit("Kannel is not installed: apt-get install -y kannel kannel-extras")
    concurrency = concurrency or settings.GRIDGOV_SENDER_CONCURRENCY
    port = free_port()
    if SMOKE:  # the same granian front with one worker, without the supervising process: two
        # Django boots fewer for the test suite's run
        from gridgov.jobs.management.commands.serve import web_command

        front = web_command("127.0.0.1", port, 1, "", "")
    else:
        front = [sys.executable, "-m", "gridgov", "serve", "--port", str(port), "--no-worker"]
    web = subprocess.Popen(
        front,
        env={**os.environ, "GRIDGOV_LOG_LEVEL": "ERROR", "GRIDGOV_DEBUG": "0"},
        cwd=ROOT,
        stdout=(folder / "web.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    kannel = Kannel(folder / "kannel", f"http://127.0.0.1:{port}", INBOUND_TOKEN)
    senders = boot_senders(kannel, concurrency, kills, folder)  # they boot meanwhile
    kannel.start()
    try:
        _wait(lambda: _answers(f"http://127.0.0.1:{port}/"), 120, "the web front")
        text = "【金水区】暴雨红色预警：请立即组织转移低洼地区群众，回复确认码 4821。"
        numbers = _numbers(n)
        direct = post_direct(kannel, [f"138{k[3:]}" for k in numbers], text, concurrency)
        booted(senders, folder)
        began = time.monotonic()
        with transaction.atomic():  # as a warning queues its SMS: in bulk, in its transaction
            enqueue_messages(
                "sms",
                [
                    {
                        "destination": number,
                        "body": text,
                        "priority": Priority.WARNING,
                        "source": "bench.warning:1",
                        "dedupe_key": f"bench-warning-1-{number}",
                        "area_code": "410105",
                    }
                    for number in numbers
                ],
            )
        first = Outbox.objects.filter(source="bench.warning:1").order_by("pk").first()
        result = send_through_platform(
            kannel, senders, first.pk, n, began, concurrency, kills, folder
        )
        result["direct_per_s"] = n / direct
        result["ratio"] = result["per_s"] / result["direct_per_s"]
        result["concurrency"] = concurrency
        return result
    finally:
        for sender in senders:
            if sender.poll() is None:
                sender.kill()
        kannel.stop()
        web.terminate()
        web.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (the local web front)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=60 if SMOKE else 20_000)
    parser.add_argument("-c", "--concurrency", type=int, default=8 if SMOKE else None)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    r = run(args.n, args.concurrency, args.kills)
    print(
        f"{args.n} messages, concurrency {r['concurrency']}, {args.kills} kills: "
        f"platform {r['per_s']:.0f}/s ({r['seconds']:.1f} s to the last delivery report), "
        f"direct {r['direct_per_s']:.0f}/s, received {r['received']}"
    )
    print(f"BENCH sms_throughput_per_s {r['per_s']:.1f}")
    print(f"BENCH sms_vs_direct_ratio {r['ratio']:.3f}")
    print(f"BENCH sms_lost {r['lost']}")
    print(f"BENCH sms_doubled {r['doubled']}")


if __name__ == "__main__":
    main()
