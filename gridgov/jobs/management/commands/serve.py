import json
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform: gunicorn with sync workers, plus the background job worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("GRIDGOV_WEB_WORKERS", "2"))
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the job worker.")

    def handle(self, *args, host, port, workers, no_worker, **options):
        accounts = settings.GRIDGOV_DEMO_ACCOUNTS_FILE
        if accounts.exists():
            self.stdout.write("Demo accounts:")
            for a in json.loads(accounts.read_text(encoding="utf-8")):
                self.stdout.write(f"  {a['username']:<28} {a['password']:<16} {a['label']}")
        children = []
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "gridgov", "worker"]))
        web = subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gridgov.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ]
        )
        children.append(web)
        self.stdout.write(
            self.style.SUCCESS(f"gridgov is serving on http://{host}:{port}/  (Ctrl-C stops)")
        )

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                child.wait(timeout=20)
