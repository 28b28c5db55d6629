"""Warnings (预警) shaped like CAP 1.2 alerts, their targets, receipts and the early-warning rules.

A warning belongs to the area that issues it (`area_code`, its scope field); it reaches the staff
of its target areas through receipts, one row per recipient and channel. Updates, forwards,
cancellations and all-clears are warnings of their own that reference the original.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet, minimal_prefixes


class Colour(models.TextChoices):
    BLUE = "blue", pgettext_lazy("warning colour", "Blue")
    YELLOW = "yellow", pgettext_lazy("warning colour", "Yellow")
    ORANGE = "orange", pgettext_lazy("warning colour", "Orange")
    RED = "red", pgettext_lazy("warning colour", "Red")


# Colour level → (CAP severity, CAP urgency); docs/warnings.md explains the table.
CAP_SEVERITY_URGENCY = {
    Colour.BLUE: ("Minor", "Future"),
    Colour.YELLOW: ("Moderate", "Expected"),
    Colour.ORANGE: ("Severe", "Expected"),
    Colour.RED: ("Extreme", "Immediate"),
}
URGENT_COLOURS = {Colour.ORANGE, Colour.RED}


class CapStatus(models.TextChoices):
    ACTUAL = "Actual", _("Actual")
    EXERCISE = "Exercise", _("Exercise")
    TEST = "Test", _("Test")
    DRAFT = "Draft", _("Draft (not actionable)")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", pgettext_lazy("warning message type", "Cancel")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class State(models.TextChoices):
    """Where a warning is in its workflow (not a CAP field)."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    # cancelled, all-cleared, or replaced by its cancellation
    CLOSED = "closed", pgettext_lazy("warning state", "Closed")
    DISCARDED = "discarded", _("Discarded")


TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.APPROVED, State.DISCARDED},
    State.APPROVED: {State.ISSUED, State.DRAFT},
    State.ISSUED: {State.CLOSED},
    State.CLOSED: set(),
    State.DISCARDED: set(),
}


class Kind(models.TextChoices):
    """What a warning does to its original (the CAP message type says the same to machines)."""

    ALERT = "alert", _("New warning")
    UPDATE = "update", _("Update")
    FORWARD = "forward", _("Forward with local instructions")
    CANCEL = "cancel", pgettext_lazy("warning step", "Cancellation")
    ALL_CLEAR = "all_clear", _("All clear")


MSG_TYPE_OF_KIND = {
    Kind.ALERT: MsgType.ALERT,
    Kind.UPDATE: MsgType.UPDATE,
    Kind.FORWARD: MsgType.UPDATE,
    Kind.CANCEL: MsgType.CANCEL,
    Kind.ALL_CLEAR: MsgType.UPDATE,  # with responseType AllClear
}
CLOSING_KINDS = {Kind.CANCEL, Kind.ALL_CLEAR}


def _ancestors_and_self(code: str) -> list[str]:
    widths = [4, 6, 9, 12]
    return [code[:w] for w in widths if w < len(code)] + [code]


