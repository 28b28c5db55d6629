from django.http import Http404, HttpRequest
from ninja import Router, Schema

from gridgov.accounts.scope import has_global_scope
from gridgov.jobs.models import Job

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    status: str
    percent: int
    progress_done: int
    progress_total: int
    message: str
    result: dict | list | None


def get_job_for_user(user, job_id: int) -> Job:
    """A job is visible to whoever started it (and to administrators)."""
    jobs = Job.objects.all() if has_global_scope(user) else Job.objects.filter(created_by=user)
    try:
        return jobs.get(pk=job_id)
    except Job.DoesNotExist:
        raise Http404 from None


@router.get("/jobs/{job_id}", response=JobOut, summary="A background job's progress")
def job_status(request: HttpRequest, job_id: int):
    return get_job_for_user(request.user, job_id)
