import datetime
import socket

import pytest
from django.utils import timezone

from gridgov.accounts.system import JOBS, system_user
from gridgov.jobs import liveness, services
from gridgov.jobs.models import Job, JobStatus
from gridgov.jobs.registry import job
from gridgov.jobs.services import enqueue, enqueue_due_periodic, requeue_dead, run_pending


@job("tests.add")
def _add(ctx, a: int, b: int) -> dict:
    ctx.progress(1, 2, "half way", force=True)
    ctx.log("adding")
    return {"sum": a + b}


@job("tests.fail")
def _fail(ctx) -> None:
    raise RuntimeError("no luck")


@pytest.mark.django_db
def test_a_job_runs_and_records_its_result():
    queued = enqueue("tests.add", {"a": 2, "b": 3}, actor=system_user(JOBS))
    assert queued.status == JobStatus.QUEUED
    assert run_pending() == 1
    queued.refresh_from_db()
    assert (queued.status, queued.result, queued.percent) == (JobStatus.DONE, {"sum": 5}, 100)
    assert "adding" in queued.log


@pytest.mark.django_db
def test_a_failing_job_is_recorded_not_lost():
    queued = enqueue("tests.fail", actor=system_user(JOBS))
    run_pending()
    queued.refresh_from_db()
    assert queued.status == JobStatus.FAILED and "no luck" in queued.error


@pytest.mark.django_db
def test_unique_key_gives_one_pending_job():
    first = enqueue("tests.add", {"a": 1, "b": 1}, unique_key="same", actor=system_user(JOBS))
    second = enqueue("tests.add", {"a": 1, "b": 1}, unique_key="same", actor=system_user(JOBS))
    assert first.pk == second.pk
    run_pending()
    third = enqueue("tests.add", {"a": 1, "b": 1}, unique_key="same", actor=system_user(JOBS))
    assert third.pk != first.pk


@pytest.mark.django_db
def test_unknown_kinds_are_refused_at_once():
    with pytest.raises(LookupError):
        enqueue("tests.nothing", actor=system_user(JOBS))


@pytest.mark.django_db
def test_periodic_jobs_are_queued_when_due(settings):
    settings.GRIDGOV_PERIODIC_JOBS = {"tests.add": 3600}
    Job.objects.all().delete()
    assert len(enqueue_due_periodic()) == 1
    assert enqueue_due_periodic() == []  # not due again yet
    assert Job.objects.filter(kind="tests.add").count() == 1


def _as_if_running(job: Job, worker: str, silent_for: float, attempts: int = 1) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker=worker,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=silent_for),
        attempts=attempts,
    )


@pytest.mark.django_db
def test_unique_key_never_returns_a_job_whose_worker_died(settings):
    settings.GRIDGOV_JOB_STALE_SECONDS = 60
    first = enqueue("tests.add", {"a": 1, "b": 2}, unique_key="roll-up", actor=system_user(JOBS))
    _as_if_running(first, "gone-host:4242", silent_for=120)
    again = enqueue("tests.add", {"a": 1, "b": 2}, unique_key="roll-up", actor=system_user(JOBS))
    assert again.pk == first.pk and again.status == JobStatus.QUEUED
    assert run_pending() == 1
    again.refresh_from_db()
    assert (again.status, again.result, again.attempts) == (JobStatus.DONE, {"sum": 3}, 2)


@pytest.mark.django_db
def test_a_job_with_a_fresh_heartbeat_is_left_running(settings):
    settings.GRIDGOV_JOB_STALE_SECONDS = 60
    busy = enqueue("tests.add", {"a": 1, "b": 2}, unique_key="roll-up", actor=system_user(JOBS))
    _as_if_running(busy, "other-host:7", silent_for=30)
    assert requeue_dead() == 0
    assert (
        enqueue("tests.add", {"a": 1, "b": 2}, unique_key="roll-up", actor=system_user(JOBS)).status
        == "running"
    )


@pytest.mark.django_db
def test_dead_jobs_are_given_up_after_the_last_attempt(settings):
    settings.GRIDGOV_JOB_STALE_SECONDS = 60
    settings.GRIDGOV_JOB_MAX_ATTEMPTS = 3
    tired = enqueue("tests.add", {"a": 1, "b": 2}, actor=system_user(JOBS))
    fresh = enqueue("tests.add", {"a": 2, "b": 2}, actor=system_user(JOBS))
    _as_if_running(tired, "gone-host:1", silent_for=61, attempts=3)
    _as_if_running(fresh, "gone-host:1", silent_for=61, attempts=1)
    assert requeue_dead() == 2
    tired.refresh_from_db()
    fresh.refresh_from_db()
    assert (tired.status, fresh.status) == (JobStatus.FAILED, JobStatus.QUEUED)
    assert tired.finished_at is not None and tired.worker == ""


@pytest.mark.django_db
def test_a_job_taken_for_dead_does_not_record_over_its_second_run():
    job_row = enqueue("tests.add", {"a": 1, "b": 2}, actor=system_user(JOBS))
    claimed = services._claim("host:1")
    Job.objects.filter(pk=job_row.pk).update(status=JobStatus.QUEUED, worker="")
    services.run_job(claimed)
    job_row.refresh_from_db()
    assert job_row.status == JobStatus.QUEUED  # runs again, then records its own end


@pytest.mark.django_db
def test_heartbeat_stamps_only_the_workers_own_running_job():
    job_row = enqueue("tests.add", {"a": 1, "b": 2}, actor=system_user(JOBS))
    _as_if_running(job_row, "host:1", silent_for=300)
    assert liveness.stamp(job_row.pk, "host:2") == 0
    assert liveness.stamp(job_row.pk, "host:1") == 1
    job_row.refresh_from_db()
    assert (timezone.now() - job_row.heartbeat_at).total_seconds() < 5


def test_a_worker_lock_tells_a_live_worker_from_a_dead_one(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    name = f"{socket.gethostname()}:999999"
    assert liveness.worker_alive(name) is None  # never seen: judged by its heartbeat
    lock = liveness.WorkerLock(name)
    lock.acquire()
    assert liveness.worker_alive(name) is True
    assert liveness.is_dead(name, None, timezone.now()) is False
    settings.GRIDGOV_JOB_LOCAL_LIVENESS = False
    assert liveness.worker_alive(name) is None
    settings.GRIDGOV_JOB_LOCAL_LIVENESS = True
    lock.release()
    assert liveness.worker_alive(name) is None
    (tmp_path / "workers" / f"{name.replace(':', '-')}.lock").touch()  # left by a killed worker
    assert liveness.worker_alive(name) is False
    liveness.sweep_lock_files()
    assert liveness.worker_alive(name) is None
    assert liveness.worker_alive(f"elsewhere:{name}") is None
