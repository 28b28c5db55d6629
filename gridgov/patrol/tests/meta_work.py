"""The work section's entries in the shared meta-tests (see gridgov/tests/sections.py)."""

import datetime

from django.utils import timezone

from gridgov.patrol.services import diary as diary_services
from gridgov.patrol.services import work as services
from gridgov.tests.sections import ListRoute

LISTS = {
    "field tasks": ListRoute(
        "/patrol/tasks/",
        "gridgov.patrol.api_work:list_tasks",
        "/api/v1/patrol/tasks",
        "items",
        queries=("", "status=open", "status=done", "kind=check", "q=巡查", "area=410105001"),
        bad="status=nonsense",
    ),
    "work diary": ListRoute(
        "/patrol/diary/",
        "gridgov.patrol.api_work:list_diary",
        "/api/v1/patrol/diary",
        "items",
        queries=("", "tag=hazard", "reviewed=no", "reviewed=yes", "area=410105002"),
        bad="tag=nonsense",
    ),
}

NOT_LISTS = {
    "gridgov.patrol.api_work:task_stats": "counts of the caller's scope, not a list",
    "gridgov.patrol.api_work:my_tasks": "the caller's own open tasks, unfiltered",
    "gridgov.patrol.api_work:my_todo": "the caller's own to-do items for the phone's home",
}


ALLOWED_READS = {
    ("patrol/views_work.py", "User"): "User.objects.none() in the assign form's field; its "
    "__init__ sets the members through restrict()",
}


def list_rows(users, admin) -> None:
    """Two tasks of member_a (one done) and two diary entries (one reviewed)."""
    member = users["member_a"]
    due = timezone.now() + datetime.timedelta(days=2)
    check = services.TaskInput(kind="check", title="核查井盖", due=due)
    patrol = services.TaskInput(kind="patrol", title="巡查广场", due=due)
    services.assign_task(admin, check, [member])
    done = services.assign_task(admin, patrol, [member])[0]
    services.complete_task(done, actor=member, note="已巡查")
    hazard = diary_services.DiaryInput(text="井盖松动", tags=["hazard"])
    entry, _ = diary_services.write_diary(actor=member, data=hazard)
    diary_services.write_diary(
        actor=member, data=diary_services.DiaryInput(text="走访老人", tags=["service"])
    )
    diary_services.review_diary(entry, actor=admin, rating=4)
