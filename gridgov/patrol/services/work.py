"""Field work: assign and complete tasks, record visits with position evidence, and create due
visits of key populations (the work diary is in `diary.py`).

Every write takes the acting user as `actor`, runs in one transaction and leaves a change-log
row. Writes the phone may replay from its offline outbox take a client-generated key
(`client_key` / `completion_key`): the same key again answers the first result, never a second
row.
"""

import datetime
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import ForceType, StaffAssignment, User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.accounts.system import FIELD_TASKS, system_user
from gridgov.areas.models import Area, Level
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.cases.photos import check_photo
from gridgov.cases.voice import CheckedVoiceNote, check_voice_note
from gridgov.lines.models import RecordState, SpecialRecord
from gridgov.masking import mask_name
from gridgov.notify.services import notify
from gridgov.patrol.models import (
    DEFAULT_VISIT_DAYS,
    FieldVisit,
    Task,
    TaskKind,
    TaskStatus,
    VisitInterval,
)
from gridgov.registry.models import KeyPopulationTag, Person, Residence, Visit
from gridgov.registry.services import record_visit

# A visit recorded farther than this from the household's building is flagged.
FAR_METRES_DEFAULT = 200.0
# Due visits become tasks this many days before they are due.
VISIT_LEAD_DAYS = 3
MAX_PHOTO_BYTES = 10 * 2**20


def far_metres() -> float:
    return float(getattr(settings, "GRIDGOV_VISIT_FAR_METRES", FAR_METRES_DEFAULT))


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine on a 6371 km sphere)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))


def end_of_local_day(day: datetime.date) -> datetime.datetime:
    """23:59:59 of `day` in the platform's time zone (Asia/Shanghai)."""
    tz = timezone.get_default_timezone()
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=tz)


