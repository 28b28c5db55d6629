"""Webhook delivery and the change feed.

Webhooks: N change events are queued for one endpoint (a receiver on loopback in this process,
which counts every `webhook-id` it gets and checks each signature); `gridgov sender
--concurrency C` delivers them and is killed with SIGKILL twice mid-run (restarted at once from
a booted spare). The rate is N ÷ the time from the first send to the last message recorded as
sent; afterwards every event must have arrived (lost 0), and the doubled ones are counted
(receivers drop a `webhook-id` they have seen; a kill may resend what was in flight, at most C
per kill).

Change feed: M events in the table, read by a client system through `feed_for` in pages of
1,000 from cursor 0 to the end (events/s).

    .venv/bin/python bench/exchange.py              # 20,000 webhooks, 1,000,000 events read
    .venv/bin/python bench/exchange.py --smoke      # 200 webhooks, 5,000 events
    DATABASE_URL=postgres://… .venv/bin/python bench/exchange.py
"""

import argparse
import base64
import hashlib
import hmac
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _setup import ROOT, SMOKE, start

LEASE_SECONDS = "2"


class Receiver:
    def __init__(self, secret: bytes):
        self.ids: dict[str, int] = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                msg_id = self.headers["webhook-id"]
                signed = f"{msg_id}.{self.headers['webhook-timestamp']}.".encode() + body
                mac = base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()
                offered = [s[3:] for s in self.headers["webhook-signature"].split()]
                with receiver.lock:
                    if mac not in offered:
                        receiver.bad_signatures += 1
                    receiver.ids[msg_id] = receiver.ids.get(msg_id, 0) + 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a sender killed mid-request resets its connection: expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _sender(env: dict, concurrency: int, ready: Path) -> subprocess.Popen:
    code = (
        "import sys, django; django.setup()\n"
        f"open({str(ready)!r}, 'w').close()\n"
        "sys.stdin.readline()\n"
        "from django.core.management import call_command\n"
        "call_command('sender', sleep=0.05, concurrency=int(sys.argv[1]))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(concurrency)],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def webhooks(n: int, concurrency: int, kills: int, folder: Path) -> dict:
    from django.db import transaction

    from gridgov.accounts.system import SETUP, system_user
    from gridgov.exchange.models import ChangeEvent, ClientKind
    from gridgov.exchange.services import events
    from gridgov.exchange.services.clients import issue_client
    from gridgov.exchange.services.webhooks import add_endpoint, secret_bytes
    from gridgov.notify.models import Outbox, OutboxStatus

    actor = system_user(SETUP)
    client, _key = issue_client(
        actor, name="bench", kind=ClientKind.WEBHOOK, area_codes=["410105"], data_kinds=["*"]
    )
    receiver = Receiver(secret_bytes(client.secret))
    add_endpoint(actor, client, url=receiver.url, event_types=["case.*"])
    events.forget_endpoints()
    rows = [
        ChangeEvent(
            type="case.reported", area_code="41010500100101", object_type="case", object_id=str(k)
        )
        for k in range(n)
    ]
    with transaction.atomic():
        made = ChangeEvent.objects.bulk_create(rows, batch_size=2000)
        if made[0].pk is None:
            made = list(ChangeEvent.objects.order_by("pk"))
        for k in range(0, len(made), 2000):
            events.queue_for_endpoints(made[k : k + 2000])
    assert Outbox.objects.filter(channel="webhook").count() == n
    env = {
        **os.environ,
        "GRIDGOV_WEBHOOK_TEST_LOOPBACK": "1",
        "GRIDGOV_OUTBOX_LEASE_SECONDS": LEASE_SECONDS,
        "PYTHONPATH": str(ROOT),
    }
    readies = [folder / f"sender-{k}.ready" for k in range(kills + 1)]
    senders = [_sender(env, concurrency, r) for r in readies]
    deadline = time.monotonic() + 300
    while not all(r.exists() for r in readies):
        if time.monotonic() > deadline:
            raise SystemExit("the senders did not boot")
        time.sleep(0.1)
    pending = Outbox.objects.filter(channel="webhook", status=OutboxStatus.PENDING)
    began = time.monotonic()
    try:
        current = senders[0]
        current.stdin.write(b"go\n")
        current.stdin.flush()
        for k in range(1, kills + 1):
            target = n * k // (kills + 1)
            while len(receiver.ids) < target and time.monotonic() - began < 600:
                time.sleep(0.02)
            current.send_signal(signal.SIGKILL)
            current.wait()
            print(f"  {time.monotonic() - began:.1f} s: killed the sender ({k} of {kills})")
            current = senders[k]
            current.stdin.write(b"go\n")
            current.stdin.flush()
        while pending.exists() and time.monotonic() - began < 900:
            time.sleep(0.05)
        elapsed = time.monotonic() - began
    finally:
        for sender in senders:
            if sender.poll() is None:
                sender.kill()
    expected = {events.webhook_id(e.pk, client.webhooks.get().pk) for e in made}
    got = set(receiver.ids)
    return {
        "rate": n / elapsed,
        "lost": len(expected - got),
        "doubled": sum(c - 1 for c in receiver.ids.values()),
        "bad_signatures": receiver.bad_signatures,
    }


def feed(m: int) -> float:
    from gridgov.accounts.system import SETUP, system_user
    from gridgov.exchange.api_webhooks import feed_for
    from gridgov.exchange.models import ChangeEvent, ClientKind
    from gridgov.exchange.services.clients import issue_client

    ChangeEvent.objects.all().delete()
    codes = ["41010500100101", "41010500200101"]
    for k in range(0, m, 20000):
        ChangeEvent.objects.bulk_create(
            [
                ChangeEvent(
                    type="person.updated",
                    area_code=codes[j % 2],
                    object_type="person",
                    object_id=str(j),
                )
                for j in range(k, min(m, k + 20000))
            ],
            batch_size=5000,
        )
    client, _key = issue_client(
        system_user(SETUP),
        name="feed",
        kind=ClientKind.EXCHANGE,
        area_codes=["410105"],
        data_kinds=["*"],
    )
    client.refresh_from_db()
    began = time.monotonic()
    cursor, read = 0, 0
    while True:
        rows, cursor = feed_for(client, cursor, 1000)
        if not rows:
            break
        read += len(rows)
    elapsed = time.monotonic() - began
    assert read == m, (read, m)
    return m / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200 if SMOKE else 20000)
    parser.add_argument("-c", type=int, default=8 if SMOKE else 16)
    parser.add_argument("--events", type=int, default=5000 if SMOKE else 1_000_000)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ["GRIDGOV_CHANGE_FEED_SETTLE"] = "0"
    os.environ["GRIDGOV_WEBHOOK_TEST_LOOPBACK"] = "1"  # the receiver is in this process
    os.environ["GRIDGOV_OUTBOX_LEASE_SECONDS"] = LEASE_SECONDS
    folder = start("exchange")
    from gridgov.areas.testing import build_tree

    build_tree()
    from _setup import vendor

    print(f"database: {vendor()}; {args.n} webhooks, {args.c} at once, sender killed twice")
    result = webhooks(args.n, args.c, 2, folder)
    print(f"  {result}")
    print(f"reading {args.events} events through the change feed")
    rate = feed(args.events)
    print(f"BENCH webhook_events_per_s {result['rate']:.0f} events/s")
    print(f"BENCH webhook_lost_or_doubled {result['lost']}/{result['doubled']} lost/doubled")
    print(f"BENCH change_feed_events_per_s {rate:.0f} events/s")
    if result["lost"] or result["bad_signatures"]:
        raise SystemExit("webhooks were lost or badly signed")


if __name__ == "__main__":
    main()
