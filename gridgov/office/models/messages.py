from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ConversationKind(models.TextChoices):
    DIRECT = "direct", _("One-to-one")
    GROUP = "group", _("Group")
    AREA = "area", _("Area channel")


class ShareKind(models.TextChoices):
    CASE = "case", _("Case")
    PERSON = "person", _("Person")
    WARNING = "warning", _("Warning")


class Conversation(models.Model):
    """A one-to-one or group conversation (its members are rows), or the channel of an area (its
    members are the staff whose scope lies in the area, whoever they are at the time)."""

    kind = models.CharField(max_length=8, choices=ConversationKind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(max_length=20, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_id = models.BigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=Q(kind="area"), name="one_channel_per_area"
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.kind} {self.pk}"


class ConversationMember(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class StaffMessage(models.Model):
    """One message: one row, whoever reads it (each reader's flags are a UserMessage)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_name = models.CharField(max_length=150)
    body = models.TextField(blank=True)
    share_kind = models.CharField(max_length=8, choices=ShareKind.choices, blank=True)
    share_id = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "id"], name="office_msg_conv")]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.pk}"


class UserMessage(models.Model):
    """One (reader, message) pair with the reader's flags. Unread counts read only the index
    entries of unread rows, so they stay fast however long the history grows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(StaffMessage, on_delete=models.CASCADE, related_name="flags")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    read = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="one_flag_per_user_message")
        ]
        indexes = [
            # Counting a user's unread rows walks only those rows of this index (a partial
            # index would not serve: the flag arrives as a query parameter).
            models.Index(fields=["user", "read", "conversation"], name="office_unread"),
            models.Index(fields=["user", "id"], name="office_flag_user_id"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.message_id}"
