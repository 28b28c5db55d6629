"""The job that makes queued exchange packages."""

from gridgov.exchange.services import packages
from gridgov.jobs.registry import job

__all__ = ["produce_packages"]


@job("exchange.produce_packages")
def produce_packages(ctx) -> dict:
    """Make the queued exchange packages, oldest first, with progress (every five minutes)."""
    made = packages.produce_queued(progress=lambda done, total: ctx.progress(done, total))
    return {"produced": made}
