"""Demo of webhooks: the district's emergency-management linkage system as a webhook client,
with a delivery log — the newest case and warning events delivered, one of them after a refusal
and a retry.

The deliveries are real: during the load a receiver listens on loopback in this process, the
platform signs and posts each event to it through the outbox, and the answers are recorded as the
sender records them. Nothing listens there once the load is over, so the endpoint is then paused
(an administrator points it at a real system and enables it on the client system's page)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test.utils import override_settings

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Level
from gridgov.exchange.models import ChangeEvent, ClientKind, ClientSystem
from gridgov.exchange.services import events, webhooks
from gridgov.exchange.services.clients import issue_client
from gridgov.notify.models import Outbox, OutboxStatus
from gridgov.notify.outbox import send_now

NAME = "区应急管理局联动指挥系统"
EVENTS_SHOWN = 12


class _Receiver:
    """Answers 503 to the first delivery (so the log shows a retry), 204 to the rest."""

    def __init__(self) -> None:
        self.got = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.got += 1
                self.send_response(503 if receiver.got == 1 else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/gridgov/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def load(*, stdout, **options) -> None:
    admin = User.objects.filter(username="admin").first()
    district = Area.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if admin is None or district is None or ClientSystem.objects.filter(name=NAME).exists():
        return
    client, _key = issue_client(
        admin,
        name=NAME,
        kind=ClientKind.WEBHOOK,
        area_codes=[district.code],
        data_kinds=["case.*", "warning.*"],
        owner_unit="区应急管理局",
        contact="应急指挥中心值班室",
    )
    receiver = _Receiver()
    try:
        with override_settings(GRIDGOV_WEBHOOK_TEST_LOOPBACK=True):
            endpoint = webhooks.add_endpoint(
                admin, client, url=receiver.url, event_types=["case.*", "warning.*"]
            )
            newest = list(
                ChangeEvent.objects.filter(area_code__startswith=district.code)
                .filter(type__regex=r"^(case|warning)\.")
                .order_by("-pk")[:EVENTS_SHOWN]
            )
            events.queue_for_endpoints(newest[::-1], only=endpoint.pk)
            rows = list(webhooks.deliveries(endpoint).order_by("pk"))
            send_now(rows)
            send_now(list(Outbox.objects.filter(pk__in=[r.pk for r in rows])))  # the one refused
    finally:
        receiver.close()
    webhooks.set_active(admin, endpoint, False)
    delivered = webhooks.deliveries(endpoint).filter(status=OutboxStatus.SENT).count()
    stdout.write(f"  webhooks: {NAME}, {delivered} events delivered, endpoint paused")
