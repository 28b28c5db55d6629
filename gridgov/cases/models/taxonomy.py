from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    EVENT = "event", _("Event")
    COMPONENT = "component", _("Component")


class Category(models.Model):
    """A class of the case taxonomy (GB/T 30428.2): a major class, or a minor class under it."""

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("E… for events, C… for components, then the class code."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=CategoryKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    department_line = models.CharField(_("default department line"), max_length=50, blank=True)
    filing_condition = models.CharField(_("filing condition"), max_length=500, blank=True)
    closing_condition = models.CharField(_("closing condition"), max_length=500, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    natural_time = models.BooleanField(_("emergency: natural time"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("category")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_major(self) -> bool:
        return self.parent_id is None


class Stage(models.TextChoices):
    """The timed stages of the loop (GB/T 30428.8): each has its own deadline."""

    ACCEPT = "accept", _("Acceptance")
    FILE = "file", _("Filing")
    DISPATCH = "dispatch", _("Dispatch")
    HANDLE = "handle", _("Handling")
    VERIFY = "verify", _("Verification")
    CLOSE = "close", _("Closing")


class TimeUnit(models.TextChoices):
    MINUTE = "minute", _("working minutes")
    WORK_HOUR = "work_hour", _("working hours")
    WORK_DAY = "work_day", _("working days")
    NATURAL_HOUR = "natural_hour", _("hours")
    NATURAL_DAY = "natural_day", _("days")


class Grade(models.TextChoices):
    """Event grades (突发事件分级): each class and grade may have its own limits and handling."""

    GENERAL = "general", _("General (一般)")
    LARGER = "larger", _("Larger (较大)")
    MAJOR = "major", _("Major (重大)")
    EXTRAORDINARY = "extraordinary", _("Extraordinary (特别重大)")


class HandlingLevel(models.TextChoices):
    NONE = "", _("Where it was reported")
    STREET = "street", _("At least the street")
    DISTRICT = "district", _("The district")


class TimeLimit(models.Model):
    """A rule (class, grade, area class, stage) → amount and unit. An empty class, grade or area
    class matches all; the most specific rule wins."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="limits",
        verbose_name=_("category"),
    )
    grade = models.CharField(_("event grade"), max_length=16, choices=Grade.choices, blank=True)
    area_class = models.CharField(_("area class"), max_length=1, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("time unit"), max_length=16, choices=TimeUnit.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "grade", "area_class", "stage"], name="one_limit_per_rule"
            )
        ]
        verbose_name = _("time limit")

    def __str__(self) -> str:
        who = f"{self.category or '*'} {self.grade or '*'} {self.area_class or '*'}"
        return f"{who} {self.stage}: {self.amount} {self.unit}"


class GradeRule(models.Model):
    """How a class (or every class) is handled at a grade: counted in natural time, and held at
    least at a level (a major event goes to the district at once)."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grade_rules",
        verbose_name=_("category"),
    )
    grade = models.CharField(_("event grade"), max_length=16, choices=Grade.choices)
    natural_time = models.BooleanField(_("emergency: natural time"), default=False)
    handling_level = models.CharField(
        _("handled at"), max_length=16, choices=HandlingLevel.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "grade"], name="one_grade_rule_per_class")
        ]
        verbose_name = _("grade rule")

    def __str__(self) -> str:
        return f"{self.category or '*'} {self.grade}"
