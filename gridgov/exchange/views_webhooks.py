"""Pages of webhook endpoints: the list, and one endpoint's delivery log with replay and
enable/disable (client-system managers only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.exchange.models import ChangeEvent, WebhookEndpoint
from gridgov.exchange.services import events, webhooks
from gridgov.exchange.services.clients import require_manager


@login_required
@require_http_methods(["GET"])
def endpoint_list(request):
    require_manager(request.user)
    endpoints = WebhookEndpoint.objects.select_related("client").order_by("pk")
    return render(
        request,
        "exchange/webhooks/list.html",
        {"nav": "exchange", "endpoints": endpoints, "catalogue": events.CATALOGUE},
    )


@login_required
@require_http_methods(["GET"])
def endpoint_detail(request, pk: int):
    require_manager(request.user)
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("client"), pk=pk)
    page = Paginator(webhooks.deliveries(endpoint), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/webhooks/detail.html",
        {"nav": "exchange", "endpoint": endpoint, "page": page},
    )


@login_required
@require_POST
def endpoint_active(request, pk: int):
    require_manager(request.user)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    webhooks.set_active(request.user, endpoint, request.POST.get("active") == "1")
    return redirect("exchange:webhook", pk=pk)


@login_required
@require_POST
def endpoint_replay(request, pk: int):
    require_manager(request.user)
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("client"), pk=pk)
    try:
        event = get_object_or_404(ChangeEvent, pk=int(request.POST.get("event", "")))
    except ValueError:
        event = None
    if event is None:
        messages.error(request, _("Choose an event to send again."))
        return redirect("exchange:webhook", pk=pk)
    try:
        webhooks.replay(request.user, endpoint, event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The event is queued to be sent again."))
    return redirect("exchange:webhook", pk=pk)
