from gridgov.accounts.system import JOBS, system_user
from gridgov.audit import retention
from gridgov.jobs.registry import job


@job("audit.apply_retention")
def apply_retention(ctx) -> dict:
    """Remove what every registered kind of data keeps past its period (queued daily)."""
    return retention.apply(acting_user=system_user(JOBS))
