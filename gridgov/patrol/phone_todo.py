"""The member's to-do items of this section for the phone's home: tasks due and visits due."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.masking import mask_name
from gridgov.patrol.models import Task, TaskKind, TaskStatus

# Open tasks due within this many days show on the phone's home.
HORIZON_DAYS = 7


def todo_items(user) -> list[dict]:
    """[{kind, title, url, due, area_name}] of the user's open tasks (kind "task") and visits
    (kind "visit") due within HORIZON_DAYS or overdue, soonest first. A visit's title names the
    person masked and nothing of why they are visited (the home page is kept on the phone)."""
    if not getattr(user, "is_authenticated", False):
        return []
    horizon = timezone.now() + datetime.timedelta(days=HORIZON_DAYS)
    rows = (
        restrict(
            Task.objects.filter(assignee=user, status=TaskStatus.OPEN, due__lte=horizon),
            user,
            Action.VIEW,
        )
        .select_related("person")
        .order_by("due", "id")[:50]
    )
    tasks = list(rows)
    names = dict(
        Area.objects.filter(code__in={t.area_code for t in tasks}).values_list("code", "name")
    )
    return [
        {
            "kind": "visit" if t.kind == TaskKind.VISIT else "task",
            "kind_label": _("Visit") if t.kind == TaskKind.VISIT else _("Task"),
            "title": _title(t),
            # a special-population visit is recorded on its own form, which completes the task
            "url": reverse("lines:phone_visit", args=[t.special_record_id])
            if t.special_record_id
            else f"/patrol/phone/tasks/{t.pk}/",
            "due": t.due,
            "area_name": names.get(t.area_code, t.area_code),
        }
        for t in tasks
    ]


def _title(task: Task) -> str:
    if task.kind == TaskKind.VISIT and task.person is not None:
        return _("Visit %(name)s") % {"name": mask_name(task.person.name)}
    return task.title
