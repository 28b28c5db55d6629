"""Phone pages of registry corrections: a household of the member's grid with the fields the
member may correct (queued in the outbox, sent when the network is there), and the conflicts list
(side by side: the member's values and the desk's, apply mine or keep the desk's)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.areas.models import Area
from gridgov.masking import mask_name, mask_phone
from gridgov.mobile import queries
from gridgov.mobile import services_corrections as services
from gridgov.mobile.models import CorrectionKind
from gridgov.mobile.views import _page
from gridgov.registry.models import Household, Person
from gridgov.registry.models.buildings import HouseState, HouseUse

LABELS = {
    "phone": gettext_lazy("Phone"),
    "occupation": gettext_lazy("Occupation"),
    "employer": gettext_lazy("Employer"),
    "moved_out": gettext_lazy("Moved out"),
    "use": gettext_lazy("Use"),
    "state": gettext_lazy("Occupancy"),
}
CHOICES = {"use": dict(HouseUse.choices), "state": dict(HouseState.choices)}


def _shown(key: str, value: Any) -> str:
    if key == "moved_out":
        return _("Yes") if value else _("No")
    if key in CHOICES:
        return str(CHOICES[key].get(value, value))
    return str(value) if value not in (None, "") else "—"


@login_required
@require_GET
def household(request: HttpRequest, pk: int) -> HttpResponse:
    """A household of the member's grid: its house and its people, masked, each with the fields
    the member may correct and the version they were shown at."""
    found = get_for_user(
        Household.objects.select_related("house__building", "head"), request.user, pk=pk
    )
    people = list(
        restrict(Person.objects.all(), request.user)
        .filter(memberships__household=found, memberships__until__isnull=True)
        .distinct()
        .order_by("id")
    )
    if found.head is not None and all(p.pk != found.head_id for p in people):
        people.insert(0, found.head)
    rows = [
        {
            "id": p.pk,
            "name": mask_name(p.name),
            "phone": mask_phone(p.phone) if p.phone else "",
            "occupation": p.occupation,
            "employer": p.employer,
            "moved_out": p.current_house_id is None,
            "version": p.updated_at.isoformat(),
        }
        for p in people
    ]
    house = found.house
    return _page(
        request,
        "mobile/household.html",
        {
            "tab": "data",
            "household": found,
            "head": mask_name(found.head.name) if found.head else "",
            "house": house,
            "house_version": house.updated_at.isoformat() if house else "",
            "people": rows,
            "uses": HouseUse.choices,
            "states": HouseState.choices,
        },
    )


def _conflict_rows(correction) -> list[dict]:
    keys = [k for k in services.FIELDS[correction.kind] if k in correction.values]
    return [
        {
            "label": LABELS[k],
            "mine": _shown(k, correction.values.get(k)),
            "desk": _shown(k, correction.desk_values.get(k)),
            "differs": correction.values.get(k) != correction.desk_values.get(k),
        }
        for k in keys
    ]


@login_required
@require_GET
def conflicts(request: HttpRequest) -> HttpResponse:
    """The conflicts list: a member's own; a desk user's of their scope."""
    rows = _rows(request, queries.open_conflicts(request.user))
    return _page(request, "mobile/conflicts.html", {"tab": "todo", "conflicts": rows})


def _rows(request: HttpRequest, found) -> list[dict]:
    """The cards of the conflicts list. The desk's editor by full name: conflicts kept before
    the name was stored carry the username, looked up here."""
    found = list(found)
    names = dict(
        User.objects.filter(username__in={c.desk_changed_by for c in found}).values_list(
            "username", "full_name"
        )
    )
    return [
        {
            "c": c,
            "kind": _("Person") if c.kind == CorrectionKind.PERSON else _("House"),
            "fields": _conflict_rows(c),
            "own": c.author_id == request.user.pk,
            "desk_by": names.get(c.desk_changed_by) or c.desk_changed_by,
        }
        for c in found
    ]


@login_required
@require_GET
def desk_conflicts(request: HttpRequest) -> HttpResponse:
    """The desk's list of open conflicts in the user's scope: who corrected what on the phone,
    the desk's value and the phone's side by side, and the two resolutions."""
    if request.user.role == Role.GRID_MEMBER:
        return redirect("mobile:conflicts")
    rows = _rows(request, queries.open_conflicts(request.user))
    areas = dict(
        Area.objects.filter(code__in={r["c"].area_code for r in rows}).values_list("code", "name")
    )
    for row in rows:
        row["area"] = areas.get(row["c"].area_code, row["c"].area_code)
        row["url"] = reverse(
            "registry:person" if row["c"].kind == CorrectionKind.PERSON else "registry:house",
            args=[row["c"].record_id],
        )
    response = render(request, "mobile/desk_conflicts.html", {"nav": "patrol", "conflicts": rows})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def resolve(request: HttpRequest, pk: str) -> HttpResponse:
    correction = get_for_user(
        queries.conflicts_base(request.user, Action.CHANGE), request.user, Action.CHANGE, pk=pk
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("mobile:conflicts")
    try:
        services.resolve_conflict(correction, actor=request.user, keep=request.POST.get("keep", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    own = correction.author_id == request.user.pk
    if request.POST.get("keep") == "mine":
        messages.success(
            request, _("Your values are applied.") if own else _("The phone's values are applied.")
        )
    else:
        messages.success(request, _("The desk's values are kept."))
    return redirect(back)
