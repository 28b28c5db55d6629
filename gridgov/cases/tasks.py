from gridgov.accounts.system import JOBS, system_user
from gridgov.cases.services import sweep_deadlines
from gridgov.jobs.registry import job


@job("cases.sweep_deadlines")
def sweep(ctx) -> dict:
    """Yellow and red cards for passed deadlines (queued every minute by the worker)."""
    return sweep_deadlines(actor=system_user(JOBS))
