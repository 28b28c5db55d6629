import pytest

from gridgov.jobs.models import Job, JobStatus
from gridgov.jobs.registry import job
from gridgov.jobs.services import enqueue, enqueue_due_periodic, run_pending


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
    queued = enqueue("tests.add", {"a": 2, "b": 3})
    assert queued.status == JobStatus.QUEUED
    assert run_pending() == 1
    queued.refresh_from_db()
    assert (queued.status, queued.result, queued.percent) == (JobStatus.DONE, {"sum": 5}, 100)
    assert "adding" in queued.log


@pytest.mark.django_db
def test_a_failing_job_is_recorded_not_lost():
    queued = enqueue("tests.fail")
    run_pending()
    queued.refresh_from_db()
    assert queued.status == JobStatus.FAILED and "no luck" in queued.error


@pytest.mark.django_db
def test_unique_key_gives_one_pending_job():
    first = enqueue("tests.add", {"a": 1, "b": 1}, unique_key="same")
    second = enqueue("tests.add", {"a": 1, "b": 1}, unique_key="same")
    assert first.pk == second.pk
    run_pending()
    third = enqueue("tests.add", {"a": 1, "b": 1}, unique_key="same")
    assert third.pk != first.pk


@pytest.mark.django_db
def test_unknown_kinds_are_refused_at_once():
    with pytest.raises(LookupError):
        enqueue("tests.nothing")


@pytest.mark.django_db
def test_periodic_jobs_are_queued_when_due(settings):
    settings.GRIDGOV_PERIODIC_JOBS = {"tests.add": 3600}
    Job.objects.all().delete()
    assert len(enqueue_due_periodic()) == 1
    assert enqueue_due_periodic() == []  # not due again yet
    assert Job.objects.filter(kind="tests.add").count() == 1
