import signal
import time

from django.core.management.base import BaseCommand

from gridgov.jobs import liveness, services


class Command(BaseCommand):
    help = "Work the background job queue (imports, exports, time-limit sweeps, roll-ups)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is queued, then stop.")
        parser.add_argument("--sleep", type=float, default=1.0, help="Seconds to wait when idle.")

    def handle(self, *args, once: bool, sleep: float, **options):
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        services.requeue_dead()
        liveness.sweep_lock_files()
        lock = liveness.WorkerLock(services.WORKER_NAME)
        lock.acquire()
        heartbeat = liveness.Heartbeat(services.WORKER_NAME)
        heartbeat.start()
        try:
            if once:
                services.enqueue_due_periodic()
                n = services.run_pending(limit=10_000, heartbeat=heartbeat)
                self.stdout.write(f"ran {n} job(s)")
                return
            last_periodic = 0.0
            while not stopping:
                if time.monotonic() - last_periodic > 30:
                    services.enqueue_due_periodic()
                    last_periodic = time.monotonic()
                services.requeue_dead()  # every loop: a dead worker's job runs again soon
                job = services.run_next(heartbeat=heartbeat)
                if job is None:
                    time.sleep(sleep)
        finally:
            heartbeat.stop()
            lock.release()
