"""The relay between a public instance and the core (docs/portal.md, "Public instance").

- On the public instance, `RelayOut` is the outbox of reports to send up: one row per report made
  there, with the UUID the core takes as its idempotency key, the attempts and the next try.
- On the core, `RelayedReport` remembers which client system (the public instance's key) relayed
  which report: that client may ask the status of these reports and of no other.
"""

import uuid

from django.db import models

from gridgov.accounts.scope import ScopedQuerySet


class RelayState(models.TextChoices):
    PENDING = "pending", "pending"
    SENT = "sent", "sent"
    REFUSED = "refused", "refused"  # the core answered 4xx: retrying would not help


class RelayOut(models.Model):
    """(Public instance) a report waiting to reach the core, or sent with the core's number."""

    report = models.OneToOneField(
        "portal.PortalReport", on_delete=models.CASCADE, related_name="relay"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(
        max_length=8, choices=RelayState.choices, default=RelayState.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    core_number = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_pulled_at = models.DateTimeField(null=True, blank=True)
    area_code = models.CharField(max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.uuid)


class RelayedReport(models.Model):
    """(Core) a report a public instance relayed: its client, its UUID and the core's report."""

    client = models.ForeignKey("exchange.ClientSystem", on_delete=models.PROTECT, related_name="+")
    uuid = models.UUIDField()
    report = models.ForeignKey(
        "portal.PortalReport", on_delete=models.CASCADE, related_name="relayed_from"
    )
    area_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "uuid"], name="portal_relayed_once")
        ]

    def __str__(self) -> str:
        return str(self.uuid)
