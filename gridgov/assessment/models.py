"""Assessment data: one fact row per case (derived from its timeline), monthly and daily tallies
rolled up from the facts for every area level, department and staff member, snapshots of what
is open now, schemes (weights as data) and frozen monthly reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet

# Counts kept per case and summed per unit. Each indicator is a ratio of two of these.
MEASURES = (
    "reports",  # cases reported
    "public_reports",  # reported by citizens, the hotline, SMS or another system
    "judged",  # validity decided (accepted or rejected)
    "accepted",
    "valid",  # accepted or handled on the spot
    "public_valid",
    "self_handled",
    "filed",
    "voided",  # filed, then cancelled
    "dispatched",  # cases dispatched at least once
    "returned",  # dispatches sent back as wrong
    "handled",  # cases whose handling was reported done
    "reworked",  # cases sent back for rework at least once
    "closed",
    "escalations",
    "yellow_cards",
    "red_cards",
    "satisfaction_sum",
    "satisfaction_count",
    "accept_done",
    "accept_on_time",
    "file_done",
    "file_on_time",
    "dispatch_done",
    "dispatch_on_time",
    "handle_done",
    "handle_on_time",
    "verify_done",
    "verify_on_time",
    "close_done",
    "close_on_time",
    "registry_updates",  # staff only: registry records changed
    "visits",  # staff only: key-population visits recorded
    "whistle_calls",  # departments only: summoned to a case on site (吹哨)
    "whistle_on_time",  # departments only: reported on site (报到) within the time given
    "tasks_due",  # staff only: field tasks (not visits) due in the month, or done in it
    "tasks_on_time",  # staff only: of those, done by their due time
    "visits_due",  # staff only: due visits (visit tasks) due in the month, or done in it
    "visits_on_time",  # staff only: of those, visited by their due time
    "diary_reviewed",  # staff only: work-diary entries of the month a supervisor rated
    "diary_rating_sum",  # staff only: the sum of those ratings (1–5 each)
)

# Results of field work (gridgov.patrol), never activity: on-time tasks and visits, diary quality.
FIELD_WORK_MEASURES = (
    "tasks_due",
    "tasks_on_time",
    "visits_due",
    "visits_on_time",
    "diary_reviewed",
    "diary_rating_sum",
)
STAGES = ("accept", "file", "dispatch", "handle", "verify", "close")


def _measure_columns() -> dict:
    return {name: models.IntegerField(default=0) for name in MEASURES}


MeasureColumns = type(
    "MeasureColumns",
    (models.Model,),
    {"__module__": __name__, "Meta": type("Meta", (), {"abstract": True}), **_measure_columns()},
)


class CaseFact(MeasureColumns):
    """A case reduced to numbers, rebuilt whenever its timeline grows. Cases are counted in the
    month they were reported (their cohort), so a month's rates never exceed 100%."""

    case_id = models.BigIntegerField(primary_key=True)
    month = models.CharField(max_length=7)  # YYYY-MM, local time
    day = models.CharField(max_length=10)  # YYYY-MM-DD, local time
    closed_day = models.CharField(max_length=10, blank=True)
    area_code = models.CharField(max_length=20)
    department_id = models.BigIntegerField(null=True)
    reporter_id = models.BigIntegerField(null=True)
    category_code = models.CharField(max_length=10, blank=True)
    major_code = models.CharField(max_length=10, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        indexes = [
            models.Index(fields=["month", "area_code"]),
            models.Index(fields=["area_code", "month"]),
            models.Index(fields=["department_id", "month"]),
            models.Index(fields=["reporter_id", "month"]),
            models.Index(fields=["day"]),
            models.Index(fields=["closed_day"]),
        ]


class UnitKind(models.TextChoices):
    AREA = "area", pgettext_lazy("unit kind", "Area")
    DEPARTMENT = "department", pgettext_lazy("unit kind", "Department")
    STAFF = "staff", pgettext_lazy("unit kind", "Staff member")


class Tally(MeasureColumns):
    """The measures of one unit in one month: an area (any level), a department, a person."""

    month = models.CharField(max_length=7)
    unit_kind = models.CharField(max_length=12, choices=UnitKind.choices)
    unit_key = models.CharField(max_length=20)  # area code, department id or user id
    level = models.CharField(max_length=32, blank=True)  # area level, or the person's role
    area_code = models.CharField(max_length=20)  # where the unit sits (scope)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit_kind", "month", "unit_key"], name="tally_unit")
        ]
        indexes = [
            models.Index(fields=["unit_kind", "unit_key", "month"]),
            models.Index(fields=["unit_kind", "level", "month", "unit_key"]),
        ]


