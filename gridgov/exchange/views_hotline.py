"""Pages of the 12345 work-order adapter: one order, its deadlines, its steps, and the
district's actions (签收, 退单, 延期, 办结回复)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user
from gridgov.cases.services.permissions import may_command
from gridgov.exchange.api_hotline import take_step
from gridgov.exchange.models import HotlineOrder

STEPS = ("sign", "return", "extend", "reply")


@login_required
@require_http_methods(["GET", "POST"])
def order_page(request, pk: int):
    order = get_for_user(
        HotlineOrder.objects.select_related("case"), request.user, Action.VIEW, pk=pk
    )
    status = 200
    if request.method == "POST":
        order = get_for_user(HotlineOrder.objects.all(), request.user, Action.CHANGE, pk=pk)
        step = request.POST.get("step", "")
        try:
            if step not in STEPS:
                raise ValidationError(_("Unknown step."))
            try:
                days = int(request.POST.get("days") or 0)
            except ValueError:
                raise ValidationError(_("Ask for 1 to %(n)d days.") % {"n": 30}) from None
            take_step(
                order,
                step,
                request.user,
                reason=request.POST.get("reason", "")[:1000],
                text=request.POST.get("text", "")[:1000],
                days=days,
            )
            messages.success(request, _("Sent to 12345."))
            return redirect("exchange:hotline_order", pk=order.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        order = HotlineOrder.objects.select_related("case").get(pk=order.pk)
    return render(
        request,
        "exchange/hotline/order.html",
        {
            "order": order,
            "steps": order.steps.select_related("outbox"),
            "may_act": may_command(request.user, order.case),
        },
        status=status,
    )
