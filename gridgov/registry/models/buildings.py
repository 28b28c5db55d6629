from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    MIXED = "mixed", _("Mixed use")
    OFFICE = "office", _("Office")
    INDUSTRIAL = "industrial", _("Industrial")
    PUBLIC = "public", _("Public service")
    OTHER = "other", _("Other")


class Building(models.Model):
    """A building (楼栋) at a standard address, with its grid found by the locator."""

    code = models.CharField(_("building code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("standard address"), max_length=200)
    use = models.CharField(
        _("use"), max_length=16, choices=BuildingUse.choices, default=BuildingUse.RESIDENTIAL
    )
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    rooms_per_floor = models.PositiveSmallIntegerField(_("rooms per floor and unit"), default=2)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    manager = models.CharField(_("property manager"), max_length=100, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["area_code", "code"]
        verbose_name = _("building")
        indexes = [models.Index(fields=["lon", "lat"])]

    def __str__(self) -> str:
        return self.name


class HouseUse(models.TextChoices):
    RESIDENCE = "residence", _("Residence")
    SHOP = "shop", _("Shop")
    OFFICE = "office", _("Office")
    WAREHOUSE = "warehouse", _("Warehouse")
    OTHER = "other", _("Other")


class HouseState(models.TextChoices):
    OWNER_OCCUPIED = "owner", _("Owner-occupied")
    RENTED = "rented", _("Rented")
    VACANT = "vacant", _("Vacant")
    BUSINESS = "business", _("Used for business")
    UNKNOWN = "unknown", _("Unknown")


class House(models.Model):
    """A house (房屋): one room of a building, by unit, floor and room number."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="houses")
    code = models.CharField(_("house code"), max_length=48, unique=True)
    unit = models.PositiveSmallIntegerField(_("unit"))
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room"), max_length=10)
    use = models.CharField(
        _("use"), max_length=12, choices=HouseUse.choices, default=HouseUse.RESIDENCE
    )
    state = models.CharField(
        _("state"), max_length=12, choices=HouseState.choices, default=HouseState.UNKNOWN
    )
    floor_area = models.FloatField(_("floor area (m²)"), null=True, blank=True)
    owner_name = models.CharField(_("owner"), max_length=50, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"
    personal_fields = ("owner_name",)

    class Meta:
        ordering = ["building", "unit", "-floor", "room"]
        verbose_name = _("house")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "floor", "room"], name="one_house_per_room"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.building.name} {self.unit}单元 {self.room}" if self.building_id else self.code
        )

    @staticmethod
    def make_code(building_code: str, unit: int, floor: int, room: str) -> str:
        return f"{building_code}-{unit}-{floor}-{room}"
