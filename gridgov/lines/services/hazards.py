"""Hazard inspection and rectification: plans with checklists, inspection tasks per place at the
plan's interval, inspections item by item, hazards with a rectification notice and deadline,
re-inspection, closure (销号) with proof, escalation and listed supervision (挂牌督办)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.lines.models import (
    ChecklistItem,
    Hazard,
    HazardGrade,
    HazardState,
    Inspection,
    InspectionPlan,
    InspectionResult,
    InspectionTask,
    ItemResult,
    PlaceType,
)
from gridgov.lines.services.disputes import _number
from gridgov.lines.services.populations_ledger import supervisors
from gridgov.notify.services import notify
from gridgov.registry.models import Organization, OrganizationKind

# Default time limits (days): rectification of a general and a major hazard, listed supervision
# by the street and by the district, and how long before a plan's interval a task is due.
RECTIFY_DAYS = {HazardGrade.GENERAL: 15, HazardGrade.MAJOR: 30}
SUPERVISION_DAYS = {"street": 60, "district": 90}
TASK_DUE_DAYS = 14


@dataclass
class ResultInput:
    item_id: int
    result: str
    note: str = ""
    photo: bytes = b""


def _check(actor: User, code: str) -> None:
    if not code_in_scope(actor, code, Action.CHANGE):
        raise PermissionDenied(_("This area is outside your scope."))


def _log(actor: User, obj, before: dict | None, note: str) -> None:
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        instance=obj,
        before=before,
        after=snapshot(obj, ["state", "deadline", "supervised_by", "supervision_deadline"])
        if isinstance(obj, Hazard)
        else None,
        note=note,
    )


PLAN_FIELDS = ["name", "place_type", "organization_kind", "interval_days", "active"]


@transaction.atomic
def save_plan(
    *,
    actor: User,
    name: str,
    place_type: str,
    items: list[tuple[str, bool]],
    organization_kind: str = "shop",
    interval_days: int = 90,
    active: bool = True,
    plan: InspectionPlan | None = None,
) -> InspectionPlan:
    """Create a plan or change one and its checklist (an administrator's work). An item taken
    off that inspections already answered is retired, not deleted, so their results still read;
    one never answered goes."""
    if not user_may(actor, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators edit inspection plans."))
    name = name.strip()
    checklist = [(text.strip(), bool(major)) for text, major in items]
    texts = [text for text, _major in checklist]
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = _("Give the plan a name of at most 100 characters.")
    if place_type not in PlaceType.values:
        errors["place_type"] = _("Unknown place type.")
    if organization_kind not in OrganizationKind.values:
        errors["organization_kind"] = _("Unknown kind of organization.")
    if not 1 <= interval_days <= 3650:
        errors["interval_days"] = _("The interval is 1 to 3650 days.")
    if not texts or any(not t or len(t) > 200 for t in texts):
        errors["items"] = _("List the checklist items, each of 1 to 200 characters.")
    elif len(set(texts)) != len(texts):
        errors["items"] = _("Each checklist item may appear once.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(plan, PLAN_FIELDS) if plan else None
    old_items = [(i.text, i.major) for i in plan.current_items()] if plan else []
    plan = plan or InspectionPlan()
    plan.name = name
    plan.place_type = place_type
    plan.organization_kind = organization_kind
    plan.interval_days = interval_days
    plan.active = active
    plan.save()
    kept = {i.text: i for i in plan.items.all()}
    for position, (text, major) in enumerate(checklist):
        item = kept.pop(text, None) or ChecklistItem(plan=plan, text=text)
        item.major = major
        item.position = position
        item.retired = False
        item.save()
    answered = set(
        InspectionResult.objects.filter(item__in=list(kept.values())).values_list(
            "item_id", flat=True
        )
    )
    for item in kept.values():
        if item.pk in answered:
            if not item.retired:
                item.retired = True
                item.save(update_fields=["retired"])
        else:
            item.delete()
    after = snapshot(plan, PLAN_FIELDS) | {"items": [list(i) for i in checklist]}
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        instance=plan,
        before=None if before is None else before | {"items": [list(i) for i in old_items]},
        after=after,
        note=_("Inspection plan saved"),
    )
    return plan


@transaction.atomic
def generate_tasks(*, actor: User, today: datetime.date | None = None) -> int:
    """Each active plan: a task for every place of its type not inspected within the interval
    and without an open task."""
    today = today or timezone.localdate()
    made = 0
    for plan in InspectionPlan.objects.filter(active=True).order_by("pk"):
        since = timezone.now() - datetime.timedelta(days=plan.interval_days)
        recent = set(
            Inspection.objects.filter(plan=plan, at__gte=since).values_list(
                "organization_id", flat=True
            )
        )
        open_tasks = set(
            InspectionTask.objects.filter(plan=plan, done=False).values_list(
                "organization_id", flat=True
            )
        )
        places = Organization.objects.filter(kind=plan.organization_kind).values_list(
            "pk", "area_code"
        )
        new = [
            InspectionTask(
                plan=plan,
                organization_id=pk,
                area_code=code,
                due_on=today + datetime.timedelta(days=TASK_DUE_DAYS),
            )
            for pk, code in places
            if pk not in recent and pk not in open_tasks
        ]
        InspectionTask.objects.bulk_create(new, batch_size=1000)
        made += len(new)
    return made


@transaction.atomic
def record_inspection(
    *,
    actor: User,
    plan: InspectionPlan,
    organization: Organization,
    results: list[ResultInput],
    lon: float | None = None,
    lat: float | None = None,
    task: InspectionTask | None = None,
    at: datetime.datetime | None = None,
) -> Inspection:
    """An inspection: every item of the plan passed, failed (with a photo) or not applicable;
    each failure becomes a hazard with a rectification deadline."""
    _check(actor, organization.area_code)
    items = {i.pk: i for i in plan.current_items()}
    given = {r.item_id: r for r in results}
    if set(given) != set(items):
        raise ValidationError({"results": _("Answer every item of the checklist.")})
    for r in results:
        if r.result not in ItemResult.values:
            raise ValidationError({"results": _("Unknown result.")})
        if r.result == ItemResult.FAIL and not r.photo:
            raise ValidationError({"results": _("A failed item needs a photo.")})
    now = at or timezone.now()
    inspection = Inspection.objects.create(
        plan=plan,
        organization=organization,
        task=task,
        inspector=actor,
        at=now,
        lon=lon,
        lat=lat,
        area_code=organization.area_code,
        failures=sum(1 for r in results if r.result == ItemResult.FAIL),
    )
    today = timezone.localdate()
    for item_id, item in items.items():
        r = given[item_id]
        row = InspectionResult(inspection=inspection, item=item, result=r.result, note=r.note)
        if r.photo:
            row.photo.save(f"{inspection.pk}-{item_id}.jpg", ContentFile(r.photo), save=False)
        row.save()
        if r.result == ItemResult.FAIL:
            grade = HazardGrade.MAJOR if item.major else HazardGrade.GENERAL
            hazard = Hazard.objects.create(
                number=_number("YH", Hazard),
                inspection=inspection,
                item=item,
                organization=organization,
                area_code=organization.area_code,
                grade=grade,
                description=r.note or item.text,
                responsible=organization.legal_representative or organization.name,
                deadline=today + datetime.timedelta(days=RECTIFY_DAYS[grade]),
                created_at=now,
            )
            if grade == HazardGrade.MAJOR:
                hazard.supervised_by = "street"
                hazard.supervision_deadline = today + datetime.timedelta(
                    days=SUPERVISION_DAYS["street"]
                )
                hazard.save(update_fields=["supervised_by", "supervision_deadline"])
            _log(actor, hazard, None, "hazard found")
    if task is not None:
        task.done = True
        task.save(update_fields=["done"])
    return inspection


@transaction.atomic
def reinspect(
    hazard: Hazard,
    *,
    actor: User,
    rectified: bool,
    proof: bytes = b"",
    new_deadline: datetime.date | None = None,
) -> Hazard:
    """复查: rectified → closed (销号) with the proof; not yet → a new deadline."""
    _check(actor, hazard.area_code)
    if hazard.state == HazardState.CLOSED:
        raise ValidationError({"state": _("Already closed.")})
    before = snapshot(hazard, ["state", "deadline"])
    if rectified and not proof:
        raise ValidationError({"proof": _("Closing a hazard needs a proof (photo).")})
    if not rectified and (new_deadline is None or new_deadline <= timezone.localdate()):
        raise ValidationError({"new_deadline": _("Give a later deadline.")})
    hazard.reinspections += 1
    if rectified:
        hazard.closure_proof.save(f"{hazard.number}-proof.jpg", ContentFile(proof), save=False)
        hazard.state = HazardState.CLOSED
        hazard.closed_at = timezone.now()
    else:
        hazard.deadline = new_deadline  # type: ignore[assignment]
    hazard.save()
    _log(actor, hazard, before, "re-inspection")
    return hazard


@transaction.atomic
def list_supervision(
    hazard: Hazard, *, actor: User, level: str, deadline: datetime.date | None = None
) -> Hazard:
    """挂牌督办 by the street or the district with its own time limit."""
    if level not in SUPERVISION_DAYS:
        raise ValidationError({"level": _("Street or district.")})
    _check(actor, hazard.area_code)
    if level == "district" and not code_in_scope(actor, hazard.area_code[:6], Action.CHANGE):
        raise PermissionDenied(_("Only the district lists hazards under its supervision."))
    before = snapshot(hazard, ["supervised_by", "supervision_deadline"])
    hazard.supervised_by = level
    hazard.supervision_deadline = deadline or timezone.localdate() + datetime.timedelta(
        days=SUPERVISION_DAYS[level]
    )
    hazard.save(update_fields=["supervised_by", "supervision_deadline"])
    _log(actor, hazard, before, "listed supervision")
    return hazard


@transaction.atomic
def escalate(hazard: Hazard, *, actor: User, note: str = "") -> Hazard:
    """Not rectified in time: escalated to the district's listed supervision."""
    _check(actor, hazard.area_code)
    before = snapshot(hazard, ["state"])
    hazard.state = HazardState.ESCALATED
    hazard.supervised_by = "district"
    hazard.supervision_deadline = timezone.localdate() + datetime.timedelta(
        days=SUPERVISION_DAYS["district"]
    )
    hazard.save(update_fields=["state", "supervised_by", "supervision_deadline"])
    _log(actor, hazard, before, note or "escalated")
    return hazard


def escalate_overdue(*, actor: User, today: datetime.date | None = None) -> int:
    """Hazards whose rectification deadline passed without a re-inspection go to the district's
    listed supervision, and the staff over the area are told (the daily job); returns how many."""
    today = today or timezone.localdate()
    overdue = Hazard.objects.filter(state=HazardState.OPEN, deadline__lt=today).order_by("pk")
    done = 0
    for hazard in overdue.iterator(chunk_size=200):
        with transaction.atomic():
            escalate(hazard, actor=actor, note="rectification deadline passed")
            notify(
                supervisors(hazard.area_code),
                _("Hazard %(number)s not rectified by %(deadline)s: under district supervision")
                % {"number": hazard.number, "deadline": hazard.deadline.isoformat()},
                url="/lines/hazards/",
                source="lines",
                area_code=hazard.area_code,
            )
        done += 1
    return done


def last_inspections(organization_ids) -> dict[int, datetime.datetime]:
    rows = (
        Inspection.objects.filter(organization_id__in=organization_ids)
        .values("organization_id")
        .annotate(last=Max("at"))
    )
    return {r["organization_id"]: r["last"] for r in rows}


def rental_inspections(rental, user) -> list[dict]:
    """A rented house's inspections, newest first (filled by the rental checklist)."""
    return []
