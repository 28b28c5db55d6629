from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.audit.chain import AppendOnlyQuerySet, ChainedLog, mac


class ChangeAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("audit action", "Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", pgettext_lazy("audit action", "Deleted")
    MOVE = "move", _("Moved")
    RETIRE = "retire", _("Retired")
    IMPORT = "import", _("Imported")
    MERGE = "merge", _("Merged")


class ChangeLog(ChainedLog):
    """One change to one object: who, when, before and after (personal fields masked)."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    action = models.CharField(max_length=16, choices=ChangeAction.choices)
    object_type = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    area_code = models.CharField(max_length=20, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()
    scope_field = "area_code"
    chain_fields = (
        "time",
        "actor_name",
        "request_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "area_code",
        "before",
        "after",
        "note",
    )

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class AccessLog(ChainedLog):
    """One read of unmasked personal data: who, whose record, which fields, why, from where."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=16, default="view")
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_repr = models.CharField(max_length=200, blank=True)
    fields = models.JSONField(default=list)
    record_count = models.PositiveIntegerField(default=1)
    reason = models.CharField(max_length=500, blank=True)
    area_code = models.CharField(max_length=20, blank=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()
    scope_field = "area_code"
    chain_fields = (
        "time",
        "actor_name",
        "request_id",
        "client_ip",
        "purpose",
        "subject_type",
        "subject_id",
        "subject_repr",
        "fields",
        "record_count",
        "reason",
        "area_code",
    )

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} {self.subject_repr}"


class ChainAnchor(models.Model):
    """Where a chained log starts after retention removed its oldest rows: the id and hash of the
    last row removed. Keyed like the rows, so it cannot be moved without the key."""

    chain = models.CharField(max_length=100, unique=True)
    start_after_id = models.BigIntegerField()
    start_hash = models.CharField(max_length=64)
    moved_at = models.DateTimeField(default=timezone.now)
    mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} after {self.start_after_id}"

    def _content(self) -> bytes:
        return f"anchor|{self.chain}|{self.start_after_id}".encode()

    def intact(self) -> bool:
        return constant_time_compare(self.mac, mac(self.start_hash, self._content()))

    @classmethod
    def move(cls, chain: str, *, start_after_id: int, start_hash: str) -> "ChainAnchor":
        anchor = cls.objects.filter(chain=chain).first() or cls(chain=chain)
        anchor.start_after_id = start_after_id
        anchor.start_hash = start_hash
        anchor.moved_at = timezone.now()
        anchor.mac = mac(start_hash, anchor._content())
        anchor.save()
        return anchor
