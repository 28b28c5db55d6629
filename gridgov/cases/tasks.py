from gridgov.accounts.system import JOBS, system_user
from gridgov.cases.services import sweep_deadlines
from gridgov.jobs.registry import job


@job("cases.sweep_deadlines")
def sweep(ctx) -> dict:
    """Yellow and red cards for passed deadlines (queued every minute by the worker)."""
    return sweep_deadlines(actor=system_user(JOBS))


@job("cases.anonymise_reporters")
def anonymise_reporters(ctx) -> dict:
    """Reporter details of cases finished longer ago than the district's period (daily)."""
    from gridgov.cases.services.anonymise import anonymise_reporters as run

    return run(actor=system_user(JOBS))
