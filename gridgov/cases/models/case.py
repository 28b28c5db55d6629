from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.permissions import Role
from gridgov.accounts.scope import ScopedQuerySet
from gridgov.cases.models.taxonomy import Grade
from gridgov.crypto.fields import BlindIndexField, SealedCharField, SealedModel


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    FILED = "filed", _("Filed")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLING = "handling", _("Handling")
    HANDLED = "handled", _("Handled")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", pgettext_lazy("case status", "Rejected")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")
    MERGED = "merged", _("Merged")


FINAL_STATUSES = {Status.CLOSED, Status.REJECTED, Status.CANCELLED, Status.MERGED}
OPEN_STATUSES = [s for s in Status if s not in FINAL_STATUSES]


class Channel(models.TextChoices):
    GRID_MEMBER = "grid_member", _("Grid member")
    HOTLINE = "hotline", _("Hotline")
    CITIZEN = "citizen", _("Citizen")
    SMS = "sms", _("SMS")
    API = "api", _("Other system")
    PORTAL = "portal", _("Public portal")
    OPEN311 = "open311", _("Open311 client")
    HOTLINE_12345 = "12345", _("12345 hotline work order")
    FEDERATION = "federation", _("Another level's platform")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class CardLevel(models.TextChoices):
    NONE = "", _("None")
    YELLOW = "yellow", _("Yellow card")
    RED = "red", _("Red card")


class CaseQuerySet(ScopedQuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class Case(SealedModel):
    """A reported problem and its whole life. `area_code` is its grid (or, before it is located, the
    area it was reported to); `level_code` is the command center that holds it now."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # No index of its own for category and department: the (category, created_at, lon, lat) and
    # (department, status) indexes below serve their look-ups, and every index is one more page
    # each report writes.
    category = models.ForeignKey(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    grade = models.CharField(
        _("event grade"), max_length=16, choices=Grade.choices, default=Grade.GENERAL
    )
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Looked up through the (area_code, status) and (level_code, status) indexes; PostgreSQL also
    # keeps a `_like` index on each for scope prefixes (migration 0011).
    area_code = models.CharField(max_length=20)
    needs_locating = models.BooleanField(_("needs locating"), default=False)
    level_code = models.CharField(max_length=20)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = SealedCharField(_("reporter's phone"), max_length=20, blank=True, kind="phone")
    reporter_phone_index = BlindIndexField(of="reporter_phone", db_index=True)
    # A key is unique per reporter (or, for reports without an account, per channel): another
    # user's key never finds this case.
    idempotency_scope = models.CharField(max_length=40, blank=True, default="")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        db_index=False,  # the partial index below: nobody is assigned when a case is reported
    )
    stage = models.CharField(max_length=12, blank=True)
    stage_started_at = models.DateTimeField(null=True, blank=True)
    stage_deadline = models.DateTimeField(null=True, blank=True)
    stage_red_at = models.DateTimeField(null=True, blank=True)
    stage_card = models.CharField(max_length=8, choices=CardLevel.choices, default="", blank=True)
    status_before_suspension = models.CharField(max_length=16, blank=True)
    supervised = models.BooleanField(_("under supervision"), default=False)
    escalations = models.PositiveSmallIntegerField(default=0)
    self_handled = models.BooleanField(_("handled on the spot"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        db_index=False,  # the partial index below holds only the few duplicates
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()
    scope_field = "area_code"
    personal_fields = ("reporter_phone", "reporter_name")
    change_log_exclude = ("reporter_phone_index",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        indexes = [
            models.Index(fields=["status", "stage_deadline"]),
            models.Index(fields=["status", "stage_red_at"]),
            models.Index(fields=["area_code", "status"]),
            models.Index(
                fields=["department", "status"],
                condition=models.Q(department__isnull=False),
                name="case_department_status_set",
            ),
            models.Index(fields=["level_code", "status"]),
            # A category's cases newest first (Open311 `GET requests` by service_code), and near
            # in space and time (likely duplicates): created_at before the point, so a page of a
            # category's newest cases is read in order from the index.
            models.Index(fields=["category", "created_at", "lon", "lat"]),
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="case_duplicate_of_set",
            ),
            models.Index(
                fields=["assignee"],
                condition=models.Q(assignee__isnull=False),
                name="case_assignee_set",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                name="case_idempotency_key_per_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The case number people quote: the report date and the row id, e.g. 20261124-1042."""
        if not (self.pk and self.created_at):
            return ""
        return f"{timezone.localtime(self.created_at):%Y%m%d}-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES

    @classmethod
    def scope_extra_q(cls, user, action):
        """A department sees what is dispatched to it or what it was summoned to (吹哨报到); a
        reporter sees what they reported."""
        q = Q(reporter_id=user.pk)
        if user.role == Role.DEPARTMENT_HANDLER and user.department_id:
            from gridgov.cases.models.sla import WhistleCall

            summoned = WhistleCall.objects.filter(department_id=user.department_id)
            q |= Q(department_id=user.department_id) | Q(pk__in=summoned.values("case_id"))
        return q
