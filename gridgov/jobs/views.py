from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gridgov.jobs.api import get_job_for_user


@login_required
def job_progress(request, job_id: int):
    """A progress bar that refreshes itself (htmx) until the job has finished."""
    job = get_job_for_user(request.user, job_id)
    return render(request, "jobs/progress.html", {"job": job})
