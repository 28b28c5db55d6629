"""Periodic jobs of the special populations and rentals (registered in settings)."""

from gridgov.jobs.registry import job
from gridgov.lines.services.populations import create_visit_tasks, sweep_overdue_visits
from gridgov.lines.services.rentals import sweep_rentals

__all__ = ["overdue_visits", "rental_warnings", "visit_tasks"]


@job("lines.overdue_visits")
def overdue_visits(ctx) -> dict:
    """Warnings for special-population visits past their due date (daily)."""
    return sweep_overdue_visits()


@job("lines.special_visit_tasks")
def visit_tasks(ctx) -> dict:
    """Special-population visits due soon become the responsible members' field tasks (daily)."""
    return create_visit_tasks()


@job("lines.rental_warnings")
def rental_warnings(ctx) -> dict:
    """Permits, visas, leases and police registrations of rentals and foreigners (hourly)."""
    return sweep_rentals()