class Warning(models.Model):
    identifier = models.CharField(_("identifier"), max_length=100, unique=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="warnings", verbose_name=_("issuer")
    )
    area_code = models.CharField(max_length=20, db_index=True, editable=False)
    sender = models.CharField(_("sender"), max_length=200)
    sender_name = models.CharField(_("sending unit"), max_length=200)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CapStatus.choices, default=CapStatus.ACTUAL
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ALERT)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followers",
        verbose_name=_("original"),
    )
    forwarded_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="forwards"
    )
    external_ref = models.CharField(
        _("imported from"),
        max_length=300,
        blank=True,
        help_text=_("Sender, identifier and sent time of an imported CAP alert"),
    )
    event = models.CharField(_("event"), max_length=100)
    colour = models.CharField(_("colour level"), max_length=8, choices=Colour.choices)
    certainty = models.CharField(
        _("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.LIKELY
    )
    onset = models.DateTimeField(_("onset"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    target_codes = models.JSONField(_("target areas"), default=list, blank=True)
    polygons = models.JSONField(_("drawn polygons"), default=list, blank=True)
    ack_code = models.CharField(max_length=6, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every read, acknowledgement and delivery report: the board's ETag.
    board_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    raised_by = models.ForeignKey(
        "warnings.RuleHit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("raised by rule"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warning")
        indexes = [models.Index(fields=["state", "expires"])]

    def __str__(self) -> str:
        return f"{self.identifier} {self.headline}"

    @classmethod
    def scope_extra_q(cls, user, action) -> Q | None:
        """Staff also see an issued warning that targets their area or an area inside it."""
        codes = minimal_prefixes(getattr(user, "scope_codes", ()))
        if not codes:
            return None
        around = {a for c in codes for a in _ancestors_and_self(c)}
        inside = Q(code__in=around)
        for c in codes:
            inside |= Q(code__startswith=c)
        targets = Target.objects.filter(inside).values("warning_id")
        return Q(pk__in=targets, state__in=[State.ISSUED, State.CLOSED])

    @property
    def root(self) -> "Warning":
        return self.original or self

    @property
    def msg_type(self) -> str:
        return MSG_TYPE_OF_KIND[self.kind]

    @property
    def severity(self) -> str:
        return CAP_SEVERITY_URGENCY[self.colour][0]

    @property
    def urgency(self) -> str:
        return CAP_SEVERITY_URGENCY[self.colour][1]


class Target(models.Model):
    """An area a warning reaches: a chosen subtree, or a grid a drawn polygon touches."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(max_length=20, db_index=True)
    from_polygon = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warning", "code"], name="warning_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.warning_id} → {self.code}"


def attachment_path(instance, filename: str) -> str:
    return f"warnings/{instance.warning_id}/{filename}"


class Attachment(models.Model):
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    description = models.CharField(_("description"), max_length=200, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    digest = models.CharField(max_length=40, blank=True, help_text="SHA-1, as CAP asks")

    def __str__(self) -> str:
        return self.description or self.file.name


class Channel(models.TextChoices):
    APP = "app", _("Desk and phone")
    SMS = "sms", _("SMS")


class Receipt(models.Model):
    """One recipient of one warning on one channel, with the times it moved on."""

    # Indexed by receipt_once_per_channel (warning first) and receipt_open_of_user (user first).
    # No foreign-key constraints in the database: a city-wide warning writes 60,000 receipts in
    # two statements that read the warning and the users they name, and PostgreSQL's deferred
    # checks of them at commit took longer than the inserts. Warnings are kept; users are
    # deactivated, not deleted (a deletion still removes the receipts, through Django).
    warning = models.ForeignKey(
        Warning,
        on_delete=models.CASCADE,
        related_name="receipts",
        db_index=False,
        db_constraint=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="warning_receipts",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField(max_length=4, choices=Channel.choices)
    # Not indexed: a city's issue inserts 60,000 receipts at once; reads start from the warning.
    area_code = models.CharField(max_length=20)
    level = models.CharField(max_length=16)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_via = models.CharField(max_length=8, blank=True)
    # 0 nothing yet, 1 re-notified, 2 sent by SMS for silence, 3 the supervisor told.
    escalation = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "user", "channel"], name="receipt_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["user", "acknowledged_at"], name="receipt_open_of_user")]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.user_id} {self.channel}"


class RuleKind(models.TextChoices):
    GRID_CLASS_SPIKE = "grid_class_spike", _("Reports of one class in one grid far above usual")
    OVERDUE_VISITS = "overdue_visits", _("Overdue key-population visits rate of an area")
    DEPARTMENT_OVERDUE = "department_overdue", _("Rising overdue rate of a department")


class Outcome(models.TextChoices):
    DRAFT = "draft", _("Raise a draft")
    ISSUE = "issue", _("Issue at once")


class Rule(models.Model):
    """An early-warning rule kept as data: what it watches, how sure it must be, what it raises."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=RuleKind.choices)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=20, db_index=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("person in charge", "owner"),
        help_text=_("The rule raises warnings in this person's name and with their rights."),
    )
    colour = models.CharField(
        _("colour level"), max_length=8, choices=Colour.choices, default=Colour.BLUE
    )
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.DRAFT
    )
    alpha = models.FloatField(
        _("false-alarm level per week"),
        default=0.05,
        help_text=_("Probability that a quiet week raises any warning of this rule."),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    every_days = models.PositiveSmallIntegerField(_("run every (days)"), default=7)
    last_run_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["area_code", "name"]
        verbose_name = _("early-warning rule")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_code = self.area.code
        super().save(*args, **kwargs)


class RuleHit(models.Model):
    """What a rule found on one run for one subject (a grid and class, an area, a department):
    the figures that raised a warning."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="hits")
    run_at = models.DateTimeField()
    subject = models.CharField(max_length=100)
    area_code = models.CharField(max_length=20, db_index=True)
    figures = models.JSONField(default=dict)
    warning = models.ForeignKey(
        Warning, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-run_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject}"
