from gridgov.accounts.system import JOBS, system_user
from gridgov.jobs.registry import job
from gridgov.office.services.documents import remind_overdue
from gridgov.office.services.notices import remind_due_notices


@job("office.remind")
def remind(ctx) -> dict:
    """Remind those who have not signed for notices, and the lead units of overdue documents
    (queued hourly by the worker; each notice and document at most once a day)."""
    return {**remind_due_notices(), **remind_overdue(actor=system_user(JOBS))}
