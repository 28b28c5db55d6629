"""The transfer-request pages: the holder's decisions and the requester's own requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.registry import filters, transfers


@login_required
def transfer_list(request):
    rows = filters.TransferFilter(request.GET, request.user).page_rows()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/transfers.html",
        {
            "nav": "registry",
            "page": page,
            "items": [transfers.present_transfer(t, request.user) for t in page],
        },
    )


@login_required
@require_POST
def transfer_decide(request, pk: int):
    transfer = transfers.get_transfer_for_user(request.user, pk)
    accept = request.POST.get("decision") == "accept"
    try:
        transfers.decide_transfer(
            transfer, actor=request.user, accept=accept, note=request.POST.get("note", "")[:500]
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The record moved.") if accept else _("The request was refused.")
        )
    return redirect("registry:transfers")
