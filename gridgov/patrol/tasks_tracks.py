"""Periodic jobs of patrols and tracks."""

from django.utils import timezone

from gridgov.accounts.system import FIELD_TASKS, system_user
from gridgov.jobs.registry import job
from gridgov.patrol.partitions import ensure_partitions
from gridgov.patrol.services.tracks import close_stale_sessions


@job("patrol.close_stale_sessions")
def close_stale(ctx) -> dict:
    """End sessions left open for over 14 hours (hourly): no one stays tracked by mistake."""
    return {"closed": close_stale_sessions(actor=system_user(FIELD_TASKS))}


@job("patrol.ensure_partitions")
def partitions(ctx) -> dict:
    """Create next months' partitions of the positions table on PostgreSQL (daily)."""
    return {"created": ensure_partitions(timezone.localdate(), months=3)}
