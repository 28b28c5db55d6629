"""Federation of levels: a city instance and its member districts (docs/federation.md).

On the city: each member district is a client system of kind `federation` plus a
`FederationMember` row (its area code and the address of its platform); the facts its cases
send up are kept per member in `MemberCaseFact`, keyed by (member, local case id) so the city
counts each case once. On both sides every message sent or received is a `FederationMessage`
(the log), and a case that travels between levels has a `FederationLink`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet

__all__ = [
    "FederationCursor",
    "FederationLink",
    "FederationMember",
    "FederationMessage",
    "FederationTask",
    "MemberCaseFact",
    "Signing",
]


class Signing(models.TextChoices):
    """How the messages between two levels are signed (docs/federation.md)."""

    HMAC_SHA256 = "hmac-sha256", _("HMAC-SHA256")
    HMAC_SM3 = "hmac-sm3", _("HMAC-SM3 (commercial cryptography)")


class FederationMember(models.Model):
    """A district platform that belongs to this (city) platform."""

    client = models.OneToOneField(
        "exchange.ClientSystem",
        on_delete=models.PROTECT,
        related_name="federation_member",
        verbose_name=_("client system"),
    )
    area_code = models.CharField(_("area"), max_length=20, unique=True)
    url = models.URLField(_("address of its platform"), max_length=300)
    signing = models.CharField(
        _("signature algorithm"),
        max_length=12,
        choices=Signing.choices,
        default=Signing.HMAC_SHA256,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        verbose_name = _("federation member")
        verbose_name_plural = _("federation members")
        ordering = ["area_code"]

    def __str__(self) -> str:
        return f"{self.area_code} {self.client.name}"


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("federation message", "Received")
    OUT = "out", pgettext_lazy("federation message", "Sent")


class FederationMessage(models.Model):
    """One message between levels, logged on both sides. A received message id is kept once:
    the same message delivered again is acknowledged and not applied twice."""

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    peer = models.CharField(_("other level"), max_length=20)  # the peer's area code
    msg_id = models.CharField(_("message id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30)
    area_code = models.CharField(_("area"), max_length=20, blank=True)
    local_id = models.CharField(_("local id"), max_length=40, blank=True)
    outcome = models.CharField(_("what happened"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        verbose_name = _("federation message")
        verbose_name_plural = _("federation messages")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "peer", "msg_id"], name="federation_message_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.peer} {self.msg_id}"


class MemberCaseFact(models.Model):
    """A member district's case reduced to numbers (no personal data), the latest version."""

    member = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="facts")
    local_id = models.CharField(max_length=40)
    version = models.BigIntegerField(default=0)
    area_code = models.CharField(max_length=20)
    month = models.CharField(max_length=7)
    status = models.CharField(max_length=16, blank=True)
    category_code = models.CharField(max_length=10, blank=True)
    measures = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["member", "local_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "local_id"], name="member_case_fact_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.local_id} v{self.version}"


class LinkRole(models.TextChoices):
    SENT_UP = "up", _("Escalated to the level above")
    FROM_MEMBER = "member", _("Escalated from a member")


class FederationLink(models.Model):
    """A case that travelled between levels: on the district the escalated case (its copy
    above is `remote_id`), on the city the case opened for a member's escalation."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="federation_link"
    )
    role = models.CharField(max_length=8, choices=LinkRole.choices)
    peer = models.CharField(max_length=20)  # the other level's area code
    remote_id = models.CharField(max_length=40, blank=True)
    area_code = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "peer", "remote_id"],
                condition=~models.Q(remote_id=""),
                name="federation_link_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.case_id} ↔ {self.peer}:{self.remote_id}"


class FederationCursor(models.Model):
    """How far the pushing job has read a stream (timeline steps, change events)."""

    name = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.position}"


class FederationTaskStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting to be assigned")
    ASSIGNED = "assigned", _("Assigned")


class FederationTask(models.Model):
    """On a district: a field task the level above sent, waiting in the task list for the
    command center to assign to the members of an area (then patrol tasks, one batch)."""

    peer = models.CharField(_("other level"), max_length=20)
    remote_id = models.CharField(max_length=40)
    area_code = models.CharField(_("area"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    due = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FederationTaskStatus.choices,
        default=FederationTaskStatus.WAITING,
    )
    batch = models.CharField(max_length=36, blank=True)
    assigned_area = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        verbose_name = _("task from the level above")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "remote_id"], name="federation_task_once")
        ]

    def __str__(self) -> str:
        return f"{self.peer}:{self.remote_id} {self.title}"
