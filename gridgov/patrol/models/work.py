"""Models of field work: tasks (任务), visit evidence (走访), visit intervals and the work diary
(民情日记). Every row carries the area code it belongs to (`scope_field`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet

__all__ = [
    "DEFAULT_VISIT_DAYS",
    "DiaryEntry",
    "DiaryTag",
    "FieldVisit",
    "Task",
    "TaskKind",
    "TaskStatus",
    "VisitInterval",
]


class TaskKind(models.TextChoices):
    PATROL = "patrol", _("Patrol a place")
    VISIT = "visit", _("Visit a household")
    CHECK = "check", _("Check a report")
    COLLECT = "collect", _("Collect or verify data")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """One task for one member. Assigning to all members of an area makes one task each,
    sharing a `batch`."""

    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_tasks"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.CharField(max_length=36, blank=True, db_index=True)
    due = models.DateTimeField(_("due"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_tag = models.ForeignKey(
        "registry.KeyPopulationTag",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A due special-population visit (business lines): done when that visit is recorded.
    special_record = models.ForeignKey(
        "lines.SpecialRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    photo = models.FileField(upload_to="patrol/tasks/%Y/%m/", blank=True)
    completion_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("task")
        indexes = [models.Index(fields=["assignee", "status", "due"])]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        if self.status == TaskStatus.DONE:
            return bool(self.completed_at and self.completed_at > self.due)
        return self.status == TaskStatus.OPEN and timezone.now() > self.due

    @property
    def on_time(self) -> bool:
        return self.status == TaskStatus.DONE and bool(
            self.completed_at and self.completed_at <= self.due
        )


# Days between visits by key-population category, unless the settings table says otherwise.
DEFAULT_VISIT_DAYS: dict[str, int] = {
    "correction": 7,
    "released": 30,
    "drug": 14,
    "mental": 7,
    "petitioner": 14,
    "elderly_alone": 7,
    "disabled": 30,
    "low_income": 30,
    "left_behind_child": 30,
}


class VisitInterval(models.Model):
    """The settings table: how often a key population of one category is visited."""

    category = models.CharField(_("key population category"), max_length=20, unique=True)
    days = models.PositiveSmallIntegerField(_("visit every (days)"))

    class Meta:
        ordering = ["category"]
        verbose_name = _("visit interval")

    def __str__(self) -> str:
        return f"{self.category}: {self.days}"


class FieldVisit(models.Model):
    """The phone's evidence of a registry visit: where it was recorded and how far that is from
    the household's building (flagged when farther than GRIDGOV_VISIT_FAR_METRES)."""

    visit = models.OneToOneField(
        "registry.Visit", on_delete=models.CASCADE, related_name="field_evidence"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    distance_m = models.FloatField(_("distance from the building (m)"), null=True, blank=True)
    far = models.BooleanField(_("recorded far from the building"), default=False)
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    area_code = models.CharField(max_length=20, db_index=True)
    # A voice note recorded with the visit (checked by its content, size-limited).
    voice = models.FileField(upload_to="patrol/visits/voice/%Y/%m/", blank=True)
    voice_type = models.CharField(max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-id"]
        verbose_name = _("visit evidence")

    def __str__(self) -> str:
        return f"visit {self.visit_id}"


class DiaryTag(models.TextChoices):
    OPINION = "minqing", _("Public sentiment")
    WISHES = "minyi", _("Public opinion")
    DISPUTE = "dispute", _("Conflict or dispute")
    HAZARD = "hazard", _("Safety hazard")
    SERVICE = "service", _("Service")


class DiaryEntry(models.Model):
    """An entry of a member's work diary (民情日记), reviewed and rated by a supervisor."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="diary_entries"
    )
    area_code = models.CharField(max_length=20, db_index=True)
    day = models.DateField(_("day"), db_index=True)
    text = models.TextField(_("text"))
    tags = models.CharField(_("tags"), max_length=60, blank=True)  # comma-separated DiaryTag
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    photo = models.FileField(upload_to="patrol/diary/%Y/%m/", blank=True)
    voice = models.FileField(upload_to="patrol/diary/voice/%Y/%m/", blank=True)
    voice_type = models.CharField(max_length=20, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    made_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("diary entry")

    def __str__(self) -> str:
        return f"{self.author_id} {self.day}"

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    def tag_labels(self) -> list[str]:
        labels = dict(DiaryTag.choices)
        return [str(labels.get(t, t)) for t in self.tag_list]
