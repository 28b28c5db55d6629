"""Warnings of the warnings part that the lines raised: one per record and cause, so a job run
again or a record saved again never raises a second one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet

__all__ = ["AlertCause", "RaisedAlert"]


class AlertCause(models.TextChoices):
    DISPUTE_ESCALATED = "dispute_escalated", _("High-risk dispute")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    OVERCROWDED = "overcrowded", _("Overcrowded rental")


class RaisedAlert(models.Model):
    """The link from a line record to the warning it raised (and back: the warning's
    description names the record's number and page)."""

    cause = models.CharField(_("cause"), max_length=24, choices=AlertCause.choices)
    subject_type = models.CharField(max_length=40)
    subject_id = models.PositiveIntegerField()
    # The episode of the cause (e.g. the ledger warning of one lost contact); "" when a record
    # raises its cause only once in its life.
    episode = models.CharField(max_length=40, blank=True, default="")
    warning = models.ForeignKey(
        "warnings.Warning", on_delete=models.PROTECT, related_name="+", null=True
    )
    area_code = models.CharField(max_length=20, db_index=True)
    raised_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "subject_type", "subject_id", "episode"],
                name="lines_alert_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cause} {self.subject_type}:{self.subject_id}"
