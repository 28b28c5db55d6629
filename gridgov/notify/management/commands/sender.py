import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from gridgov.notify.outbox import send_due


class Command(BaseCommand):
    help = (
        "Deliver the outbox (SMS and every other outbound channel), most urgent first, in a loop "
        "of its own so messages never wait behind long jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due, then stop.")
        parser.add_argument("--sleep", type=float, default=1.0, help="Seconds to wait when idle.")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help=(
                "Messages handed to the gateways at once (threads); a kill may resend that many. "
                "Default: GRIDGOV_SENDER_CONCURRENCY."
            ),
        )

    def handle(self, *args, once: bool, sleep: float, concurrency: int | None, **options):
        concurrency = concurrency or settings.GRIDGOV_SENDER_CONCURRENCY
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        totals = {"sent": 0, "not_sent": 0}
        while True:
            # until nothing is due or a stop is asked for (the messages out are then recorded)
            counts = send_due(concurrency=max(1, concurrency), stopping=stopping)
            for key, n in counts.items():
                totals[key] += n
            if once:
                self.stdout.write(f"sent {totals['sent']}, not sent {totals['not_sent']}")
                return
            if stopping.wait(sleep):
                return
