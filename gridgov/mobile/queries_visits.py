"""The due visits of the offline bundle: what the kept visit page (/m/visits/) needs to open and
record a visit without the network.

Neutral by design (issue 10: the cache holds only the member's own grids, masked, with no
key-population tags): each visit names the person masked, where they live, the due day and the
form to send, never the population category, the risk level or the tags that made it due.
Two sources, the same as the to-do list's: the member's open visit tasks (field work) and the
special-population records they are responsible for whose visit falls due (business lines),
a record that already has an open task shown once, as that task."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.lines.services.populations import due_records
from gridgov.masking import mask_name
from gridgov.patrol.models import Task, TaskKind, TaskStatus
from gridgov.patrol.phone_todo import HORIZON_DAYS
from gridgov.registry.models import Residence

VISITS_LIMIT = 100


def room_label(unit: int, room: str) -> str:
    """A house as people say it: 1单元102室."""
    return _("unit %(unit)s room %(room)s") % {"unit": unit, "room": room}


def _homes(user: User, person_ids: set[int]) -> dict[int, dict]:
    """Where each person lives now (building name and address, house code), within the scope."""
    rows = (
        restrict(Residence.objects.filter(person_id__in=person_ids, until__isnull=True), user)
        .select_related("house__building")
        .order_by("person_id", "-since", "-id")
    )
    homes: dict[int, dict] = {}
    for residence in rows:
        if residence.person_id in homes or residence.house is None:
            continue
        building = residence.house.building
        homes[residence.person_id] = {
            "building": building.name if building is not None else "",
            "address": building.address if building is not None else "",
            "house": residence.house.code,
            "room": room_label(residence.house.unit, residence.house.room),
        }
    return homes


def _visit(key: str, person, due: datetime.date, page: str, form: dict, home: dict | None) -> dict:
    return {
        "id": key,
        "person": mask_name(person.name),
        "building": (home or {}).get("building", ""),
        "address": (home or {}).get("address", ""),
        "house": (home or {}).get("house", ""),
        "room": (home or {}).get("room", ""),
        "due": due.isoformat(),
        "page": page,
        "form": form,
    }


def due_visits(user: User) -> list[dict]:
    """The member's due visits (overdue ones too) within the to-do list's horizon, soonest
    first: [{id, person (masked), building, address, house, due (a day), page (the online visit
    page), form: {url, body, voice_url, met, position}}]. `form.body` holds the fixed fields
    of the POST (the person's or the record's id); the phone adds the note, `met` when the form
    asks it, the position when it takes one, and its UUID as `client_key`."""
    if not getattr(user, "is_authenticated", False):
        return []
    horizon = timezone.now() + datetime.timedelta(days=HORIZON_DAYS)
    tasks = list(
        restrict(
            Task.objects.filter(
                assignee=user,
                kind=TaskKind.VISIT,
                status=TaskStatus.OPEN,
                person__isnull=False,
                due__lte=horizon,
            ),
            user,
            Action.VIEW,
        )
        .select_related("person")
        .order_by("due", "id")[:VISITS_LIMIT]
    )
    tasked = restrict(
        Task.objects.filter(status=TaskStatus.OPEN, special_record__isnull=False), user
    )
    records = list(
        restrict(
            due_records(user, HORIZON_DAYS).exclude(pk__in=tasked.values("special_record_id")),
            user,
            Action.CHANGE,
        )[:VISITS_LIMIT]
    )
    people = {t.person_id for t in tasks} | {r.person_id for r in records}
    homes = _homes(user, {p for p in people if p is not None})
    visits = [_task_visit(t, homes.get(t.person_id)) for t in tasks]
    visits += [_record_visit(r, homes.get(r.person_id)) for r in records if r.next_visit_due]
    visits.sort(key=lambda v: (v["due"], v["id"]))
    return visits


def _task_visit(task: Task, home: dict | None) -> dict:
    due = timezone.localtime(task.due).date()
    if task.special_record_id:  # recorded on the record's own form, which closes the task
        return _visit(
            f"task-{task.pk}",
            task.person,
            due,
            reverse("lines:phone_visit", args=[task.special_record_id]),
            _record_form(task.special_record_id),
            home,
        )
    return _visit(
        f"task-{task.pk}",
        task.person,
        due,
        reverse("patrol:work_phone_task", args=[task.pk]),
        {
            "url": "/api/v1/patrol/visits",
            "body": {"person_id": task.person_id},
            "voice_url": "/api/v1/patrol/visits/{id}/voice",
            "met": False,
            "position": True,
        },
        home,
    )


def _record_visit(record, home: dict | None) -> dict:
    return _visit(
        f"record-{record.pk}",
        record.person,
        record.next_visit_due,
        reverse("lines:phone_visit", args=[record.pk]),
        _record_form(record.pk),
        home,
    )


def _record_form(record_id: int) -> dict:
    return {
        "url": f"/api/v1/lines/populations/{record_id}/visits",
        "body": {},
        "voice_url": "/api/v1/lines/populations/visits/{id}/voice",
        "met": True,
        "position": True,
    }
