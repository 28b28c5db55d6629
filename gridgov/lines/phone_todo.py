"""The member's due special-population visits for the phone's to-do list."""

from django.urls import reverse

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.lines.services.populations import due_records
from gridgov.masking import mask_name
from gridgov.patrol.models import Task, TaskStatus


def todo_items(user, within_days: int = 7) -> list[dict]:
    """Keys kind, title, url, due, area_name: visits due within `within_days` (overdue too)."""
    # A visit that is already a field task shows once, as that task (linked to the same form).
    tasked = Task.objects.filter(status=TaskStatus.OPEN, special_record__isnull=False)
    due = due_records(user, within_days).exclude(pk__in=tasked.values("special_record_id"))
    records = list(restrict(due, user, Action.CHANGE)[:100])
    names = dict(
        Area.objects.filter(code__in={r.area_code for r in records}).values_list("code", "name")
    )
    return [
        {
            "kind": "special_visit",
            "title": f"{r.category.name} {mask_name(r.person.name)}",
            "url": reverse("lines:phone_visit", args=[r.pk]),
            "due": r.next_visit_due,
            "area_name": names.get(r.area_code, ""),
        }
        for r in records
    ]
