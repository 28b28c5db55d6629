from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    destination = models.CharField(max_length=200, help_text="A phone number, URL or node")
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.CASE_STEP
    )
    dedupe_key = models.CharField(
        max_length=200, null=True, blank=True, help_text="Enqueueing the same key again is a no-op"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
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

    personal_fields = ("destination",)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "dedupe_key"], name="outbox_dedupe_key_once_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "priority", "id"], name="outbox_due_in_order"),
            models.Index(fields=["channel", "destination", "sent_at"], name="outbox_rate"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} {self.source}"