# Business-line results per area and month (gridgov.lines), rolled up apart from the case facts:
# disputes whose mediation ended and those mediated successfully (by the month it ended),
# hazards whose rectification fell due and those rectified by their deadline, special-population
# visits that fell due and those made by their due time (by the month they fell due).
LINE_MEASURES = (
    "mediation_ended",
    "mediation_success",
    "rectify_due",
    "rectify_on_time",
    "special_visits_due",
    "special_visits_on_time",
)


class LineTally(models.Model):
    """The business lines' figures of one area (any level) in one local month: unit figures for
    the desk, never per person."""

    month = models.CharField(max_length=7)
    area_code = models.CharField(max_length=20)
    level = models.CharField(max_length=32, blank=True)
    mediation_ended = models.IntegerField(default=0)
    mediation_success = models.IntegerField(default=0)
    rectify_due = models.IntegerField(default=0)
    rectify_on_time = models.IntegerField(default=0)
    special_visits_due = models.IntegerField(default=0)
    special_visits_on_time = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_code", "month"], name="line_tally_area_month")
        ]
        indexes = [models.Index(fields=["level", "month", "area_code"])]

    def __str__(self) -> str:
        return f"{self.area_code} {self.month}"


class DailyTally(models.Model):
    """Reports and closings per day for the areas above the grid, for trend lines."""

    day = models.CharField(max_length=10)
    area_code = models.CharField(max_length=20)
    reports = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area_code", "day"], name="daily_area")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.day}"


class CategoryTally(models.Model):
    """Reports per major class, month and area above the grid (the cockpit's top classes)."""

    month = models.CharField(max_length=7)
    area_code = models.CharField(max_length=20)
    major_code = models.CharField(max_length=10)
    reports = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        indexes = [models.Index(fields=["area_code", "month"])]

    def __str__(self) -> str:
        return f"{self.area_code} {self.month} {self.major_code}"


class AreaSnapshot(models.Model):
    """What stands now in an area: open and overdue cases, open red cards, and the registry's
    figures. Rebuilt by the roll-up job; `rolled_at` tells the reader how fresh it is."""

    area_code = models.CharField(max_length=20, primary_key=True)
    level = models.CharField(max_length=12)
    open = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    red_open = models.IntegerField(default=0)
    people = models.IntegerField(default=0)
    registry = models.JSONField(default=dict)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    def __str__(self) -> str:
        return self.area_code


class RollupState(models.Model):
    """How far the roll-up has read: the last timeline entry and when it ran."""

    name = models.CharField(max_length=20, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    last_card_id = models.BigIntegerField(default=0)
    rolled_at = models.DateTimeField(null=True)
    registry_rolled_at = models.DateTimeField(null=True)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return self.name


class Scheme(models.Model):
    """A composite score for one kind of unit: weighted indicators, each scored 0–100 as a rate,
    as one minus a rate, or by bands of a count. Administrators edit the items; the standard's
    weights are the seed."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    unit_kind = models.CharField(_("unit kind"), max_length=12, choices=UnitKind.choices)
    levels = models.CharField(
        _("levels or roles"), max_length=120, help_text=_("Comma-separated; empty for all.")
    )
    items = models.JSONField(_("items"), default=list)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_kind", "code"]
        verbose_name = _("scheme")

    def __str__(self) -> str:
        return self.name


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class MonthlyReport(models.Model):
    """An area's assessment of one month. While a draft it is computed live; publishing freezes
    the figures in `data`, so later edits to cases do not change a published month."""

    area_code = models.CharField(max_length=20)
    month = models.CharField(max_length=7)
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default="draft")
    data = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-month", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "month"], name="report_area_month")
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.month}"
