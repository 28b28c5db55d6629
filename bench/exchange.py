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

Federation catch-up: this process is a district (its parent configured to a city platform), the
city a real second platform — granian serving gridgov on a copy of this database taken before the
district's data (the areas and the district's membership only), so each side has its own
database. The city is down for the district's day: cases reported, steps taken, a few cases
escalated, the pushing job run every "hour" and the outbox sender trying (connection refused,
retried with backoff). Then the city comes up and one sender delivers the backlog (E events,
signed, over HTTP, into the city's receiver, in batches of up to 200 messages a request); the
rate is E ÷ the time to the last message marked sent. A tenth of the messages is then delivered again (a sender that died after the
city answered): the city must answer them as repeats. Lost = a district case whose newest
version the city does not hold, or an escalation not opened there; doubled = city facts or
escalated cases beyond one per district case.

    .venv/bin/python bench/exchange.py              # 20,000 webhooks, 1,000,000 events read,
                                                    # a federation catch-up of 5,000 events
    .venv/bin/python bench/exchange.py --smoke      # 200 webhooks, 5,000 events, 40 events
    DATABASE_URL=postgres://… .venv/bin/python bench/exchange.py
"""

import argparse
import base64
import contextlib
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
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                if len(body) < length:  # a sender killed mid-request: nothing was delivered
                    self.close_connection = True
                    return
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


# --- federation catch-up ---------------------------------------------------------------------

DISTRICT = "410105"
CITY = "4101"


def federation_member(folder: Path):
    """Before any district data: an administrator and the district registered as the city's
    member; then the city's database, a copy of this one. Returns (city instance, admin, key,
    secret); the city is not started yet (it is down)."""
    import secrets as random_secrets
    import sqlite3

    from django.conf import settings
    from django.db import connection, connections

    from gridgov.accounts.permissions import Role
    from gridgov.accounts.services import create_user
    from gridgov.accounts.system import SETUP, system_user
    from gridgov.exchange.services import federation
    from gridgov.tests.instances import Instance

    admin = create_user(
        actor=system_user(SETUP),
        username="bench-admin",
        password=random_secrets.token_urlsafe(16) + "aA1!",
        role=Role.ADMIN,
        scope_codes=[DISTRICT],
        full_name="管理员",
    )
    member, key = federation.register_member(
        admin, name="金水区", area_code=DISTRICT, url="http://127.0.0.1:9/"
    )
    secret = member.client.secret
    city_folder = folder / "city"
    city_folder.mkdir()
    url = os.environ["DATABASE_URL"]
    env = {"GRIDGOV_DATA_KEY_FILE": str(settings.GRIDGOV_DATA_KEY_FILE)}  # the same data keys
    if connection.vendor == "postgresql":
        import atexit

        import psycopg

        connections.close_all()
        base, _, name = url.rpartition("/")
        city_db = f"{name}_city"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
            server.execute(f"CREATE DATABASE {city_db} TEMPLATE {name}")

        def drop() -> None:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
                server.execute(f"DROP DATABASE IF EXISTS {city_db} WITH (FORCE)")

        atexit.register(drop)
        env["DATABASE_URL"] = f"{base}/{city_db}"
    city = Instance("city", city_folder, env)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        target = sqlite3.connect(city.db)
        with target:
            source.backup(target)
        source.close()
        target.close()
    return city, admin, key, secret


def federation_catchup(events: int, member: tuple) -> dict:
    """A district's day while the city is down, then the catch-up (see the module's text)."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Max

    from gridgov.accounts.system import SMS_INTAKE, system_user
    from gridgov.assessment.models import CaseFact
    from gridgov.cases.models import Case, CaseEvent
    from gridgov.cases.services.intake import report_case
    from gridgov.cases.services.loop import perform
    from gridgov.exchange.models import FederationLink
    from gridgov.exchange.services import federation
    from gridgov.notify.models import Outbox, OutboxStatus
    from gridgov.notify.outbox import send_due
    from gridgov.tests import instances

    city, admin, key, secret = member
    for name, value in {
        "GRIDGOV_FEDERATION_PARENT_URL": city.url,
        "GRIDGOV_FEDERATION_AREA": DISTRICT,
        "GRIDGOV_FEDERATION_PARENT_AREA": CITY,
        "GRIDGOV_FEDERATION_KEY": key,
        "GRIDGOV_FEDERATION_SECRET": secret,
    }.items():
        setattr(settings, name, value)
    federation.register_gateway()
    reporter = system_user(SMS_INTAKE)
    rounds = 8
    escalations = max(2, events // 100)
    new_per_round = max(1, events * 55 // 100 // rounds)
    steps_per_round = max(1, (events * 45 // 100 - 2 * escalations) // (rounds - 1))
    cases: list = []
    escalated = 0
    failed_attempts = 0
    began = time.monotonic()
    mine = Outbox.objects.filter(channel="federation")
    for hour in range(rounds):
        for k in range(new_per_round):
            case, _created = report_case(
                actor=reporter,
                channel="sms",
                description=f"第{hour}时 第{k}件 井盖松动",
                area_code="41010500100101",
                address="经八路1号",
                reporter_name="张三丰",
                reporter_phone="13800138000",
            )
            cases.append(case)
        earlier = cases[: hour * new_per_round]
        for k in range(min(steps_per_round, len(earlier))):  # distinct cases
            perform(earlier[(k + hour * 97) % len(earlier)], "comment", actor=admin, note="跟进")
        for case in earlier[: escalations // (rounds - 1) + 1] if hour else []:
            if escalated < escalations and not hasattr(case, "federation_link"):
                federation.escalate_to_parent(admin, case, department="市水务局")
                escalated += 1
        federation.push_all()
        failed_attempts += send_due(concurrency=8)["not_sent"]  # the city is down
    total = mine.count()
    print(
        f"  the district's day: {len(cases)} cases, {total} messages queued,"
        f" {failed_attempts} attempts refused while the city was down"
        f" ({time.monotonic() - began:.1f} s)"
    )
    with transaction.atomic():  # a day later: every message is due again
        mine.filter(status=OutboxStatus.PENDING).update(next_attempt_at=None)
    instances.START_TIMEOUT = 180  # a loaded machine boots slowly
    city.start()
    try:
        began = time.monotonic()
        while send_due(concurrency=8)["sent"]:  # until a round delivers nothing more
            pass
        elapsed = time.monotonic() - began
        sent = mine.filter(status=OutboxStatus.SENT).count()
        for status, error in set(
            mine.exclude(status=OutboxStatus.SENT).values_list("status", "error")
        ):
            print(f"  not delivered ({status}): {error[:300]}")
        # a tenth again, as from a sender that died after the city had answered
        again = list(mine.order_by("pk").values_list("pk", flat=True)[::10])
        mine.filter(pk__in=again).update(status=OutboxStatus.PENDING, next_attempt_at=None)
        send_due(concurrency=8)
        answers = list(mine.filter(pk__in=again).values_list("gateway_response", flat=True))
        repeats = sum(1 for a in answers if "duplicate" in a)
    finally:
        city.stop()
    city_figures = city_counts(city)
    connection.close()
    newest = {
        str(case_id): version
        for case_id, version in CaseEvent.objects.order_by()
        .values("case_id")
        .annotate(v=Max("pk"))
        .values_list("case_id", "v")
    }
    held = city_figures["facts"]
    lost = sum(1 for cid, v in newest.items() if held.get(cid) != v)
    lost += escalated - min(escalated, city_figures["escalated_once"])
    doubled = max(0, city_figures["fact_rows"] - len(newest))
    doubled += city_figures["escalated_rows"] - city_figures["escalated_once"]
    doubled += len(again) - repeats  # a repeat applied again instead of answered as one
    assert CaseFact.objects.count() == Case.objects.count() == len(newest)
    assert FederationLink.objects.filter(role="up").count() == escalated
    return {
        "events": sent,
        "queued": total,
        "rate": sent / elapsed,
        "lost": lost,
        "doubled": doubled,
        "repeats_answered": repeats,
        "replayed": len(again),
    }


def city_counts(city) -> dict:
    """What the city holds of the district's cases, read from its database directly (a bench's
    look from outside; the city's own pages count the same rows)."""
    queries = {
        "facts": "SELECT local_id, version FROM exchange_membercasefact",
        "links": "SELECT remote_id FROM exchange_federationlink WHERE role = 'member'",
    }
    url = city.env["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(city.db)) as db:
            rows = {name: db.execute(sql).fetchall() for name, sql in queries.items()}
    else:
        import psycopg

        with psycopg.connect(url) as db:
            rows = {name: db.execute(sql).fetchall() for name, sql in queries.items()}
    links = [remote for (remote,) in rows["links"]]
    return {
        "facts": {str(local): version for local, version in rows["facts"]},
        "fact_rows": len(rows["facts"]),
        "escalated_rows": len(links),
        "escalated_once": len(set(links)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200 if SMOKE else 20000)
    parser.add_argument("-c", type=int, default=8 if SMOKE else 16)
    parser.add_argument("--events", type=int, default=5000 if SMOKE else 1_000_000)
    parser.add_argument("--federation", type=int, default=40 if SMOKE else 5000)
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

    member = federation_member(folder)  # before any data: the city's copy stays small
    print(f"database: {vendor()}; {args.n} webhooks, {args.c} at once, sender killed twice")
    result = webhooks(args.n, args.c, 2, folder)
    print(f"  {result}")
    print(f"reading {args.events} events through the change feed")
    rate = feed(args.events)
    print(f"a district offline for a day catches up about {args.federation} events")
    caught = federation_catchup(args.federation, member)
    print(f"  {caught}")
    print(f"BENCH webhook_events_per_s {result['rate']:.0f} events/s")
    print(f"BENCH webhook_lost_or_doubled {result['lost']}/{result['doubled']} lost/doubled")
    print(f"BENCH change_feed_events_per_s {rate:.0f} events/s")
    print(f"BENCH federation_catchup_events_per_s {caught['rate']:.0f} events/s")
    print(f"BENCH federation_lost_or_doubled {caught['lost']}/{caught['doubled']} lost/doubled")
    if result["lost"] or result["bad_signatures"]:
        raise SystemExit("webhooks were lost or badly signed")
    if caught["lost"] or caught["doubled"]:
        raise SystemExit("federation events were lost or doubled")


if __name__ == "__main__":
    main()
