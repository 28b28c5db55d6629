"""The change feed and webhook endpoints.

Every change other systems may follow is a `ChangeEvent`, written in the transaction of the
change: the pull feed reads them by id, and each matching webhook endpoint gets one outbox
message per event. Events are thin: the object's kind, id, area and the names of the changed
fields, never personal values (those only through the authenticated API, which logs each read).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet

__all__ = ["ChangeEvent", "WebhookEndpoint"]


class ChangeEvent(models.Model):
    type = models.CharField(_("event"), max_length=40)  # the feed walks ids, not types
    version = models.PositiveSmallIntegerField(default=1)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True)
    area_code = models.CharField(_("area"), max_length=32, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    fields = models.JSONField(default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.object_type}:{self.object_id}"

    def as_payload(self) -> dict:
        return {
            "id": self.pk,
            "type": self.type,
            "version": self.version,
            "timestamp": self.occurred_at.isoformat(),
            "data": {
                "object": self.object_type,
                "id": self.object_id,
                "area_code": self.area_code,
                "fields": self.fields,
            },
        }


class WebhookEndpoint(models.Model):
    client = models.ForeignKey(
        "exchange.ClientSystem",
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("client system"),
    )
    url = models.URLField(_("address"), max_length=500)
    # Event types it receives, e.g. ["case.*", "warning.issued"]; within the client's data kinds.
    event_types = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url
