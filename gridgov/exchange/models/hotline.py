"""Models of the 12345 work-order adapter: one order per 12345 order number, and its steps."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet

__all__ = ["HotlineOrder", "HotlineStep", "OrderState", "StepKind"]


class OrderState(models.TextChoices):
    RECEIVED = "received", _("Received, not signed")
    SIGNED = "signed", _("Signed for")
    RETURNED = "returned", _("Returned to 12345")
    REPLIED = "replied", _("Reply sent")
    RATED = "rated", _("Rated by the caller")
    REOPENED = "reopened", _("Re-opened by 12345")


class StepKind(models.TextChoices):
    # outbound (the platform tells 12345)
    SIGN = "sign", _("Sign for receipt (签收)")
    RETURN = "return", _("Return (退单)")
    EXTEND = "extend", _("Extension request (延期)")
    REPLY = "reply", _("Reply when done (办结回复)")
    # inbound (12345 tells the platform)
    RECEIVE = "receive", _("Order received")
    RATE = "rate", _("Follow-up rating (回访)")
    REOPEN = "reopen", _("Re-opened (重办)")


class HotlineOrder(models.Model):
    """A 12345 work order (工单) and the case it became. The 12345 deadlines are kept here,
    beside the grid's own stage deadlines on the case."""

    order_no = models.CharField(_("order number"), max_length=64, unique=True)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="hotline_order"
    )
    area_code = models.CharField(max_length=20, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=OrderState.choices, default=OrderState.RECEIVED
    )
    kind = models.CharField(_("order type"), max_length=40, blank=True)
    sign_deadline = models.DateTimeField(_("sign by (12345)"), null=True, blank=True)
    reply_deadline = models.DateTimeField(_("reply by (12345)"), null=True, blank=True)
    extended_to = models.DateTimeField(_("extension asked until"), null=True, blank=True)
    rating = models.CharField(_("caller's rating"), max_length=10, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("re-opened"), default=0)
    received_at = models.DateTimeField(_("received at"))
    updated_at = models.DateTimeField(auto_now=True)
    payload = models.JSONField(default=dict, blank=True)  # the order as 12345 sent it

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"
    personal_fields = ("payload",)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("12345 work order")

    def __str__(self) -> str:
        return self.order_no


class HotlineStep(models.Model):
    """One step of an order, either way; an outbound step names its outbox row."""

    order = models.ForeignKey(HotlineOrder, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=10, choices=StepKind.choices)
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outbox = models.ForeignKey(
        "notify.Outbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


def _register_gateway() -> None:
    """The outbox sends channel `12345` through the adapter's gateway."""
    from gridgov.notify.gateways import GATEWAYS

    def make():
        from gridgov.exchange.services.hotline import gateway

        return gateway()

    GATEWAYS.setdefault("12345", make)


_register_gateway()
