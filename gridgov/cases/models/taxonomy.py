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


class TimeLimit(models.Model):
    """A rule (class, area class, stage) → amount and unit. An empty class or area class
    matches all;
    the most specific rule wins."""

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="limits"
    )
    area_class = models.CharField(max_length=1, blank=True)
    stage = models.CharField(max_length=12, choices=Stage.choices)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=16, choices=TimeUnit.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area_class", "stage"], name="one_limit_per_rule"
            )
        ]

    def __str__(self) -> str:
        who = f"{self.category or '*'} {self.area_class or '*'}"
        return f"{who} {self.stage}: {self.amount} {self.unit}"
