from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")

    @classmethod
    def order(cls) -> list[str]:
        return [cls.CITY, cls.DISTRICT, cls.STREET, cls.COMMUNITY, cls.GRID]

    @classmethod
    def parent_of(cls, level: str) -> str | None:
        order = cls.order()
        i = order.index(level)
        return order[i - 1] if i > 0 else None

    @classmethod
    def child_of(cls, level: str) -> str | None:
        order = cls.order()
        i = order.index(level)
        return order[i + 1] if i + 1 < len(order) else None

    @classmethod
    def allowed_parents(cls, level: str) -> set[str]:
        parent = cls.parent_of(level)
        return {parent} if parent else set()


class GridKind(models.TextChoices):
    REGULAR = "regular", _("Regular grid")
    SCHOOL = "school", _("School grid")
    HOSPITAL = "hospital", _("Hospital grid")
    MARKET = "market", _("Market grid")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park grid")
    OTHER_SPECIAL = "other_special", _("Other special grid")


class Risk(models.TextChoices):
    NONE = "", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AreaQuerySet(ScopedQuerySet):
    def active(self) -> "AreaQuerySet":
        return self.filter(valid_to__isnull=True)

    def grids(self) -> "AreaQuerySet":
        return self.filter(level=Level.GRID)


class Area(models.Model):
    """One node of the area tree; a grid is an Area of level `grid`.

    The boundary is GeoJSON (WGS-84) with its bounding box beside it so that map layers and the
    locator read plain columns. Retired areas keep their row and code: old records still name them.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(
        _("grid kind"), max_length=20, choices=GridKind.choices, default=GridKind.REGULAR
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default="", blank=True)
    area_class = models.CharField(
        _("area class"),
        max_length=1,
        choices=[("A", _("A: core area")), ("B", _("B: general area")), ("C", _("C: other area"))],
        default="B",
        help_text=_("Time limits of cases differ by area class (GB/T 30428)."),
    )
    geometry = models.JSONField(_("boundary"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    label_lon = models.FloatField(null=True, blank=True)
    label_lat = models.FloatField(null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    geometry_updated_at = models.DateTimeField(null=True, blank=True)

    objects = AreaQuerySet.as_manager()
    scope_field = "code"
    change_log_exclude = ("geometry", "updated_at", "geometry_updated_at")

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=models.Q(valid_to__isnull=True),
                name="area_unique_active_name_per_parent",
            )
        ]
        indexes = [models.Index(fields=["level", "valid_to", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def retired(self) -> bool:
        return self.valid_to is not None

    @property
    def is_special(self) -> bool:
        return self.kind != GridKind.REGULAR

    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors, derived from the code itself (no queries)."""
        widths = [4, 6, 9, 12]
        return [self.code[:w] for w in widths if w < len(self.code)]


class BoundaryVersion(models.Model):
    """A former boundary of an area and the time it held, so old records keep their map."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="boundary_versions")
    geometry = models.JSONField()
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-valid_to"]

    def __str__(self) -> str:
        return f"{self.area} until {self.valid_to:%Y-%m-%d}"
