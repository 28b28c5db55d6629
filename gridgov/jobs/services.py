"""The job queue: a table in the same database (no extra server), worked by `gridgov worker`."""

import datetime
import logging
import os
import socket
import time
import traceback

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.system import JOBS, system_user
from gridgov.audit import context
from gridgov.jobs import liveness
from gridgov.jobs.models import Job, JobStatus
from gridgov.jobs.registry import function_for

logger = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


class JobContext:
    """Handed to a job function: report progress and log lines without hammering the database."""

    def __init__(self, job: Job, min_interval: float = 0.5):
        self.job = job
        self._min_interval = min_interval
        self._last = 0.0

    @property
    def payload(self) -> dict:
        return self.job.payload

    def progress(
        self, done: int, total: int | None = None, message: str = "", force: bool = False
    ) -> None:
        now = time.monotonic()
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if message:
            self.job.message = message[:500]
        if force or now - self._last >= self._min_interval:
            self._last = now
            Job.objects.filter(pk=self.job.pk).update(
                progress_done=self.job.progress_done,
                progress_total=self.job.progress_total,
                message=self.job.message,
                heartbeat_at=timezone.now(),
            )

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.job.log += f"{stamp} {line}\n"
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log)


def enqueue(
    kind: str,
    payload: dict | None = None,
    *,
    actor: User,
    unique_key: str | None = None,
    run_after: datetime.datetime | None = None,
) -> Job:
    """Queue a job; with a unique key, a job already queued or running is returned instead —
    unless its worker died, then that job is queued again (or given up) first."""
    function_for(kind)  # refuse unknown kinds now, not in the worker
    if unique_key:
        existing = Job.objects.filter(
            unique_key=unique_key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).first()
        if existing and existing.status == JobStatus.RUNNING:
            requeue_dead(Job.objects.filter(pk=existing.pk))
            existing.refresh_from_db()
        if existing and existing.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            return existing
    try:
        with transaction.atomic():
            return Job.objects.create(
                kind=kind,
                payload=payload or {},
                created_by=actor,
                unique_key=unique_key,
                run_after=run_after,
            )
    except IntegrityError:
        return Job.objects.get(
            unique_key=unique_key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        )


def _claim(worker: str) -> Job | None:
    now = timezone.now()
    with transaction.atomic():
        candidates = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.QUEUED)
            .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
            .order_by("id")
        )
        job = candidates.first()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = now
        job.heartbeat_at = now
        job.worker = worker
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "heartbeat_at", "worker", "attempts"])
        return job


def run_job(job: Job) -> Job:
    """Run one claimed job to its end, recording the result or the error."""
    tokens = context.begin(f"job-{job.pk}")
    ctx = JobContext(job)
    try:
        result = function_for(job.kind)(ctx, **job.payload)
        job.status = JobStatus.DONE
        job.result = result
        job.progress_done = max(job.progress_done, job.progress_total)
    except Exception as exc:  # a job's failure is recorded, never lost
        logger.exception("job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.error = f"{exc}\n\n{traceback.format_exc()}"[:20000]
        job.message = str(exc)[:500]
    finally:
        context.end(tokens)
    job.finished_at = timezone.now()
    job.log = ctx.job.log
    recorded = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker).update(
        status=job.status,
        result=job.result,
        error=job.error,
        message=job.message,
        finished_at=job.finished_at,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        log=job.log,
    )
    if not recorded:
        logger.warning("job %s was taken for dead while it ran; its end is not recorded", job.pk)
    return job


def run_next(worker: str = WORKER_NAME, heartbeat: liveness.Heartbeat | None = None) -> Job | None:
    """Claim and run the next due job; `heartbeat` (the worker's thread) keeps it alive."""
    job = _claim(worker)
    if job is None:
        return None
    if heartbeat is not None:
        heartbeat.job_id = job.pk
    try:
        return run_job(job)
    finally:
        if heartbeat is not None:
            heartbeat.job_id = None


def run_pending(limit: int = 100, heartbeat: liveness.Heartbeat | None = None) -> int:
    """Work the queue until it is empty (tests and one-shot runs)."""
    count = 0
    while count < limit and run_next(heartbeat=heartbeat) is not None:
        count += 1
    return count


def enqueue_due_periodic(now: datetime.datetime | None = None) -> list[Job]:
    """Queue the periodic jobs whose interval has passed since they were last queued (by the
    system account of scheduled jobs)."""
    now = now or timezone.now()
    actor = system_user(JOBS)
    queued = []
    for kind, seconds in getattr(settings, "GRIDGOV_PERIODIC_JOBS", {}).items():
        last = (
            Job.objects.filter(kind=kind)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is None or (now - last).total_seconds() >= seconds:
            queued.append(enqueue(kind, actor=actor, unique_key=f"periodic:{kind}"))
    return queued


def requeue_dead(jobs: QuerySet[Job] | None = None) -> int:
    """Running jobs whose worker died go back to the queue (their work is transactional), or fail
    after GRIDGOV_JOB_MAX_ATTEMPTS runs. A worker is dead when its lock on this host is free, or
    (other hosts) when its heartbeat is older than GRIDGOV_JOB_STALE_SECONDS. Rows locked by a
    live transaction are skipped. Returns how many jobs were put back or given up."""
    running = (Job.objects.all() if jobs is None else jobs).filter(status=JobStatus.RUNNING)
    now = timezone.now()
    dead = [
        (pk, worker)
        for pk, worker, beat in running.values_list("pk", "worker", "heartbeat_at")
        if liveness.is_dead(worker, beat, now)
    ]
    count = 0
    for pk, worker in dead:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=JobStatus.RUNNING, worker=worker)
                .first()
            )
            # look again under the lock: a heartbeat may have arrived since the first look
            if job is None or not liveness.is_dead(worker, job.heartbeat_at, timezone.now()):
                continue
            if job.attempts >= settings.GRIDGOV_JOB_MAX_ATTEMPTS:
                job.status = JobStatus.FAILED
                job.finished_at = timezone.now()
                job.message = _("Its worker stopped during each of %(n)d attempts; given up.") % {
                    "n": job.attempts
                }
                job.error = job.message
                logger.error("job %s (%s) given up: worker %s died", pk, job.kind, worker)
            else:
                job.status = JobStatus.QUEUED
                logger.warning("job %s (%s) queued again: worker %s died", pk, job.kind, worker)
            job.worker = ""
            job.save(update_fields=["status", "finished_at", "message", "error", "worker"])
            count += 1
    return count
