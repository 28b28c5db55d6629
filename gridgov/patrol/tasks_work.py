"""Jobs of tasks, visits and the diary."""

from gridgov.jobs.registry import job
from gridgov.patrol.services.work import create_due_visits as _create_due_visits

__all__ = ["create_due_visits"]


@job("patrol.create_due_visits")
def create_due_visits(ctx) -> dict:
    """Due visits of key populations become tasks; overdue ones are reminded (daily)."""
    return _create_due_visits()
