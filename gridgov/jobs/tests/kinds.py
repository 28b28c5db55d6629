"""Job kinds for tests that run real worker processes (imported before the command starts)."""

import os
import time
from pathlib import Path

from django.db import transaction

from gridgov.jobs.registry import job


@job("tests.sleep")
def sleep(ctx, seconds: float, trace: str, hold_write: bool = False) -> dict:
    """Sleep without reporting progress (holding the database's write lock all along when asked,
    like one long SQL statement); note each start and end in the file `trace`."""
    with Path(trace).open("a") as f:
        f.write(f"start {os.getpid()}\n")
    if hold_write:
        from gridgov.jobs.models import Job  # imported before setup otherwise

        with transaction.atomic():
            Job.objects.filter(pk=ctx.job.pk).update(message="holding the write lock")
            time.sleep(seconds)
    else:
        time.sleep(seconds)
    with Path(trace).open("a") as f:
        f.write(f"end {os.getpid()}\n")
    return {"slept": seconds}
