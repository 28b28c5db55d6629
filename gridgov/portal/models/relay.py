"""The relay between a public instance and the core (docs/portal.md, "Public instance").

- On the public instance, `RelayOut` is the outbox of reports to send up: one row per report made
  there, with the UUID the core takes as its idempotency key, the attempts and the next try.
- `RelayAction` (public) queues a reporter's rating or "not fixed", `RelayRequest` (public) an
  Open311 request POSTed there; `RelayedAction` (core) makes an action happen once per UUID.
- On the core, `RelayedReport` remembers which client system (the public instance's key) relayed
  which report: that client may ask the status of these reports and of no other.
"""

import uuid

from django.db import models

from gridgov.accounts.scope import ScopedQuerySet
from gridgov.crypto.fields import SealedCharField, SealedModel


class RelayState(models.TextChoices):
    PENDING = "pending", "pending"
    SENT = "sent", "sent"
    REFUSED = "refused", "refused"  # the core answered 4xx: retrying would not help


class Queued(models.Model):
    """What every relay outbox row keeps of its way to the core (`relay.send` updates it)."""

    state = models.CharField(
        max_length=8, choices=RelayState.choices, default=RelayState.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class RelayOut(Queued):
    """(Public instance) a report waiting to reach the core, or sent with the core's number."""

    report = models.OneToOneField(
        "portal.PortalReport", on_delete=models.CASCADE, related_name="relay"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    core_number = models.CharField(max_length=32, blank=True, db_index=True)
    status_pulled_at = models.DateTimeField(null=True, blank=True)
    area_code = models.CharField(max_length=20, blank=True)
    # The core's public Open311 view of the report (its GeoReport fields), copied by the poll:
    # what `GET /open311/v2/requests` lists for it here.
    public = models.JSONField(default=dict, blank=True)

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


class RelayActionKind(models.TextChoices):
    RATE = "rate", "rate"
    NOT_FIXED = "not_fixed", "not fixed"


class RelayAction(Queued):
    """(Public instance) a reporter's rating or "not fixed" of a relayed report, waiting to reach
    the core (which acts on its own case); the UUID makes a retry the same action there."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        "portal.PortalReport", on_delete=models.CASCADE, related_name="relay_actions"
    )
    kind = models.CharField(max_length=10, choices=RelayActionKind.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    area_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class RelayedAction(models.Model):
    """(Core) a rating or "not fixed" a public instance relayed: done once per client and UUID."""

    client = models.ForeignKey("exchange.ClientSystem", on_delete=models.PROTECT, related_name="+")
    uuid = models.UUIDField()
    report = models.ForeignKey(
        "portal.PortalReport", on_delete=models.CASCADE, related_name="relayed_actions"
    )
    kind = models.CharField(max_length=10, choices=RelayActionKind.choices)
    area_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "uuid"], name="portal_relayed_action_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class RelayRequest(SealedModel, Queued):
    """(Public instance) an Open311 request POSTed here. It is queued for the core like a
    portal report (the UUID is the core's idempotency key); the client gets a token at once, and
    the core's service_request_id once the core has numbered it. `public` is the core's public
    view of the request (the Open311 fields), copied by the status poll."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.CharField(max_length=40, unique=True)
    client = models.ForeignKey("exchange.ClientSystem", on_delete=models.PROTECT, related_name="+")
    # What makes a retry the same request (the client's Idempotency-Key or a digest of the post).
    request_key = models.CharField(max_length=64)
    service_code = models.CharField(max_length=12)
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    address_string = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=4000, blank=True)
    media_url = models.CharField(max_length=500, blank=True)
    # What the client said of the reporter (names, phone, email, device, account), as JSON.
    reporter = SealedCharField(max_length=400, kind="reporter", blank=True)
    core_number = models.CharField(max_length=32, blank=True, db_index=True)
    public = models.JSONField(default=dict, blank=True)
    status_pulled_at = models.DateTimeField(null=True, blank=True)
    area_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"
    personal_fields = ("reporter",)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "request_key"], name="portal_relay_request_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class RelayPeer(models.Model):
    """The other side of a relay by exchange files (one-way gateways): its public keys — to check
    the signature of its files and to encrypt files for it. On the core, one per public instance
    (its client system); on a public instance, the core (no client). On the core it also keeps
    what the public instance last asked about and what was refused, for the next file down."""

    client = models.OneToOneField(
        "exchange.ClientSystem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sm2_public = models.CharField(max_length=128, blank=True)
    ed25519_public = models.CharField(max_length=64, blank=True)
    x25519_public = models.CharField(max_length=64, blank=True)
    asked = models.JSONField(default=dict, blank=True)
    refusals = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"relay peer {self.client_id or 'core'}"


class RelayFollowKind(models.TextChoices):
    JOIN = "join", "also reported it"
    FOLLOW = "follow", "follows the report"
    AREA = "area", "follows the area"
    AREA_STOP = "area_stop", "stops following the area"


class RelayFollow(Queued):
    """(Public instance) a citizen joined or followed a report relayed from here, or follows (or
    stops following) an area: waiting to reach the core, which tells followers by SMS. The
    follower's phone is read from the citizen when the row is sent, not copied here."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=RelayFollowKind.choices)
    report = models.ForeignKey(
        "portal.PortalReport",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relay_follows",
    )
    citizen = models.ForeignKey(
        "portal.Citizen", null=True, on_delete=models.SET_NULL, related_name="relay_follows"
    )
    note = models.CharField(max_length=500, blank=True)
    area_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class RelayedFollow(models.Model):
    """(Core) a join or follow a public instance relayed: done once per client and UUID."""

    client = models.ForeignKey("exchange.ClientSystem", on_delete=models.PROTECT, related_name="+")
    uuid = models.UUIDField()
    kind = models.CharField(max_length=10, choices=RelayFollowKind.choices)
    report = models.ForeignKey(
        "portal.PortalReport",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relayed_follows",
    )
    area_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "uuid"], name="portal_relayed_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class RelayFile(models.Model):
    """A relay file already applied here (by the SHA-256 of its bytes), recorded in the same
    transaction as its items: a file met again — delivered twice, or left in place by a run
    killed after its transaction — is set aside without being applied again."""

    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    items = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
