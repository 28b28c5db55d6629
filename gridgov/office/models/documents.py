from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet


class Urgency(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("office", "Normal")  # 平件
    URGENT = "urgent", pgettext_lazy("office", "Urgent")  # 加急
    EXTRA = "extra", _("Extra urgent")  # 特急


class Secrecy(models.TextChoices):
    """Only these two may be stored: classified documents (秘密, 机密, 绝密) never enter the
    platform (see services.documents.CLASSIFIED)."""

    NONE = "none", _("Not classified")  # 非密
    INTERNAL = "internal", _("Internal")  # 内部


class DocStatus(models.TextChoices):
    RECEIVED = "received", _("Awaiting signature")  # 待签收
    SIGNED = "signed", _("Signed for")  # 已签收
    REGISTERED = "registered", pgettext_lazy("office", "Registered")  # 已登记
    ASSIGNED = "assigned", _("Being handled")  # 承办中
    REPLIED = "replied", _("Replied")  # 已答复
    CLOSED = "closed", pgettext_lazy("office", "Closed")  # 办结


class RecipientKind(models.TextChoices):
    MAIN = "main", _("Main recipient")  # 主送
    COPY = "copy", _("Copied recipient")  # 抄送


class Document(models.Model):
    """An incoming official document (收文) held by one level's office, addressed to units below
    or beside it, signed for, registered, handled by a lead unit and circulated to readers."""

    number = models.CharField(_("document number"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    issuing_unit = models.CharField(_("issuing unit"), max_length=100)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.CharField(
        _("secrecy level"), max_length=8, choices=Secrecy.choices, default=Secrecy.NONE
    )
    summary = models.TextField(_("summary"), blank=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=20, db_index=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=DocStatus.choices, default=DocStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    register_number = models.CharField(_("registration number"), max_length=40, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    lead_area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_code = models.CharField(max_length=20, blank=True, db_index=True)
    lead_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"], name="office_doc_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @classmethod
    def scope_extra_q(cls, user, action: str) -> Q:
        """Besides the holding office: its recipients, its lead unit and its readers."""
        from gridgov.accounts.scope import restrict

        q = Q(pk__in=DocumentReader.objects.filter(user=user).values("document_id"))
        recipients = restrict(DocumentRecipient.objects.all(), user, action, field="area_code")
        q |= Q(pk__in=recipients.values("document_id"))
        q |= Q(pk__in=restrict(cls.objects.all(), user, action, field="lead_code").values("pk"))
        if getattr(user, "department_id", None):
            q |= Q(lead_department_id=user.department_id)
            q |= Q(
                pk__in=DocumentRecipient.objects.filter(department_id=user.department_id).values(
                    "document_id"
                )
            )
        return q

    @property
    def overdue(self) -> bool:
        return bool(
            self.deadline
            and self.status in (DocStatus.ASSIGNED,)
            and self.deadline < timezone.now()
        )


class DocumentRecipient(models.Model):
    """A unit the document is addressed to (an area's office or a department) and when it
    signed."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(max_length=4, choices=RecipientKind.choices)
    area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(max_length=20, blank=True, db_index=True)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.kind} {self.area_code or self.department_id}"

    @property
    def unit_name(self) -> str:
        if self.department_id:
            return self.department.name
        return self.area.name if self.area_id else self.area_code


class DocumentReader(models.Model):
    """A person the document is circulated to (传阅), and when they read it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="readers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="one_reader_per_document")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.user_id}"


class DocumentEvent(models.Model):
    """One step of a document's circulation, written with the change it records."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.action}"
