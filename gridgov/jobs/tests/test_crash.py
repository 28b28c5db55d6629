"""Real workers killed with SIGKILL: their job runs again, once, soon; a live job is left alone."""

import json
import signal
import time

import pytest

from gridgov.jobs.tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]


def _enqueue(p, trace, seconds: float, hold_write: bool = False) -> dict:
    payload = {"seconds": seconds, "trace": str(trace), "hold_write": hold_write}
    answer = p.python(
        "import json; from gridgov.jobs.services import enqueue\n"
        "from gridgov.accounts.system import JOBS, system_user\n"
        f"j = enqueue('tests.sleep', {payload!r}, actor=system_user(JOBS), unique_key='sleepy')\n"
        "print(json.dumps({'id': j.pk, 'status': j.status}))"
    )
    return json.loads(answer)


def _job(p, job_id: int) -> tuple[str, int]:
    return p.query("SELECT status, attempts FROM jobs_job WHERE id = ?", job_id)[0]


def _trace(trace) -> list[str]:
    return [line.split()[0] for line in trace.read_text().splitlines()] if trace.exists() else []


@pytest.mark.parametrize(
    ("local_liveness", "stale"),
    [("1", 60), ("0", 3)],
    ids=["dead-by-its-lock", "dead-by-its-silence"],
)
def test_a_killed_workers_job_runs_again_exactly_once(platform, local_liveness, stale):
    p = platform(
        GRIDGOV_JOB_STALE_SECONDS=str(stale),
        GRIDGOV_JOB_HEARTBEAT_SECONDS="0.5",
        GRIDGOV_JOB_LOCAL_LIVENESS=local_liveness,
    )
    trace = p.folder / "trace"
    job_id = _enqueue(p, trace, seconds=2)["id"]
    first = p.start("worker", "--sleep", "0.1", name="worker1")
    wait_for(lambda: _trace(trace) == ["start"], 30, "the job to start")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    assert _job(p, job_id) == ("running", 1)

    if local_liveness == "0":
        time.sleep(stale)  # silent for the stale limit (its heartbeat died with it)
    again = _enqueue(p, trace, seconds=2)  # the unique key returns the dead job, queued again
    assert again == {"id": job_id, "status": "queued"}

    p.start("worker", "--sleep", "0.1", name="worker2")
    wait_for(lambda: _job(p, job_id)[0] == "done", 85, "the job to run again")
    assert time.monotonic() - killed_at < 90  # the promise: a killed worker's job reruns in 90 s
    assert _trace(trace) == ["start", "start", "end"]
    assert _job(p, job_id) == ("done", 2)
    assert p.query("SELECT count(*) FROM jobs_job WHERE kind = 'tests.sleep'") == [(1,)]


@pytest.mark.parametrize(
    ("local_liveness", "hold_write"),
    [("0", False), ("1", True)],
    ids=["kept-alive-by-its-heartbeat", "kept-alive-by-its-lock-in-a-long-write"],
)
def test_a_long_job_that_makes_no_progress_runs_exactly_once(platform, local_liveness, hold_write):
    p = platform(
        GRIDGOV_JOB_STALE_SECONDS="2",
        GRIDGOV_JOB_HEARTBEAT_SECONDS="0.5",
        GRIDGOV_JOB_LOCAL_LIVENESS=local_liveness,
    )
    trace = p.folder / "trace"
    for n in (1, 2):
        p.start("worker", "--sleep", "0.1", name=f"worker{n}")
    job_id = _enqueue(p, trace, seconds=6, hold_write=hold_write)["id"]
    wait_for(lambda: _job(p, job_id)[0] == "done", 40, "the job to end")
    assert _trace(trace) == ["start", "end"]
    assert _job(p, job_id) == ("done", 1)
