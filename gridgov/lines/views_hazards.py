"""Desk pages of one hazard and its actions — re-inspection with a later deadline, closure (销号)
with a proof, escalation, listed supervision (挂牌督办) — and the list of hazards under listed
supervision. Thin: `forms_disputes` checks the input, `services.hazards` the rights and states."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, get_for_user
from gridgov.areas import queries as area_queries
from gridgov.lines import forms_disputes as f
from gridgov.lines.filters_disputes import HazardFilter
from gridgov.lines.models import Hazard, HazardState
from gridgov.lines.services import hazards as hs
from gridgov.lines.views_disputes_forms import form_errors


@dataclass(frozen=True)
class HazardStep:
    title: str
    form: type[forms.Form]
    offered: Callable[[User, Hazard], bool]
    run: Callable[[Hazard, dict, User], object]
    multipart: bool = False


def _not_closed(user: User, h: Hazard) -> bool:
    return h.state != HazardState.CLOSED


def may_supervise_district(user: User, hazard: Hazard) -> bool:
    return code_in_scope(user, hazard.area_code[:6], Action.CHANGE)


def _reinspect(h: Hazard, c: dict, user: User) -> None:
    hs.reinspect(h, actor=user, rectified=False, new_deadline=c["new_deadline"])


def _close(h: Hazard, c: dict, user: User) -> None:
    hs.reinspect(h, actor=user, rectified=True, proof=c["proof"].read(f.MAX_SCAN + 1))


def _escalate(h: Hazard, c: dict, user: User) -> None:
    hs.escalate(h, actor=user, note=c["note"])


def _supervise(h: Hazard, c: dict, user: User) -> None:
    hs.list_supervision(h, actor=user, level=c["level"], deadline=c["deadline"])


HAZARD_STEPS: dict[str, HazardStep] = {
    "reinspect": HazardStep(
        gettext_lazy("Re-inspected, not yet rectified"), f.ReinspectForm, _not_closed, _reinspect
    ),
    "close": HazardStep(
        gettext_lazy("Rectified: close (销号)"), f.HazardCloseForm, _not_closed, _close, True
    ),
    "escalate": HazardStep(
        gettext_lazy("Escalate"),
        f.EscalateForm,
        lambda u, h: h.state == HazardState.OPEN,
        _escalate,
    ),
    "supervise": HazardStep(
        gettext_lazy("List under supervision (挂牌督办)"),
        f.SupervisionForm,
        _not_closed,
        _supervise,
    ),
}


def _form(name: str, hazard: Hazard, user: User, data=None, files=None) -> forms.Form:
    form = HAZARD_STEPS[name].form(data, files, prefix=name)
    if name == "supervise" and not may_supervise_district(user, hazard):
        form.fields["level"].choices = [("street", _("Street"))]
    return form


def _context(user: User, hazard: Hazard, failed: tuple[str, forms.Form] | None = None) -> dict:
    steps = []
    if code_in_scope(user, hazard.area_code, Action.CHANGE):
        for name, step in HAZARD_STEPS.items():
            if step.offered(user, hazard):
                given = failed[1] if failed and failed[0] == name else None
                steps.append(
                    {
                        "name": name,
                        "title": step.title,
                        "action": reverse("lines:hazard_step", args=[hazard.pk, name]),
                        "form": given or _form(name, hazard, user),
                        "multipart": step.multipart,
                        "open": given is not None,
                    }
                )
    return {
        "nav": "lines",
        "tab": "hazards",
        "h": hazard,
        "steps": steps,
        "overdue": hazard.state != HazardState.CLOSED and hazard.deadline < timezone.localdate(),
    }


def _hazard(user: User, pk: int) -> Hazard:
    return get_for_user(
        Hazard.objects.select_related("organization", "rental__house", "item", "inspection"),
        user,
        Action.VIEW,
        pk=pk,
    )


@login_required
@require_GET
def hazard_detail(request, pk: int):
    hazard = _hazard(request.user, pk)
    return render(request, "lines/hazards/detail.html", _context(request.user, hazard))


@login_required
@require_POST
def hazard_step(request, pk: int, step: str):
    if step not in HAZARD_STEPS:
        raise Http404
    hazard = _hazard(request.user, pk)
    if not code_in_scope(request.user, hazard.area_code, Action.CHANGE):
        raise PermissionDenied
    form = _form(step, hazard, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            HAZARD_STEPS[step].run(hazard, form.cleaned_data, request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("lines:hazard", pk=hazard.pk)
    hazard.refresh_from_db()
    return render(
        request,
        "lines/hazards/detail.html",
        _context(request.user, hazard, failed=(step, form)),
        status=400,
    )


@login_required
@require_GET
def supervision_list(request):
    """The hazards under listed supervision (挂牌督办) in the user's scope, the overdue first
    flagged: the supervising street's or district's list."""
    data = request.GET.copy()
    data["supervised"] = "on"
    listed = HazardFilter(data, request.user)
    page = Paginator(listed.page_rows(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "lines/hazards/supervision.html",
        {
            "nav": "lines",
            "tab": "supervision",
            "page": page,
            "filters": listed,
            "today": timezone.localdate(),
            "area_choices": area_queries.picker_choices(request.user),
            "selected": listed.area_chosen() if listed.is_valid() else "",
        },
    )
