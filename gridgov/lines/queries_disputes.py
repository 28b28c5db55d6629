"""Boards of the lines: open hazards by grade, overdue rectifications, places never inspected,
disputes by kind and stage, mediation success rate — in the reader's scope (or an area in it)."""

from django.db.models import Count, Q
from django.utils import timezone

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.lines.models import (
    Dispute,
    DisputeState,
    Hazard,
    HazardState,
    Inspection,
    InspectionPlan,
    PlaceType,
    RentalHouse,
)
from gridgov.registry.models import Organization


def _never_inspected(user, within: str) -> int:
    """Organizations of a kind an active plan inspects, and rented houses while a rental-housing
    plan is active, that no inspection ever visited."""
    active = InspectionPlan.objects.filter(active=True)
    kinds = set(
        active.exclude(place_type=PlaceType.RENTAL).values_list("organization_kind", flat=True)
    )
    places = restrict(Organization.objects.filter(kind__in=kinds), user, Action.VIEW, within=within)
    inspected = restrict(Inspection.objects.all(), user, Action.VIEW, within=within)
    # NOT IN over a column holding NULLs is never true: leave the other kind of place out
    orgs = inspected.filter(organization__isnull=False).values("organization_id")
    never = places.exclude(pk__in=orgs).count()
    if active.filter(place_type=PlaceType.RENTAL).exists():
        houses = restrict(RentalHouse.objects.all(), user, Action.VIEW, within=within)
        rented = inspected.filter(rental__isnull=False).values("rental_id")
        never += houses.exclude(pk__in=rented).count()
    return never


def board(user, within: str = "", places: bool = True) -> dict:
    """Disputes and hazards in figures; `places=False` leaves out the places never inspected
    (a pass over the registry's organizations the cockpit, polling every minute, does without)."""
    disputes = restrict(Dispute.objects.all(), user, Action.VIEW, within=within)
    hazards = restrict(Hazard.objects.all(), user, Action.VIEW, within=within)
    by_kind = {
        r["kind"]: r["n"]
        for r in disputes.order_by().values("kind").annotate(n=Count("id")).order_by("kind")
    }
    by_state = {
        r["state"]: r["n"]
        for r in disputes.order_by().values("state").annotate(n=Count("id")).order_by("state")
    }
    ended = disputes.order_by().aggregate(
        closed=Count("id", filter=Q(state=DisputeState.CLOSED)),
        success=Count("id", filter=Q(state=DisputeState.CLOSED, success=True)),
        flagged=Count("id", filter=Q(flagged=True) & ~Q(state=DisputeState.CLOSED)),
    )
    open_hazards = hazards.exclude(state=HazardState.CLOSED).order_by()
    by_grade = {
        r["grade"]: r["n"]
        for r in open_hazards.values("grade").annotate(n=Count("id")).order_by("grade")
    }
    overdue = open_hazards.filter(deadline__lt=timezone.localdate()).count()
    never = _never_inspected(user, within) if places else None
    closed = ended["closed"] or 0
    return {
        "disputes_by_kind": by_kind,
        "disputes_by_state": by_state,
        "disputes_flagged": ended["flagged"],
        "mediation_success_rate": round(ended["success"] / closed, 3) if closed else None,
        "open_hazards_by_grade": by_grade,
        "overdue_rectifications": overdue,
        "places_never_inspected": never,
    }