def normalized_key(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not 8 <= len(value) <= 64:
        raise ValidationError({"client_key": _("The client key must have 8 to 64 characters.")})
    return value


def check_position(lon: float | None, lat: float | None) -> None:
    if (lon is None) != (lat is None):
        raise ValidationError({"lat": _("Give both longitude and latitude, or neither.")})
    if (
        lon is not None
        and lat is not None
        and not (
            math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
        )
    ):
        raise ValidationError({"lon": _("The position is not a valid longitude and latitude.")})


def stored_photo(photo) -> object | None:
    """A checked photo (EXIF removed, size and pixels limited), or None."""
    if photo is None:
        return None
    data = photo.read(MAX_PHOTO_BYTES + 1)
    checked = check_photo(data, getattr(photo, "name", "photo") or "photo")
    checked.public.name = f"{uuid.uuid4().hex}.jpg"
    return checked.public


def member_grid(user: User) -> str:
    """The grid a member works (their open staff assignment), else their first scope code."""
    code = (
        StaffAssignment.objects.filter(user=user, until__isnull=True)
        .order_by("since", "id")
        .values_list("area_code", flat=True)
        .first()
    )
    return code or (user.scope_codes[0] if user.scope_codes else "")


def members_of(area_code: str) -> list[User]:
    """Staff working a grid under `area_code` today (one each), by id."""
    ids = (
        StaffAssignment.objects.filter(
            area_code__startswith=area_code, until__isnull=True, user__is_active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


# ---------------------------------------------------------------------------------------------
# tasks


@dataclass
class TaskInput:
    kind: str
    title: str
    due: datetime.datetime
    description: str = ""
    person: Person | None = None


# A task falls due from today to a year ahead: a due day in year 1 or 9999 is a slip of the
# finger, and one already past makes a task overdue at birth.
DUE_AHEAD = datetime.timedelta(days=366)


def check_due_day(day: datetime.date) -> None:
    """The due-day rule of a task someone assigns, on the desk form and the API alike (not in
    `assign_task`: a task handed down by the city, or the demo's history, may be due already)."""
    today = timezone.localdate()
    if not today <= day <= today + DUE_AHEAD:
        raise ValidationError(_("Give a due day from today to a year ahead."))


def _check_task(actor: User, data: TaskInput) -> None:
    if not user_may(actor, Action.ASSIGN_TASKS):
        raise PermissionDenied(_("You may not assign tasks."))
    if data.kind not in TaskKind.values:
        raise ValidationError({"kind": _("Unknown task kind.")})
    if not data.title.strip():
        raise ValidationError({"title": _("Give the task a title.")})


@transaction.atomic
def assign_task(actor: User, data: TaskInput, members: Iterable[User]) -> list[Task]:
    """One task for each member, in the member's grid; the grid must lie in the actor's scope."""
    _check_task(actor, data)
    batch = uuid.uuid4().hex
    made = []
    for member in members:
        code = member_grid(member)
        if not code or not code_in_scope(actor, code, Action.ASSIGN_TASKS):
            raise PermissionDenied(_("You may not assign tasks to this member."))
        task = Task.objects.create(
            kind=data.kind,
            title=data.title.strip()[:120],
            description=data.description,
            area_code=code,
            assignee=member,
            assigned_by=actor,
            batch=batch,
            due=data.due,
            person=data.person,
        )
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            instance=task,
            after=snapshot(task, ["kind", "title", "assignee_id", "due"]),
        )
        made.append(task)
    if not made:
        raise ValidationError({"members": _("Choose at least one member.")})
    notify(
        [t.assignee for t in made],
        _("New task: %(title)s") % {"title": data.title[:100]},
        url="/patrol/phone/tasks/",
        source="patrol.task",
    )
    return made


def assign_to_area(actor: User, data: TaskInput, area_code: str) -> list[Task]:
    """A task for every member working a grid under `area_code`."""
    if not code_in_scope(actor, area_code, Action.ASSIGN_TASKS):
        raise PermissionDenied(_("You may not assign tasks here."))
    return assign_task(actor, data, members_of(area_code))


@transaction.atomic
def complete_task(
    task: Task,
    *,
    actor: User,
    note: str = "",
    lon: float | None = None,
    lat: float | None = None,
    photo=None,
    completion_key: str | None = None,
) -> tuple[Task, bool]:
    """The member completes their task with a note, an optional photo and position.
    A replay with the same key answers (task, False)."""
    key = normalized_key(completion_key)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.assignee_id != actor.pk:
        raise PermissionDenied(_("Only the member the task is assigned to completes it."))
    if key and task.completion_key == key:
        return task, False
    if task.status != TaskStatus.OPEN:
        raise ValidationError({"status": _("The task is no longer open.")})
    if task.special_record_id:
        raise ValidationError(
            {"status": _("This visit is recorded on its special-population visit form.")}
        )
    if key and Task.objects.filter(completion_key=key).exists():
        raise ValidationError({"client_key": _("This key was used for another task.")})
    check_position(lon, lat)
    before = snapshot(task, ["status"])
    stored = stored_photo(photo)
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.note = note
    task.lon, task.lat = lon, lat
    task.completion_key = key
    if stored is not None:
        task.photo = stored
    task.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=task,
        before=before,
        after=snapshot(task, ["status", "note"]),
        note="completed",
    )
    return task, True


@transaction.atomic
def cancel_task(task: Task, *, actor: User) -> Task:
    if not code_in_scope(actor, task.area_code, Action.ASSIGN_TASKS):
        raise PermissionDenied(_("You may not assign tasks here."))
    if task.status != TaskStatus.OPEN:
        raise ValidationError({"status": _("The task is no longer open.")})
    task.status = TaskStatus.CANCELLED
    task.save(update_fields=["status"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=task,
        after={"status": task.status},
        note="cancelled",
    )
    return task


def task_statistics(rows) -> dict:
    """Counts of a task queryset: open, overdue, done, done on time."""
    now = timezone.now()
    done = rows.filter(status=TaskStatus.DONE)
    return {
        "total": rows.count(),
        "open": rows.filter(status=TaskStatus.OPEN).count(),
        "overdue": rows.filter(status=TaskStatus.OPEN, due__lt=now).count(),
        "done": done.count(),
        "done_on_time": done.filter(completed_at__lte=F("due")).count(),
    }


# ---------------------------------------------------------------------------------------------
# visits


def distance_from_home(person: Person, lon: float | None, lat: float | None) -> float | None:
    """Metres (0.1 m) from where a visit was recorded to the person's building; None when
    either is unknown. A visit is flagged `far` beyond `far_metres()`."""
    home = building_position(person)
    if home is None or lon is None or lat is None:
        return None
    return round(distance_m(lon, lat, home[0], home[1]), 1)


def building_position(person: Person) -> tuple[float, float] | None:
    residence = (
        Residence.objects.filter(person=person, until__isnull=True)
        .select_related("house__building")
        .order_by("-since", "-id")
        .first()
    )
    building = residence.house.building if residence else None
    if building is None or building.lon is None or building.lat is None:
        return None
    return building.lon, building.lat


def record_field_visit(
    person: Person,
    *,
    actor: User,
    note: str = "",
    lon: float | None = None,
    lat: float | None = None,
    accuracy: float | None = None,
    client_key: str | None = None,
    voice=None,
) -> tuple[FieldVisit, bool]:
    """A visit from the phone: the registry's visit plus where it was recorded, flagged when far
    from the household's building; it completes the member's open visit task of the person.
    `voice`: a recorded voice note (a file), checked like a case's. A replay with the same key
    answers (the first visit, False)."""
    key = normalized_key(client_key)
    if key:
        found = FieldVisit.objects.filter(client_key=key).select_related("visit").first()
        if found is not None:
            if found.visit.visitor_id != actor.pk:
                raise ValidationError({"client_key": _("This key was used by someone else.")})
            return found, False
    check_position(lon, lat)
    recording = (
        check_voice_note(voice.read(settings.GRIDGOV_MAX_VOICE_BYTES + 1)) if voice else None
    )
    try:
        with transaction.atomic():
            evidence = _record_field_visit(person, actor, note, lon, lat, accuracy, key)
            if recording is not None:
                _store_voice(evidence, recording)
            return evidence, True
    except IntegrityError:
        found = FieldVisit.objects.filter(client_key=key).first() if key else None
        if found is None:
            raise
        return found, False


def _store_voice(evidence: FieldVisit, recording: CheckedVoiceNote) -> None:
    evidence.voice = recording.file
    evidence.voice_type = recording.content_type
    evidence.save(update_fields=["voice", "voice_type"])


def add_visit_voice(evidence: FieldVisit, *, actor: User, data: bytes) -> FieldVisit:
    """Attach a voice note to a visit the actor recorded (the phone's outbox sends it after the
    visit, maybe as a resumable upload). A visit holds one note: a second one is refused, and
    the same note sent again (a replay) answers the visit as it is."""
    recording = check_voice_note(data)
    with transaction.atomic():
        locked = FieldVisit.objects.select_for_update().select_related("visit").get(pk=evidence.pk)
        if locked.visit.visitor_id != actor.pk:
            raise PermissionDenied(_("Only the member who made the visit adds its voice note."))
        if locked.voice:
            if locked.voice.size == recording.size:
                return locked
            raise ValidationError(_("This visit already has a voice note."))
        _store_voice(locked, recording)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=locked,
            after={"voice_type": recording.content_type, "voice_size": recording.size},
            note=_("Voice note added"),
        )
    return locked


def _record_field_visit(
    person: Person,
    actor: User,
    note: str,
    lon: float | None,
    lat: float | None,
    accuracy: float | None,
    key: str | None,
) -> FieldVisit:
    visit: Visit = record_visit(person, actor=actor, note=note)
    distance = distance_from_home(person, lon, lat)
    task = (
        Task.objects.filter(
            person=person, kind=TaskKind.VISIT, status=TaskStatus.OPEN, assignee=actor
        )
        # a special-population visit is done by its own form, which moves the record's due date
        .filter(special_record__isnull=True)
        .order_by("due", "id")
        .first()
    )
    evidence = FieldVisit.objects.create(
        visit=visit,
        task=task,
        lon=lon,
        lat=lat,
        accuracy=accuracy,
        distance_m=distance,
        far=distance is not None and distance > far_metres(),
        client_key=key,
        area_code=visit.area_code,
    )
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=evidence,
        after=snapshot(evidence, ["visit_id", "distance_m", "far"]),
    )
    if task is not None:
        task.status = TaskStatus.DONE
        task.completed_at = visit.time
        task.note = note
        task.lon, task.lat = lon, lat
        task.save(update_fields=["status", "completed_at", "note", "lon", "lat"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=task,
            after={"status": task.status},
            note="completed by a visit",
        )
    return evidence


def interval_days(tag: KeyPopulationTag, table: dict[str, int] | None = None) -> int:
    """The settings table's days for the tag's category, else the documented default."""
    if table is None:
        table = dict(VisitInterval.objects.values_list("category", "days"))
    return table.get(tag.category) or DEFAULT_VISIT_DAYS.get(tag.category) or tag.visit_every_days


@transaction.atomic
def set_visit_interval(*, actor: User, category: str, days: int) -> VisitInterval:
    if not user_may(actor, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("You may not change the settings."))
    if category not in DEFAULT_VISIT_DAYS or not 1 <= days <= 366:
        raise ValidationError({"days": _("Give a known category and 1 to 366 days.")})
    row, _created = VisitInterval.objects.update_or_create(
        category=category, defaults={"days": days}
    )
    record_change(actor=actor, action=ChangeAction.UPDATE, instance=row, after={"days": days})
    return row


def _community_staff(area_code: str) -> list[User]:
    """The community staff of the community holding `area_code`."""
    prefixes = [area_code[:n] for n in range(1, len(area_code) + 1)]
    community = (
        Area.objects.filter(code__in=prefixes, level=Level.COMMUNITY)
        .values_list("code", flat=True)
        .first()
    )
    if community is None:
        return []
    return list(
        User.objects.filter(
            role=Role.COMMUNITY_STAFF, is_active=True, scope_areas__code=community
        ).order_by("pk")
    )


@transaction.atomic
def open_visit_task(
    *,
    actor: User,
    person: Person,
    area_code: str,
    assignee: User,
    due: datetime.date,
    key_tag: KeyPopulationTag | None = None,
    special_record=None,
) -> Task:
    """A visit task made by a schedule (a key-population tag, a special-population record): the
    title names the person only, masked as on the phone's to-do list, never why they are
    visited (task lists, reminders and exports carry the title; the task links the person)."""
    task = Task.objects.create(
        kind=TaskKind.VISIT,
        title=_("Visit %(name)s") % {"name": mask_name(person.name)},
        area_code=area_code,
        assignee=assignee,
        assigned_by=actor,
        due=end_of_local_day(due),
        person=person,
        key_tag=key_tag,
        special_record=special_record,
    )
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=task,
        after=snapshot(task, ["kind", "assignee_id", "due"]),
        note="due visit",
    )
    return task


