"""Periodic jobs of disputes and hazards: the month's screening tasks, inspection tasks due,
overdue rectifications escalated."""

from gridgov.accounts.system import LINES, system_user
from gridgov.jobs.registry import job
from gridgov.lines.services import disputes, hazards


@job("lines.create_screenings")
def create_screenings(ctx) -> dict:
    """This month's screening task of every grid (daily; nothing new once made)."""
    return {"created": disputes.create_screenings(actor=system_user(LINES))}


@job("lines.generate_inspection_tasks")
def generate_inspection_tasks(ctx) -> dict:
    """Inspection tasks for places whose plan interval has passed (daily)."""
    return {"created": hazards.generate_tasks(actor=system_user(LINES))}


@job("lines.escalate_overdue_hazards")
def escalate_overdue_hazards(ctx) -> dict:
    """Hazards past their rectification deadline go to district supervision (daily)."""
    return {"escalated": hazards.escalate_overdue(actor=system_user(LINES))}
