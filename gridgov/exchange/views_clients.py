"""Pages of client systems (administrators only): the register with its form, and one client's
page with its scope, key prefix, secret rotation, endpoints and revocation. A new key or secret
is shown once, in the answer to the POST that made it, and is never stored in plain."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.exchange.forms_clients import ClientForm
from gridgov.exchange.models import ClientKind, ClientSystem, WebhookEndpoint
from gridgov.exchange.services import clients, events, webhooks


def _clients():
    return ClientSystem.objects.select_related("created_by").prefetch_related("scope_areas")


@login_required
@require_http_methods(["GET", "POST"])
def client_list(request):
    clients.require_manager(request.user)
    form = ClientForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                client, key = clients.issue_client(
                    request.user,
                    name=data["name"],
                    kind=data["kind"],
                    area_codes=[a.code for a in data["areas"]],
                    data_kinds=data["data_kinds"],
                    owner_unit=data["owner_unit"],
                    contact=data["contact"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return _detail(request, client, new_key=key, new_secret=client.secret, status=201)
        status = 400
    registered = _clients().order_by("revoked_at", "name", "pk")
    return render(
        request,
        "exchange/clients/list.html",
        {"nav": "exchange", "clients": registered, "form": form},
        status=status,
    )


def _detail(request, client: ClientSystem, *, status: int = 200, **shown):
    endpoint_error = shown.pop("endpoint_error", "")
    return render(
        request,
        "exchange/clients/detail.html",
        {
            "nav": "exchange",
            "client": client,
            "areas": client.scope_areas.order_by("code"),
            "endpoints": WebhookEndpoint.objects.filter(client=client).order_by("pk"),
            "takes_webhooks": client.kind == ClientKind.WEBHOOK and client.active,
            "catalogue": events.CATALOGUE,
            "overlap_days": clients.ROTATION_OVERLAP.days,
            "endpoint_error": endpoint_error,
            **shown,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def client_detail(request, pk: int):
    clients.require_manager(request.user)
    return _detail(request, get_object_or_404(_clients(), pk=pk))


@login_required
@require_POST
def client_rotate(request, pk: int):
    clients.require_manager(request.user)
    client = get_object_or_404(ClientSystem, pk=pk, revoked_at__isnull=True)
    secret = clients.rotate_secret(request.user, client)
    return _detail(request, client, new_secret=secret)


@login_required
@require_POST
def client_revoke(request, pk: int):
    clients.require_manager(request.user)
    client = get_object_or_404(ClientSystem, pk=pk)
    clients.revoke_client(request.user, client)
    return redirect("exchange:client", pk=pk)


@login_required
@require_POST
def client_endpoint(request, pk: int):
    """Add a webhook endpoint to a webhook client (its address is checked against SSRF)."""
    clients.require_manager(request.user)
    client = get_object_or_404(ClientSystem, pk=pk)
    try:
        endpoint = webhooks.add_endpoint(
            request.user,
            client,
            url=request.POST.get("url", "").strip(),
            event_types=[t for t in request.POST.getlist("event_types") if t],
        )
    except ValidationError as exc:
        message = " ".join(m for errors in exc.message_dict.values() for m in errors)
        return _detail(request, client, status=400, endpoint_error=message or _("Not added."))
    return redirect("exchange:webhook", pk=endpoint.pk)