def close_visit_tasks(special_record, *, actor: User, when: datetime.datetime) -> int:
    """The open visit tasks of a special-population record are done once its visit is recorded
    (called by the business lines inside the visit's transaction)."""
    closed = 0
    for task in Task.objects.filter(special_record=special_record, status=TaskStatus.OPEN):
        before = snapshot(task, ["status", "completed_at"])
        task.status, task.completed_at = TaskStatus.DONE, when
        task.save(update_fields=["status", "completed_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=task,
            before=before,
            after=snapshot(task, ["status", "completed_at"]),
            note="special-population visit recorded",
        )
        closed += 1
    return closed


def create_due_visits(now: datetime.datetime | None = None, within: str = "") -> dict:
    """The daily job: a visit task for every key-population tag whose next visit is due within
    VISIT_LEAD_DAYS and has no open task; then one reminder for each visit task overdue."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = system_user(FIELD_TASKS)
    table = dict(VisitInterval.objects.values_list("category", "days"))
    created = reminded = 0
    # A tag behind a special-population record under management is visited on that record's
    # schedule (by category and risk: the business lines' job makes those tasks).
    scheduled_elsewhere = SpecialRecord.objects.filter(
        state__in=[RecordState.ACTIVE, RecordState.LOST], key_tag__isnull=False
    ).values("key_tag_id")
    tags = (
        KeyPopulationTag.objects.filter(Q(until__isnull=True) | Q(until__gte=today))
        .filter(area_code__startswith=within)
        .exclude(pk__in=scheduled_elsewhere)
        .select_related("person")
        .order_by("pk")
    )
    last_visits = dict(
        Visit.objects.values("person_id")
        .annotate(last=Max("time"))
        .values_list("person_id", "last")
    )
    open_tags = set(
        Task.objects.filter(
            kind=TaskKind.VISIT, status=TaskStatus.OPEN, key_tag__isnull=False
        ).values_list("key_tag_id", flat=True)
    )
    assignments = StaffAssignment.objects.filter(until__isnull=True, user__is_active=True)
    grid_staff = [
        (a.area_code, a.user)
        for a in sorted(
            assignments.select_related("user"),
            key=lambda a: (a.force_type != ForceType.GRID_MEMBER, a.since, a.pk),
        )
    ]
    for tag in tags:
        if tag.pk in open_tags:
            continue
        days = interval_days(tag, table)
        last = last_visits.get(tag.person_id)
        # Never visited: due today.
        due_day = today if last is None else timezone.localdate(last) + datetime.timedelta(days)
        if due_day > today + datetime.timedelta(days=VISIT_LEAD_DAYS):
            continue
        member = tag.responsible if tag.responsible_id else None
        if member is None:
            member = next((u for code, u in grid_staff if tag.area_code.startswith(code)), None)
        if member is None:
            continue
        open_visit_task(
            actor=actor,
            person=tag.person,
            area_code=tag.area_code,
            assignee=member,
            due=due_day,
            key_tag=tag,
        )
        created += 1
    overdue = Task.objects.filter(
        kind=TaskKind.VISIT,
        status=TaskStatus.OPEN,
        due__lt=now,
        reminded_at__isnull=True,
        area_code__startswith=within,
    ).select_related("assignee")
    for task in overdue.order_by("pk"):
        with transaction.atomic():
            notify(
                [task.assignee, *_community_staff(task.area_code)],
                _("Overdue visit: %(title)s") % {"title": task.title},
                url="/patrol/tasks/?status=overdue",
                source="patrol.visit",
                area_code=task.area_code,
            )
            Task.objects.filter(pk=task.pk).update(reminded_at=now)
        reminded += 1
    return {"created": created, "reminded": reminded}
