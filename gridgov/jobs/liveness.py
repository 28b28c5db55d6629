"""Is a running job's worker still alive?

Two signs, independent of the job's own progress:
- a heartbeat thread in the worker stamps the running job's `heartbeat_at` every few seconds on its
  own database connection, so a job inside one long SQL statement keeps its heartbeat;
- a worker holds an exclusive lock on a file of its own (var/workers/) for as long as its process
  lives. The kernel drops the lock when the process dies, so another worker on the same host knows
  at once, even while a long write transaction keeps the heartbeat from reaching SQLite.
Workers on other hosts (PostgreSQL) are judged by their heartbeat alone.
"""

import contextlib
import datetime
import fcntl
import logging
import os
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from gridgov.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


def _lock_dir() -> Path:
    return Path(settings.VAR_DIR) / "workers"


def _lock_path(worker: str) -> Path:
    return _lock_dir() / f"{worker.replace(':', '-').replace('/', '-')}.lock"


class WorkerLock:
    """The lock a worker holds on its own file while its process lives."""

    def __init__(self, worker: str):
        self.worker = worker
        self._fd: int | None = None

    def acquire(self) -> None:
        _lock_dir().mkdir(parents=True, exist_ok=True)
        self._fd = os.open(_lock_path(self.worker), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self) -> None:
        if self._fd is not None:
            _lock_path(self.worker).unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


def worker_alive(worker: str) -> bool | None:
    """True or False for a worker of this host that holds (or held) its lock; None when unknown."""
    if not settings.GRIDGOV_JOB_LOCAL_LIVENESS:
        return None
    host = worker.rpartition(":")[0]
    if host != socket.gethostname():
        return None
    try:
        fd = os.open(_lock_path(worker), os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock this check may have taken
    return False


def sweep_lock_files() -> None:
    """Remove the lock files of workers that died (call after their jobs were requeued)."""
    folder = _lock_dir()
    if not folder.is_dir():
        return
    for path in folder.glob("*.lock"):
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                path.unlink(missing_ok=True)
            except BlockingIOError:
                pass
            finally:
                os.close(fd)


def is_dead(worker: str, heartbeat_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    alive = worker_alive(worker)
    if alive is not None:
        return not alive
    cutoff = now - datetime.timedelta(seconds=settings.GRIDGOV_JOB_STALE_SECONDS)
    return heartbeat_at is None or heartbeat_at < cutoff


def stamp(job_id: int, worker: str) -> int:
    """Stamp the job's heartbeat. A row locked by the job's own transaction (PostgreSQL) is
    skipped: its transaction is alive, and other workers skip locked rows too."""
    with transaction.atomic():
        mine = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, status=JobStatus.RUNNING, worker=worker)
            .values_list("pk", flat=True)
        )
        return Job.objects.filter(pk__in=mine).update(heartbeat_at=timezone.now())


class Heartbeat(threading.Thread):
    """Stamps whichever job the worker is running, on the thread's own database connection."""

    def __init__(self, worker: str, every: float | None = None):
        super().__init__(name="job-heartbeat", daemon=True)
        self.worker = worker
        self.every = every if every is not None else settings.GRIDGOV_JOB_HEARTBEAT_SECONDS
        self.job_id: int | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.wait(self.every):
                job_id = self.job_id
                if job_id is None:
                    continue
                try:
                    stamp(job_id, self.worker)
                except DatabaseError:
                    logger.warning("heartbeat of job %s failed", job_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=self.every + 5)
