from gridgov.jobs.registry import job
from gridgov.notify.outbox import send_due


@job("notify.send_outbox")
def send_outbox(ctx) -> dict:
    """A fallback for installations that run no `gridgov sender`."""
    return send_due()
