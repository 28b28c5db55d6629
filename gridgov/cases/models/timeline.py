from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet


class CaseEvent(models.Model):
    """One step in a case's life, written in the same transaction as the change it records.
    Indicators are computed from these rows: keep them rich and never rewrite them."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=24)  # looked up through the (action, time) index
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the partial index below: most steps have no department
    )
    # Looked up through the (area_code, time) index (and on PostgreSQL a `_like` index for scope
    # prefixes, migration cases/0011).
    area_code = models.CharField(max_length=20)
    level_code = models.CharField(max_length=20, blank=True)
    stage = models.CharField(
        max_length=12, blank=True, help_text="The stage this step completed, if any."
    )
    deadline = models.DateTimeField(null=True, blank=True, help_text="That stage's deadline.")
    on_time = models.BooleanField(
        null=True, help_text="Whether the stage was completed by its deadline."
    )
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["time", "id"]
        indexes = [
            models.Index(fields=["action", "time"]),
            models.Index(fields=["area_code", "time"]),
            models.Index(
                fields=["department"],
                condition=models.Q(department__isnull=False),
                name="caseevent_department_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.time:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        from gridgov.cases.machine import EVENT_LABELS, TRANSITIONS

        known = TRANSITIONS.get(self.action)
        return str(known.label if known else EVENT_LABELS.get(self.action, self.action))

    @property
    def to_status_label(self) -> str:
        from gridgov.cases.models.case import Status

        return (
            str(Status(self.to_status).label) if self.to_status in Status.values else self.to_status
        )


class AttachmentKind(models.TextChoices):
    REPORT = "report", _("Report photo")
    BEFORE = "before", _("Before handling")
    AFTER = "after", _("After handling")
    OTHER = "other", _("Other")


class Attachment(models.Model):
    """A photo: the original for staff, a copy without metadata for public views, a thumbnail."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(
        max_length=8, choices=AttachmentKind.choices, default=AttachmentKind.REPORT
    )
    original = models.FileField(upload_to="cases/original/%Y/%m/")
    public = models.FileField(upload_to="cases/public/%Y/%m/")
    thumbnail = models.FileField(upload_to="cases/thumb/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class VoiceNote(models.Model):
    """A short recording added to a case (WebM, Ogg, MP4 or WAV, checked by its content)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="voice_notes")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="voice_notes"
    )
    file = models.FileField(upload_to="cases/voice/%Y/%m/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} voice {self.pk}"
