"""The member's to-do items of the lines for the phone's home (the field app gathers every
app's `phone_todo.todo_items`): special-population visits due, and for grid members the open
inspection tasks of their grids (shops and rented houses) and this month's dispute screening."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.lines.models import InspectionTask, ScreeningState, ScreeningTask
from gridgov.lines.services.populations import due_records
from gridgov.masking import mask_name
from gridgov.patrol.models import Task, TaskStatus

TASKS_SHOWN = 20


def _end_of(day: datetime.date) -> datetime.datetime:
    """A due day as the end of that day in local time (the other parts' items are times)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def todo_items(user, within_days: int = 7) -> list[dict]:
    """Keys kind, title, url, due (an aware time), area_name: visits due within `within_days`
    (overdue too); a grid member's open inspection tasks and screenings."""
    # A visit that is already a field task shows once, as that task (linked to the same form).
    tasked = Task.objects.filter(status=TaskStatus.OPEN, special_record__isnull=False)
    due = due_records(user, within_days).exclude(pk__in=tasked.values("special_record_id"))
    records = list(restrict(due, user, Action.CHANGE)[:100])
    inspections: list[InspectionTask] = []
    screenings: list[ScreeningTask] = []
    if getattr(user, "role", "") == Role.GRID_MEMBER:
        # every open inspection task (a plan gives them a fortnight), soonest first
        inspections = list(
            restrict(
                InspectionTask.objects.filter(done=False).select_related(
                    "plan", "organization", "rental__house"
                ),
                user,
                Action.CHANGE,
            ).order_by("due_on", "pk")[:TASKS_SHOWN]
        )
        screenings = list(
            restrict(
                ScreeningTask.objects.filter(state=ScreeningState.OPEN), user, Action.CHANGE
            ).order_by("month", "area_code")[:TASKS_SHOWN]
        )
    codes = {r.area_code for r in records} | {t.area_code for t in inspections + screenings}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    items = [
        {
            "kind": "special_visit",
            "kind_label": _("Visit"),
            # the person masked, never the category (the home page is kept on the phone)
            "title": _("Visit %(name)s") % {"name": mask_name(r.person.name)},
            "url": reverse("lines:phone_visit", args=[r.pk]),
            "due": _end_of(r.next_visit_due),
            "area_name": names.get(r.area_code, ""),
        }
        for r in records
        if r.next_visit_due is not None
    ]
    items += [
        {
            "kind": "inspection",
            "kind_label": _("Inspection"),
            "title": _("Inspection: %(place)s") % {"place": t.place_name},
            "url": reverse("lines:m_inspect", args=[t.pk]),
            "due": _end_of(t.due_on),
            "area_name": names.get(t.area_code, ""),
        }
        for t in inspections
    ]
    for s in screenings:
        month_end = (s.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        items.append(
            {
                "kind": "screening",
                "kind_label": _("Dispute screening"),
                "title": _("Monthly dispute screening %(month)s") % {"month": f"{s.month:%Y-%m}"},
                "url": reverse("lines:m_screening"),
                "due": _end_of(month_end - datetime.timedelta(days=1)),
                "area_name": names.get(s.area_code, ""),
            }
        )
    return items
