"""The job that queues what other levels need (docs/federation.md)."""

from gridgov.exchange.services import federation
from gridgov.jobs.registry import job

__all__ = ["federation_push"]


@job("exchange.federation_push")
def federation_push(ctx) -> dict:
    """Case facts up, escalated cases' steps and warnings down (every minute)."""
    return federation.push_all()
