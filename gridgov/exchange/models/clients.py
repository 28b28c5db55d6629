"""Client systems: other systems that call the platform or receive from it.

One model serves Open311 clients, the public portal instance, webhook receivers, data-exchange
recipients and federation members. A client has an API key (only its SHA-256 is stored), a
signing secret (sealed; during a rotation the previous one stays valid until it expires) and a
scope: the areas and the kinds of data it may see.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.crypto.fields import SealedCharField

__all__ = ["ClientKind", "ClientSystem"]


class ClientKind(models.TextChoices):
    OPEN311 = "open311", _("Open311 client")
    PUBLIC_PORTAL = "public_portal", _("Public portal instance")
    WEBHOOK = "webhook", _("Webhook receiver")
    EXCHANGE = "exchange", _("Data-exchange recipient")
    FEDERATION = "federation", _("Platform of another level")
    HOTLINE_12345 = "12345", _("12345 hotline platform")


class ClientSystem(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ClientKind.choices)
    owner_unit = models.CharField(_("owner unit"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    # Areas whose data the client may see or send; empty means none (never "everything").
    scope_areas = models.ManyToManyField(
        "areas.Area", blank=True, related_name="+", verbose_name=_("areas")
    )
    # Kinds of data (event types or data sets) the client may receive, e.g. ["case.*"].
    data_kinds = models.JSONField(_("kinds of data"), default=list, blank=True)
    key_prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    secret = SealedCharField(_("signing secret"), max_length=64, kind="secret")
    previous_secret = SealedCharField(max_length=64, blank=True, kind="secret")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("client system")
        verbose_name_plural = _("client systems")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
