from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet


class CardKind(models.TextChoices):
    YELLOW = "yellow", _("Yellow card")
    RED = "red", _("Red card")


class Card(models.Model):
    """A card: a stage's deadline passed (yellow), or passed by its limit again (red)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(max_length=8, choices=CardKind.choices)
    stage = models.CharField(max_length=12)
    deadline = models.DateTimeField()
    raised_at = models.DateTimeField(db_index=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    level_code = models.CharField(max_length=20, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cards",
    )
    escalated = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage", "kind", "deadline"], name="one_card_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} {self.stage}"


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")
    SUSPENSION = "suspension", _("Suspension")
    CANCELLATION = "cancellation", _("Cancellation")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class CaseRequest(models.Model):
    """A request a dispatcher approves: more time (延期), parking (挂账), voiding (作废)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Working hours asked for (extensions)."
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        max_length=8, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} {self.status}"


class Supervision(models.Model):
    """督办: a higher level watches a case, with its own deadline."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="supervisions")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    level_code = models.CharField(max_length=20)
    deadline = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"supervision {self.case_id}"


class WorkdayOverride(models.Model):
    """A local correction of the working calendar: a day off or an extra working day."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'work' if self.is_workday else 'off'}"


class CalendarYear(models.Model):
    """A year whose holidays an administrator entered (the holiday package does not know it).

    Deadlines in a year that neither the package nor this table knows are estimated from
    Monday–Friday, and the platform says so wherever they are shown."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.TextField(_("holiday notice"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class WhistleCall(models.Model):
    """吹哨报到: a street (or the district) summons a department to a case on site; the department
    must report (报到) by `due_at`. One row per summoned department and whistle."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="whistle_calls")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="whistle_calls"
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(_("summoned at"))
    due_at = models.DateTimeField(_("report by"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["called_at", "id"]
        indexes = [models.Index(fields=["department", "reported_at"])]

    def __str__(self) -> str:
        return f"whistle {self.case_id} {self.department_id}"

    @property
    def on_time(self) -> bool | None:
        return None if self.reported_at is None else self.reported_at <= self.due_at
