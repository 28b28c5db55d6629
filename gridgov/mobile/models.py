"""Models of the mobile part."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet
from gridgov.crypto.fields import SealedCharField, SealedModel


class Upload(models.Model):
    """A file the phone sends in chunks, so that an upload cut by a weak signal goes on from the
    last chunk the server acknowledged instead of from the start. The phone names it (a UUID kept
    in its outbox); it belongs to the user who started it and is used once, by an attachment
    endpoint (a case photo or voice note), then removed."""

    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    size = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id} {self.received}/{self.size}"

    @property
    def complete(self) -> bool:
        return self.received == self.size


class CorrectionKind(models.TextChoices):
    PERSON = "person", _("Person")
    HOUSE = "house", _("House")


class CorrectionState(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFLICT = "conflict", _("Conflict")
    MINE = "mine", _("Resolved: the member's values applied")
    DESK = "desk", _("Resolved: the desk's values kept")


class Correction(SealedModel):
    """A correction of a registry record made on the phone (maybe offline), named by the UUID the
    phone made for it: the same UUID sent twice is applied once. It carries the version (the
    record's `updated_at`) the member saw; when the record changed since (a desk edit), nothing
    is written to the record and the row waits as a conflict the member resolves. A new phone
    number is kept sealed; the desk's values are kept masked, for the side-by-side view."""

    id = models.UUIDField(primary_key=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_corrections"
    )
    kind = models.CharField(max_length=10, choices=CorrectionKind.choices)
    record_id = models.PositiveBigIntegerField()
    record_label = models.CharField(max_length=100, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    base_version = models.DateTimeField()
    # The member's values, except a phone number (sealed below).
    values = models.JSONField(default=dict)
    phone = SealedCharField(max_length=20, blank=True, kind="phone")
    # At the conflict: the record's values of the same fields (masked) and its last change.
    desk_values = models.JSONField(default=dict)
    desk_changed_by = models.CharField(max_length=150, blank=True)
    desk_changed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=CorrectionState.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        indexes = [models.Index(fields=["author", "state"])]

    def __str__(self) -> str:
        return f"correction {self.id} ({self.kind} {self.record_id})"
