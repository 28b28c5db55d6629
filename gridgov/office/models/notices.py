from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet


class NoticeKind(models.TextChoices):
    NOTICE = "notice", _("Notice")  # 通知公告
    DYNAMIC = "dynamic", _("Work dynamics")  # 工作动态


class Notice(models.Model):
    """A notice or a piece of work dynamics, published by one level to its subtree (or to some
    roles in it). Each recipient gets a receipt row at publication: read and signed are counted
    from those rows."""

    kind = models.CharField(_("kind"), max_length=8, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=20, db_index=True, editable=False)
    roles = models.JSONField(default=list, blank=True, help_text="Empty: every role")
    requires_ack = models.BooleanField(_("acknowledgement required"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_extra_q(cls, user, action: str) -> Q:
        """A recipient sees the notice wherever it was published from (above them)."""
        return Q(pk__in=NoticeReceipt.objects.filter(user=user).values("notice_id"))


class NoticeReceipt(models.Model):
    """One recipient of a notice: when they read it and when they signed for it (签收)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    acked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="one_receipt_per_notice_user")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="office_receipt_user_read")]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.user_id}"
