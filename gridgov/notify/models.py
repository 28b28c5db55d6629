from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet
from gridgov.masking import mask_phone


class Message(models.Model):
    """An in-app message in a user's inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.TextChoices):
    """What the gateway's delivery report said (blank: no report yet)."""

    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")


class Priority(models.IntegerChoices):
    """Who goes first when messages queue up: the smaller, the sooner."""

    WARNING = 10, _("Warning")
    VERIFICATION = 20, _("Verification code")
    CASE_STEP = 30, _("Case step")
    BULK = 40, _("Bulk")


class Outbox(models.Model):
    """One outbound message on any channel (SMS; later webhooks, federation, notifications),
    written in the transaction that caused it and delivered at least once by a sender, which
    leases it while its gateway works (docs/outbox.md). Its id is the message id receivers see."""

    channel = models.CharField(max_length=16, default="sms")
    destination = models.CharField(
        max_length=200,
        blank=True,
        help_text="A phone number, URL or node; empty: the user's phone, looked up when sent",
    )
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.CASE_STEP
    )
    dedupe_key = models.CharField(
        max_length=200, null=True, blank=True, help_text="Enqueueing the same key again is a no-op"
    )
    # No foreign-key constraint in the database: a city-wide warning queues 30,000 rows in one
    # statement, and PostgreSQL's deferred checks of them at commit cost more than the insert.
    # Users are deactivated, never deleted (a deletion still nulls the field, through Django).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # indexed as the first column of outbox_due_in_order
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    gateway_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(
        max_length=100, blank=True, help_text="What caused it, e.g. cases.case:42"
    )
    # The SMS platform's part of the row (docs/sms.md): whose message it is, what it costs and
    # what the gateway said about it.
    area_code = models.CharField(max_length=20, blank=True)
    parts = models.PositiveSmallIntegerField(_("billed parts"), default=1)
    # indexed only where set (outbox_of_batch, outbox_of_template): most rows have neither
    batch = models.ForeignKey(
        "notify.SmsBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rows",
        db_index=False,
    )
    template = models.ForeignKey(
        "notify.SmsTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    gateway = models.CharField(max_length=30, blank=True)
    gateway_request = models.TextField(blank=True)
    gateway_response = models.TextField(blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=200, blank=True)

    personal_fields = ("destination",)
    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "dedupe_key"], name="outbox_dedupe_key_once_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "priority", "id"], name="outbox_due_in_order"),
            # Only sent rows count for a rate limit (its queries compare sent_at, which the
            # databases take to imply the condition): a warning's queued rows skip the index.
            models.Index(
                fields=["channel", "destination", "sent_at"],
                condition=Q(sent_at__isnull=False),
                name="outbox_rate",
            ),
            # Scope reads compare the code and its beginnings: on PostgreSQL one index with the
            # pattern operator class serves both (a plain CharField index makes two).
            models.Index(
                fields=["area_code"], name="outbox_area", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["batch"], condition=Q(batch__isnull=False), name="outbox_of_batch"
            ),
            models.Index(
                fields=["template"], condition=Q(template__isnull=False), name="outbox_of_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} {self.source}"


class DeliveryReport(models.Model):
    """One delivery report (DLR) the gateway sent for an outbox row, as it came."""

    message = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="reports")
    at = models.DateTimeField()
    kind = models.PositiveSmallIntegerField(help_text="Kannel's DLR type: 1 delivered, 2 failed…")
    text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.kind}"


class TemplateState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SmsTemplate(models.Model):
    """A text with {variables} and a 【signature】; only approved templates send."""

    area_code = models.CharField(max_length=20, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    signature = models.CharField(_("signature"), max_length=20)
    body = models.TextField(_("text"))
    provider_code = models.CharField(
        _("provider template id"), max_length=50, blank=True, help_text=_("e.g. SMS_123456")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=TemplateState.choices, default=TemplateState.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class GroupKind(models.TextChoices):
    USERS = "users", _("User group")
    CONTACTS = "contacts", _("Contact group")
    SMART = "smart", _("Smart group")


class SmsGroup(models.Model):
    """Recipients kept under a name: staff (users), outside contacts, or a query evaluated at
    send time (`query`: {"area": code, "role": role, "force_type": force}) through the scope of
    the person sending."""

    area_code = models.CharField(max_length=20, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    query = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SmsContact(models.Model):
    group = models.ForeignKey(SmsGroup, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20)

    personal_fields = ("phone",)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or mask_phone(self.phone)


class BatchState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")


class SmsBatch(models.Model):
    """A message composed on the SMS platform's pages, to many recipients; each recipient's copy
    is an outbox row. Archived and deleted are folders (a deleted batch can be restored)."""

    area_code = models.CharField(max_length=20, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"), blank=True)
    template = models.ForeignKey(
        SmsTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="batches"
    )
    variables = models.JSONField(default=dict, blank=True)
    # {"users": [ids], "groups": [ids], "areas": [codes], "roles": [roles], "numbers": [...]}
    recipients = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=BatchState.choices, default=BatchState.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    parts = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:30]


class OptOut(models.Model):
    """A number that asked for no more SMS (a STOP reply, or entered by staff). Never applied to
    warnings to staff."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    area_code = models.CharField(max_length=20, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    personal_fields = ("phone",)
    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reason or "opt-out"
