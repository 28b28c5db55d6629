import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.notify.testing.kannel import Kannel, installed


class Command(BaseCommand):
    help = (
        "Run a private Kannel (bearerbox, smsbox and the simulated SMSC fakesmsc) for the demo, "
        "on GRIDGOV_DEMO_KANNEL_PORT to +4, until stopped; `make demo` starts it through "
        "`gridgov serve` when Kannel is installed."
    )

    def handle(self, *args, **options):
        if not installed():
            raise CommandError("Kannel is not installed: apt-get install -y kannel kannel-extras")
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        kannel = Kannel(
            settings.VAR_DIR / "kannel",
            settings.GRIDGOV_SMS_CALLBACK_URL,
            settings.GRIDGOV_SMS_INBOUND_TOKEN,
            first_port=settings.GRIDGOV_DEMO_KANNEL_PORT,
            password=settings.GRIDGOV_KANNEL_PASSWORD,
        )
        kannel.start()
        self.stdout.write(
            f"Kannel's sendsms on {kannel.sendsms_url}; texts at fakesmsc: {kannel.folder}"
        )
        try:
            while not stopping.wait(1):
                if any(p.poll() is not None for p in kannel.processes):
                    raise CommandError("a Kannel process exited; see " + str(kannel.folder))
        finally:
            kannel.stop()
