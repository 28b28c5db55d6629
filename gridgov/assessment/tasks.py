from gridgov.assessment.rollup import roll_up
from gridgov.jobs.registry import job


@job("assessment.roll_up")
def roll_up_job(ctx) -> dict:
    """Facts, tallies and snapshots for the cockpit and rankings (queued every minute)."""
    return roll_up(progress=ctx.progress)
