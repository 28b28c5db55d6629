from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the holder")
    ESCALATED = "escalated", _("Waiting for the common parent area")
    ACCEPTED = "accepted", _("Accepted: the record moved")
    REFUSED = "refused", _("Refused")


class TransferKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class TransferRequest(models.Model):
    """A record found by its identifier in another area than the writer's: the holder decides
    whether it moves to the requester's area, within a time limit, after which the command center
    of the area both belong to decides. The requester sees the request, never the record."""

    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    holder_code = models.CharField(_("held in"), max_length=20, db_index=True)
    target_code = models.CharField(_("requested for"), max_length=20)
    target_house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who decides: the holder's area, then (once the limit passes) the common parent area.
    decider_code = models.CharField(max_length=20, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    source = models.CharField(_("source"), max_length=16)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfer_requests"
    )
    requested_at = models.DateTimeField(_("requested at"))
    due_at = models.DateTimeField(_("holder decides by"))
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "decider_code"

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("transfer request")
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} → {self.target_code}"

    @classmethod
    def scope_extra_q(cls, user, action):
        """The requester follows their own requests (the page shows them no record)."""
        return Q(requested_by_id=user.pk)

    @property
    def is_open(self) -> bool:
        return self.status in (TransferStatus.PENDING, TransferStatus.ESCALATED)
