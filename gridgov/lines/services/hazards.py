"""Hazard inspection and rectification: plans with checklists, inspection tasks per place at the
plan's interval, inspections item by item, hazards with a rectification notice and deadline,
re-inspection, closure (销号) with proof, escalation and listed supervision (挂牌督办)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, restrict, user_may
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
    RentalHouse,
    RiskColour,
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
    and without an open task (a rental-housing plan's places are the rented houses)."""
    today = today or timezone.localdate()
    made = 0
    for plan in InspectionPlan.objects.filter(active=True).order_by("pk"):
        since = timezone.now() - datetime.timedelta(days=plan.interval_days)
        key = "rental_id" if plan.place_type == PlaceType.RENTAL else "organization_id"
        recent = set(
            Inspection.objects.filter(plan=plan, at__gte=since).values_list(key, flat=True)
        )
        open_tasks = set(
            InspectionTask.objects.filter(plan=plan, done=False).values_list(key, flat=True)
        )
        places: QuerySet
        if plan.place_type == PlaceType.RENTAL:
            places = RentalHouse.objects.values_list("pk", "area_code")
        else:
            places = Organization.objects.filter(kind=plan.organization_kind).values_list(
                "pk", "area_code"
            )
        new = [
            InspectionTask(
                plan=plan,
                area_code=code,
                due_on=today + datetime.timedelta(days=TASK_DUE_DAYS),
                **{key: pk},
            )
            for pk, code in places.order_by("pk")
            if pk not in recent and pk not in open_tasks
        ]
        InspectionTask.objects.bulk_create(new, batch_size=1000)
        made += len(new)
    return made


def rental_plan() -> InspectionPlan | None:
    """The plan rented houses are inspected against (the first active one of that type)."""
    return (
        InspectionPlan.objects.filter(place_type=PlaceType.RENTAL, active=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def record_inspection(
    *,
    actor: User,
    plan: InspectionPlan,
    results: list[ResultInput],
    organization: Organization | None = None,
    rental: RentalHouse | None = None,
    occupants: int | None = None,
    note: str = "",
    lon: float | None = None,
    lat: float | None = None,
    task: InspectionTask | None = None,
    at: datetime.datetime | None = None,
) -> Inspection:
    """An inspection of a place (an organization, or a rented house against a rental-housing
    plan): every item of the plan passed, failed (with a photo) or not applicable; each
    failure becomes a hazard of the place with a rectification deadline."""
    if (organization is None) == (rental is None):
        raise ValidationError({"place": _("Inspect one place: an organization or a rented house.")})
    place = organization or rental
    assert place is not None
    _check(actor, place.area_code)
    if (plan.place_type == PlaceType.RENTAL) != (rental is not None):
        raise ValidationError({"plan_id": _("This plan is not for this kind of place.")})
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
        rental=rental,
        occupants=occupants,
        note=note[:2000],
        task=task,
        inspector=actor,
        at=now,
        lon=lon,
        lat=lat,
        area_code=place.area_code,
        failures=sum(1 for r in results if r.result == ItemResult.FAIL),
    )
    today = timezone.localdate()
    if organization is not None:
        responsible = organization.legal_representative or organization.name
    else:
        assert rental is not None
        landlord = rental.landlord_person or rental.landlord_org
        responsible = landlord.name if landlord else ""
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
                rental=rental,
                area_code=place.area_code,
                grade=grade,
                description=r.note or item.text,
                responsible=responsible[:120],
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
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=inspection,
        after=snapshot(
            inspection, ["plan_id", "organization_id", "rental_id", "occupants", "failures"]
        ),
        note="inspection",
    )
    if task is not None:
        task.done = True
        task.save(update_fields=["done"])
    if rental is not None:
        refresh_rental_colour(rental)
    return inspection


def rental_colour(rental: RentalHouse) -> str:
    """The risk colour of a rented house, from its latest inspection: red when it found more
    occupants than allowed (群租) or a major hazard still open; yellow when a general hazard of
    it is still open; green when it passed, or when its hazards are all closed (销号); green
    before any inspection. A later inspection replaces an earlier one's colour."""
    latest = Inspection.objects.filter(rental=rental).order_by("-at", "-pk").first()
    if latest is None:
        return RiskColour.GREEN
    if latest.occupants is not None and latest.occupants > rental.max_occupants:
        return RiskColour.RED
    still_open = latest.hazards.exclude(state=HazardState.CLOSED)
    if still_open.filter(grade=HazardGrade.MAJOR).exists():
        return RiskColour.RED
    return RiskColour.YELLOW if still_open.exists() else RiskColour.GREEN


def refresh_rental_colour(rental: RentalHouse) -> None:
    colour = rental_colour(rental)
    if colour != rental.risk_colour:
        rental.risk_colour = colour
        rental.save(update_fields=["risk_colour", "updated_at"])


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
    if hazard.rental is not None:
        refresh_rental_colour(hazard.rental)
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
    if hazard.state != HazardState.OPEN:
        raise ValidationError({"state": _("Only an open hazard is escalated.")})
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


def rental_inspections(rental: RentalHouse, user: User, limit: int = 20) -> list[dict]:
    """A rented house's inspections in the reader's scope, newest first, with their failed
    items and the hazards these became."""
    rows = (
        restrict(Inspection.objects.filter(rental=rental), user, Action.VIEW)
        .select_related("plan", "inspector")
        .prefetch_related("hazards", "results__item")
        .order_by("-at", "-pk")[:limit]
    )
    return [
        {
            "id": i.pk,
            "at": i.at,
            "plan": i.plan.name,
            "inspector": str(i.inspector),
            "occupants": i.occupants,
            "failures": i.failures,
            "failed": [r.item.text for r in i.results.all() if r.result == ItemResult.FAIL],
            "hazards": [h.number for h in i.hazards.all()],
            "note": i.note,
        }
        for i in rows
    ]
