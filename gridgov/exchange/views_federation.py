"""The federation page: on a city, its member districts and their cases counted once; on a
district, its parent and the messages exchanged (MANAGE_CLIENTS)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.cases.models import Case
from gridgov.exchange.models import (
    FederationLink,
    FederationMember,
    FederationMessage,
    FederationTask,
    MemberCaseFact,
)
from gridgov.exchange.models.federation import LinkRole
from gridgov.exchange.services import federation


@login_required
def federation_page(request: HttpRequest) -> HttpResponse:
    if not user_may(request.user, Action.MANAGE_CLIENTS):
        raise PermissionDenied
    members = restrict(
        FederationMember.objects.select_related("client"), request.user, Action.MANAGE_CLIENTS
    )
    facts = restrict(MemberCaseFact.objects.all(), request.user, Action.MANAGE_CLIENTS)
    rows = federation.member_figures(members, facts)
    exchanged = restrict(FederationMessage.objects.all(), request.user, Action.MANAGE_CLIENTS)[:50]
    parent = federation.parent_config()
    escalated = restrict(
        FederationLink.objects.filter(role=LinkRole.FROM_MEMBER).select_related("case"),
        request.user,
        Action.MANAGE_CLIENTS,
    )[:20]
    from_above = restrict(FederationTask.objects.all(), request.user, Action.MANAGE_CLIENTS)[:20]
    return render(
        request,
        "exchange/federation/page.html",
        {
            "rows": rows,
            "total": sum(r["cases"] for r in rows),
            "exchanged": exchanged,
            "escalated": escalated,
            "from_above": from_above,
            "parent": {"url": parent["url"], "area": parent["area"]} if parent else None,
        },
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


@login_required
def reveal_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """On the city: ask the member platform for the reporter of a case it escalated (a reason,
    logged on both platforms); the answer is shown once and not kept (no-store)."""
    case = get_for_user(Case.objects.all(), request.user, Action.VIEW_PERSONAL, pk=case_id)
    link = (
        restrict(FederationLink.objects.all(), request.user, Action.VIEW_PERSONAL)
        .filter(case=case, role=LinkRole.FROM_MEMBER)
        .first()
    )
    form = RevealForm(request.POST or None)
    revealed, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            revealed = federation.reveal_reporter(
                request.user, case, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            error = str(exc) or str(_("You may not see this case's reporter."))
        except ValidationError as exc:
            error = "; ".join(exc.messages)
    response = render(
        request,
        "exchange/federation/reveal.html",
        {"case": case, "link": link, "form": form, "revealed": revealed, "error": error},
    )
    response["Cache-Control"] = "no-store"
    return response
