"""Writes of the special-population records: create, change the risk level, visit, lost
contact (失联/脱管, escalated at once), close; and the sweep that turns overdue visits into
ledger warnings. Every write needs the special-population right inside the record's area."""

import datetime
import math
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.accounts.system import FIELD_TASKS, system_user
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.cases.voice import check_voice_note
from gridgov.lines.models import (
    AlertCause,
    PopulationCategory,
    RecordState,
    SpecialRecord,
    SpecialVisit,
    VisitInterval,
    WarningKind,
)
from gridgov.lines.services import alerts
from gridgov.lines.services.populations_defaults import FALLBACK_DAYS
from gridgov.lines.services.populations_ledger import raise_warning, resolve_warnings
from gridgov.masking import mask_name
from gridgov.patrol.models import Task, TaskStatus
from gridgov.patrol.services.work import (
    VISIT_LEAD_DAYS,
    check_position,
    close_visit_tasks,
    distance_from_home,
    far_metres,
    normalized_key,
    open_visit_task,
)
from gridgov.registry import services as registry
from gridgov.registry.models import KeyPopulationTag, Person
from gridgov.warnings.models import Colour

LOGGED = ["category", "risk_level", "state", "period_start", "period_end", "responsible_id"]


def _require(actor: User, code: str) -> None:
    if not (
        user_may(actor, Action.VIEW_SPECIAL_POPULATION)
        and code_in_scope(actor, code, Action.CHANGE)
    ):
        raise PermissionDenied(_("You may not manage special-population records here."))


def may_visit(actor: User, record: SpecialRecord) -> bool:
    """The responsible member visits without the reading right; supervisors with it."""
    if not code_in_scope(actor, record.area_code, Action.CHANGE):
        return False
    return record.responsible_id == actor.pk or user_may(actor, Action.VIEW_SPECIAL_POPULATION)


def interval_days(category: PopulationCategory, risk_level: int) -> int:
    found = (
        VisitInterval.objects.filter(category=category, risk_level__lte=risk_level)
        .order_by("-risk_level")
        .values_list("every_days", flat=True)
        .first()
    )
    return found or FALLBACK_DAYS


def _next_due(record: SpecialRecord, since: datetime.date) -> datetime.date:
    return since + datetime.timedelta(days=interval_days(record.category, record.risk_level))


def clean_details(category: PopulationCategory, details: dict[str, Any]) -> dict[str, Any]:
    """Keep the category's declared fields only, each checked against its type."""
    result: dict[str, Any] = {}
    for spec in category.field_schema or []:
        name = spec.get("name")
        value = details.get(name)
        if value in (None, ""):
            continue
        kind = spec.get("type", "text")
        try:
            if kind == "int":
                value = int(value)
            elif kind == "date":
                value = datetime.date.fromisoformat(str(value)).isoformat()
            else:
                value = str(value)[:200]
        except (TypeError, ValueError) as exc:
            raise ValidationError({name: _("Enter a valid value.")}) from exc
        result[name] = value
    return result


def _check_risk(category: PopulationCategory, risk_level: int) -> None:
    if not 0 <= risk_level <= category.max_risk:
        raise ValidationError(
            {"risk_level": _("The risk level runs from 0 to %(max)s.") % {"max": category.max_risk}}
        )


