"""The data catalogue page (administrators: data sets, applications with their decisions,
packages, keys) and the exchange log (auditors and administrators)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.exchange.models import (
    ApplicationState,
    ClientSystem,
    DataApplication,
    ExchangeLog,
    ExchangePackage,
    RecipientKeys,
)
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import require_manager


def _page(request, *, status: int = 200, error: str = ""):
    now = timezone.now()
    apps = list(
        DataApplication.objects.select_related("client", "decided_by").order_by(
            "state", "-submitted_at", "-pk"
        )[:200]
    )
    for app in apps:
        app.overdue = catalogue.is_overdue(app, now)  # type: ignore[attr-defined]
        d = catalogue.DATASETS.get(app.dataset)
        app.dataset_name = d.name if d else app.dataset  # type: ignore[attr-defined]
    receiving = ClientSystem.objects.filter(
        kind__in=catalogue.RECEIVING_KINDS, revoked_at__isnull=True
    ).order_by("name", "pk")
    keys = {k.client_id: k for k in RecipientKeys.objects.all()}
    return render(
        request,
        "exchange/catalogue/page.html",
        {
            "nav": "catalogue",
            "datasets": list(catalogue.DATASETS.values()),
            "share_labels": catalogue.SHARE_LABELS,
            "version": catalogue.CATALOGUE_VERSION,
            "applications": apps,
            "pending": ApplicationState.PENDING,
            "packages": ExchangePackage.objects.select_related("client")
            .defer("content")
            .order_by("-created_at", "-pk")[:50],
            "receiving": [(c, keys.get(c.pk)) for c in receiving],
            "platform_keys": packages.platform_public_keys(),
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def catalogue_page(request):
    require_manager(request.user)
    return _page(request)


@login_required
@require_POST
def decide_application(request, pk: int):
    require_manager(request.user)
    app = get_object_or_404(DataApplication, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        catalogue.decide(request.user, app, approve=approve, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _page(request, status=400, error=" ".join(exc.messages))
    messages.success(request, _("Approved.") if approve else _("Refused."))
    return redirect("exchange:catalogue")


@login_required
@require_POST
def recipient_keys(request):
    require_manager(request.user)
    try:
        client_id = int(request.POST.get("client", ""))
    except ValueError:
        return _page(request, status=400, error=_("Choose a client system."))
    client = get_object_or_404(
        ClientSystem.objects.filter(kind__in=catalogue.RECEIVING_KINDS), pk=client_id
    )
    try:
        packages.set_recipient_keys(
            request.user,
            client,
            sm2_public=request.POST.get("sm2_public", "")[:200],
            x25519_public=request.POST.get("x25519_public", "")[:200],
        )
    except ValidationError as exc:
        return _page(request, status=400, error=" ".join(exc.messages))
    messages.success(request, _("The recipient's keys are saved."))
    return redirect("exchange:catalogue")


@login_required
@require_http_methods(["GET"])
def exchange_log(request):
    if not (
        user_may(request.user, Action.READ_AUDIT) or user_may(request.user, Action.MANAGE_CLIENTS)
    ):
        raise PermissionDenied(_("You may not read the exchange log."))
    rows = ExchangeLog.objects.select_related("application").order_by("-at", "-pk")[:500]
    names = {d.key: d.name for d in catalogue.DATASETS.values()}
    return render(
        request,
        "exchange/catalogue/log.html",
        {"nav": "catalogue", "rows": rows, "names": names},
    )
