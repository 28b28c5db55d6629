"""Phone pages of disputes for the grid member: the disputes of their grids, registering one
found in the field, and the follow-up visits of an agreement in force."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.areas.models import Level
from gridgov.lines import forms_disputes as f
from gridgov.lines.models import Dispute, DisputeState, Source
from gridgov.lines.services import disputes as ds
from gridgov.lines.views_disputes_forms import form_errors, may_change, picker_context

SHOWN = 50


def phone_inputs(form):
    """The phone's large inputs (44 px targets) on every field but a checkbox."""
    for field in form.fields.values():
        if not isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "m-input"
    return form


@login_required
@require_GET
def m_disputes(request):
    """The open disputes of the member's grids (the ones they may work on), newest first."""
    rows = (
        restrict(Dispute.objects.all(), request.user, Action.CHANGE)
        .exclude(state=DisputeState.CLOSED)
        .order_by("-created_at", "-id")[:SHOWN]
    )
    return render(
        request,
        "lines/disputes/m_list.html",
        {"rows": rows, "may_register": f.registrable_areas(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def m_dispute_new(request):
    """Register a dispute found in the field: the member's grid chosen for them when one (or the
    grid of the screening that found it, `?area=`); parties
    typed by name or, online, picked from the registry as at the desk (the same endpoint)."""
    areas = f.registrable_areas(request.user)
    if not areas.exists():
        raise PermissionDenied
    grids = list(areas.filter(level=Level.GRID)[:2])
    initial: dict = {"area": grids[0].code} if len(grids) == 1 else {}
    asked = request.GET.get("area", "")[:20]
    if asked and areas.filter(code=asked).exists():  # from the screening of that grid
        initial = {"area": asked, "source": Source.SCREENING}
    form = phone_inputs(f.DisputeForm(request.POST or None, user=request.user, initial=initial))
    if request.method == "POST" and form.is_valid():
        try:
            dispute = ds.register_dispute(form.to_input(), actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Dispute %(number)s registered.") % {"number": dispute.number}
            )
            return redirect("lines:m_dispute", pk=dispute.pk)
    return render(
        request,
        "lines/disputes/m_new.html",
        {"form": form, **picker_context(form)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def m_dispute(request, pk: int):
    """One dispute on the phone: its facts, sessions and follow-ups; a follow-up visit recorded
    while the agreement is in force."""
    dispute = get_for_user(Dispute.objects.all(), request.user, Action.VIEW, pk=pk)
    writable = may_change(request.user, dispute) and dispute.state == DisputeState.FULFILMENT
    form = phone_inputs(
        f.FollowUpForm(
            request.POST or None, initial={"visited_on": timezone.localdate()}, prefix="follow_up"
        )
    )
    if request.method == "POST":
        if not may_change(request.user, dispute):
            raise PermissionDenied
        if form.is_valid():
            c = form.cleaned_data
            try:
                ds.record_follow_up(
                    dispute,
                    actor=request.user,
                    visited_on=c["visited_on"],
                    note=c["note"],
                    fulfilled=c["fulfilled"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Follow-up recorded."))
                return redirect("lines:m_dispute", pk=dispute.pk)
    return render(
        request,
        "lines/disputes/m_detail.html",
        {"d": dispute, "form": form if writable or form.is_bound else None},
        status=400 if form.is_bound else 200,
    )