def _key_tag(person: Person, category: PopulationCategory, actor: User) -> KeyPopulationTag | None:
    """The registry's open key-population tag of this category (made when the actor may)."""
    if not category.registry_category:
        return None
    tag = (
        KeyPopulationTag.objects.filter(
            person=person, category=category.registry_category, until__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if tag is None and user_may(actor, Action.VIEW_KEY_POPULATION):
        tag = registry.tag_key_population(person, actor=actor, category=category.registry_category)
    return tag


@dataclass
class RecordFacts:
    """A record's own facts: the one list that the desk form, the API, `create_record` and
    `update_record` share (the person, category and risk level are not among them: a record
    keeps its person and category, and its risk changes through `set_risk`)."""

    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    supervising_office: str = ""
    guardian: str = ""
    assistance_group: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    responsible: User | None = None


FACT_NAMES = [f.name for f in fields(RecordFacts)]


class Conflict(ValidationError):
    """The write clashes with what is stored: the row changed since the writer read it, or the
    thing exists already (the API answers 409; the desk form shows the message)."""


def _apply(record: SpecialRecord, facts: RecordFacts) -> None:
    if facts.period_start and facts.period_end and facts.period_end < facts.period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    for name in FACT_NAMES:
        setattr(record, name, getattr(facts, name))
    record.details = clean_details(record.category, facts.details or {})


def check_version(current: datetime.datetime | None, expected: datetime.datetime | None) -> None:
    """A writer that read `expected` as the row's `updated_at` refuses to overwrite a later
    change (None: no precondition). Compared to the millisecond: the API's JSON carries no more."""

    def ms(value: datetime.datetime) -> datetime.datetime:
        return value.replace(microsecond=value.microsecond // 1000 * 1000)

    if expected is not None and (current is None or ms(current) != ms(expected)):
        raise Conflict(_("Someone changed this record since you read it; read it again."))


@transaction.atomic
def create_record(
    person: Person,
    *,
    actor: User,
    category: PopulationCategory,
    risk_level: int = 0,
    facts: RecordFacts | None = None,
) -> SpecialRecord:
    _require(actor, person.area_code)
    if not category.active:
        raise ValidationError({"category": _("This category is no longer used.")})
    _check_risk(category, risk_level)
    open_twin = SpecialRecord.objects.filter(person=person, category=category).exclude(
        state=RecordState.CLOSED
    )
    if open_twin.exists():
        raise Conflict({"category": _("This person already has an open record in this category.")})
    today = timezone.localdate()
    record = SpecialRecord(
        person=person,
        category=category,
        key_tag=_key_tag(person, category, actor),
        risk_level=risk_level,
        area_code=person.area_code,
    )
    _apply(record, facts or RecordFacts())
    record.next_visit_due = _next_due(record, today)
    record.save()
    record_change(
        actor=actor, action=ChangeAction.CREATE, instance=record, after=snapshot(record, LOGGED)
    )
    return record


@transaction.atomic
def update_record(
    record: SpecialRecord,
    *,
    actor: User,
    facts: RecordFacts,
    expected_updated_at: datetime.datetime | None = None,
) -> SpecialRecord:
    """The record's own facts (the risk level changes through `set_risk`, the state through
    visits, lost contact and closing). `expected_updated_at`: the version the writer read."""
    _require(actor, record.area_code)
    if record.state == RecordState.CLOSED:
        raise ValidationError(_("This record is closed."))
    locked = SpecialRecord.objects.select_for_update().get(pk=record.pk)
    check_version(locked.updated_at, expected_updated_at)
    before = snapshot(record, LOGGED)
    _apply(record, facts)
    record.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=record,
        before=before,
        after=snapshot(record, LOGGED),
    )
    return record


@transaction.atomic
def set_risk(record: SpecialRecord, *, actor: User, risk_level: int) -> SpecialRecord:
    _require(actor, record.area_code)
    _check_risk(record.category, risk_level)
    before = snapshot(record, LOGGED)
    record.risk_level = risk_level
    since = timezone.localtime(record.last_visit_at).date() if record.last_visit_at else None
    record.next_visit_due = _next_due(record, since or timezone.localdate())
    record.save(update_fields=["risk_level", "next_visit_due", "updated_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=record,
        before=before,
        after=snapshot(record, LOGGED),
    )
    if record.next_visit_due >= timezone.localdate():
        resolve_warnings(record, WarningKind.VISIT_OVERDUE)
    return record


@dataclass(frozen=True)
class VisitPosition:
    """Where the phone was when a visit was recorded (WGS-84 degrees, accuracy in metres)."""

    lon: float
    lat: float
    accuracy: float | None = None


def _evidence(record: SpecialRecord, position: VisitPosition | None) -> dict:
    if position is None:
        return {}
    check_position(position.lon, position.lat)
    if position.accuracy is not None and not (
        math.isfinite(position.accuracy) and position.accuracy >= 0
    ):
        raise ValidationError({"accuracy": _("The accuracy must be a number of metres.")})
    distance = distance_from_home(record.person, position.lon, position.lat)
    return {
        "lon": position.lon,
        "lat": position.lat,
        "accuracy": position.accuracy,
        "distance_m": distance,
        "far": distance is not None and distance > far_metres(),
    }


@transaction.atomic
def record_visit(
    record: SpecialRecord,
    *,
    actor: User,
    met: bool = True,
    note: str = "",
    when: datetime.datetime | None = None,
    position: VisitPosition | None = None,
) -> SpecialVisit:
    """A visit; a visit that met the person sets the next due date and ends a lost contact.
    A visit that did not find the person leaves the due date as it was. `position`: where the
    phone was (evidence), flagged when far from the person's building."""
    if not may_visit(actor, record):
        raise PermissionDenied(_("You may not visit this record."))
    if record.state == RecordState.CLOSED:
        raise ValidationError(_("This record is closed."))
    evidence = _evidence(record, position)
    when = when or timezone.now()
    registry_visit = None
    if met and code_in_scope(actor, record.area_code, Action.CHANGE):
        registry_visit = registry.record_visit(record.person, actor=actor, when=when)
    visit = SpecialVisit.objects.create(
        record=record,
        visitor=actor,
        time=when,
        met=met,
        note=note[:2000],
        registry_visit=registry_visit,
        area_code=record.area_code,
        **evidence,
    )
    if met:
        before = snapshot(record, LOGGED)
        record.last_visit_at = when
        record.next_visit_due = _next_due(record, timezone.localtime(when).date())
        fields = ["last_visit_at", "next_visit_due", "updated_at"]
        if record.state == RecordState.LOST:
            record.state = RecordState.ACTIVE
            record.lost_since = None
            fields += ["state", "lost_since"]
            resolve_warnings(record, WarningKind.LOST_CONTACT)
        record.save(update_fields=fields)
        resolve_warnings(record, WarningKind.VISIT_OVERDUE)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=record,
            before=before,
            after=snapshot(record, LOGGED),
            note="visit",
        )
        close_visit_tasks(record, actor=actor, when=when)
    return visit


def record_visit_once(
    record: SpecialRecord,
    *,
    actor: User,
    client_key: str | None,
    met: bool = True,
    note: str = "",
    position: VisitPosition | None = None,
) -> tuple[SpecialVisit, bool]:
    """A visit from the phone's outbox: `client_key` (a UUID made on the phone) is the
    idempotency key. A replay answers (the first visit, False) and writes nothing; a key used by
    someone else is refused. Without a key it is `record_visit` (True)."""
    key = normalized_key(client_key)
    if key:
        found = SpecialVisit.objects.filter(client_key=key).first()
        if found is not None:
            if found.visitor_id != actor.pk or found.record_id != record.pk:
                raise ValidationError({"client_key": _("This key was used by someone else.")})
            return found, False
    try:
        with transaction.atomic():
            visit = record_visit(record, actor=actor, met=met, note=note, position=position)
            if key:
                visit.client_key = key
                visit.save(update_fields=["client_key"])
            return visit, True
    except IntegrityError:
        # the same key sent twice at once: the other request stored it first
        found = SpecialVisit.objects.filter(client_key=key, visitor=actor).first() if key else None
        if found is None:
            raise
        return found, False


def add_visit_voice(visit: SpecialVisit, *, actor: User, data: bytes) -> SpecialVisit:
    """Attach a voice note to a visit the actor recorded (sent by the outbox after the visit).
    One note per visit: the same note again (a replay) answers the visit, another is refused."""
    recording = check_voice_note(data)
    with transaction.atomic():
        locked = SpecialVisit.objects.select_for_update().get(pk=visit.pk)
        if locked.visitor_id != actor.pk:
            raise PermissionDenied(_("Only the member who made the visit adds its voice note."))
        if locked.voice:
            if locked.voice.size == recording.size:
                return locked
            raise ValidationError(_("This visit already has a voice note."))
        locked.voice = recording.file
        locked.voice_type = recording.content_type
        locked.save(update_fields=["voice", "voice_type"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=locked,
            after={"voice_type": recording.content_type, "voice_size": recording.size},
            note=_("Voice note added"),
        )
    return locked


def _title(record: SpecialRecord, what: str) -> str:
    return f"{what}: {record.category.name} {mask_name(record.person.name)} (#{record.pk})"


@transaction.atomic
def mark_lost_contact(record: SpecialRecord, *, actor: User, note: str = "") -> SpecialRecord:
    """失联/脱管: the state changes and a flagged warning reaches the supervisors at once."""
    if not may_visit(actor, record):
        raise PermissionDenied(_("You may not change this record."))
    if record.state != RecordState.ACTIVE:
        raise ValidationError(_("Only a record under management can lose contact."))
    before = snapshot(record, LOGGED)
    record.state = RecordState.LOST
    record.lost_since = timezone.now()
    record.save(update_fields=["state", "lost_since", "updated_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=record,
        before=before,
        after=snapshot(record, LOGGED),
        note=note[:500],
    )
    ledger = raise_warning(
        kind=WarningKind.LOST_CONTACT,
        subject=record,
        title=_title(record, _("Lost contact")),
        area_code=record.area_code,
        flagged=True,
        sensitive=True,
        url=reverse("lines:population_record", args=[record.pk]),
    )
    if ledger is not None:  # one warning per episode of lost contact
        alerts.raise_alert(
            cause=AlertCause.LOST_CONTACT,
            subject=record,
            episode=str(ledger.pk),
            area_code=record.area_code,
            headline=alerts.headline_of(
                AlertCause.LOST_CONTACT,
                number=f"#{record.pk}",
                area=alerts.area_name(record.area_code),
            ),
            url=reverse("lines:population_record", args=[record.pk]),
            colour=Colour.ORANGE,
        )
    return record


@transaction.atomic
def close_record(record: SpecialRecord, *, actor: User, until: datetime.date | None = None):
    _require(actor, record.area_code)
    before = snapshot(record, LOGGED)
    record.state = RecordState.CLOSED
    record.period_end = until or timezone.localdate()
    record.next_visit_due = None
    record.save(update_fields=["state", "period_end", "next_visit_due", "updated_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=record,
        before=before,
        after=snapshot(record, LOGGED),
    )
    resolve_warnings(record, WarningKind.VISIT_OVERDUE, WarningKind.LOST_CONTACT)
    return record


def sweep_overdue_visits(today: datetime.date | None = None) -> dict:
    """Raise a warning for every record under management whose visit is overdue."""
    today = today or timezone.localdate()
    raised = 0
    overdue = (
        SpecialRecord.objects.filter(state=RecordState.ACTIVE, next_visit_due__lt=today)
        .select_related("category", "person")
        .order_by("pk")
    )
    for record in overdue.iterator(chunk_size=500):
        with transaction.atomic():
            if raise_warning(
                kind=WarningKind.VISIT_OVERDUE,
                subject=record,
                title=_title(record, _("Visit overdue")),
                area_code=record.area_code,
                sensitive=True,
            ):
                raised += 1
    return {"raised": raised}


def create_visit_tasks(today: datetime.date | None = None) -> dict:
    """The daily job: a visit due within the field part's lead days becomes a task of the
    record's responsible member, once while it is open; recording the visit completes it."""
    today = today or timezone.localdate()
    actor = system_user(FIELD_TASKS)
    open_tasks = Task.objects.filter(status=TaskStatus.OPEN, special_record__isnull=False).values(
        "special_record_id"
    )
    due = (
        SpecialRecord.objects.filter(
            state__in=[RecordState.ACTIVE, RecordState.LOST],
            next_visit_due__lte=today + datetime.timedelta(days=VISIT_LEAD_DAYS),
            responsible__is_active=True,
        )
        .exclude(pk__in=open_tasks)
        .select_related("person", "responsible")
        .order_by("pk")
    )
    created = 0
    for record in due.iterator(chunk_size=500):
        if record.responsible is None or record.next_visit_due is None:  # excluded by the filter
            continue
        open_visit_task(
            actor=actor,
            person=record.person,
            area_code=record.area_code,
            assignee=record.responsible,
            due=max(record.next_visit_due, today),
            special_record=record,
        )
        created += 1
    return {"created": created}


def due_records(user: User, within_days: int = 7):
    """The records the user is responsible for whose visit falls due within `within_days`
    (overdue ones included), soonest first."""
    horizon = timezone.localdate() + datetime.timedelta(days=within_days)
    return (
        SpecialRecord.objects.filter(
            responsible=user,
            state__in=[RecordState.ACTIVE, RecordState.LOST],
            next_visit_due__lte=horizon,
        )
        .select_related("category", "person")
        .order_by("next_visit_due", "pk")
    )
