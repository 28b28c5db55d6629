"""The federation page: on a city, its member districts and their cases counted once; on a
district, its parent and the messages exchanged (MANAGE_CLIENTS)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.exchange.models import FederationMember, FederationMessage, MemberCaseFact
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
    return render(
        request,
        "exchange/federation/page.html",
        {
            "rows": rows,
            "total": sum(r["cases"] for r in rows),
            "exchanged": exchanged,
            "parent": {"url": parent["url"], "area": parent["area"]} if parent else None,
        },
    )
