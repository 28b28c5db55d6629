"""The address gazetteer (标准地址): standard addresses, named places, landmarks and road
intersections, each with its point and grid, and the search keys that make search-as-you-type
an index lookup (never a scan)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet

__all__ = ["Address", "AddressKey", "AddressKind"]


class AddressKind(models.TextChoices):
    BUILDING = "building", _("Building")
    HOUSE = "house", _("House")
    PLACE = "place", _("Named place")
    LANDMARK = "landmark", _("Landmark")
    INTERSECTION = "intersection", _("Road intersection")


class Address(models.Model):
    """One standard address: road, number, compound, building, unit, room (the parts it has),
    its full text `name`, other names people use (`aliases`, one per line), a point and the grid
    it lies in. `source` names the registry record it was built from ("building:<code>"), or the
    import that brought it."""

    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices)
    name = models.CharField(_("address"), max_length=200)
    road = models.CharField(_("road"), max_length=60, blank=True)
    number = models.CharField(pgettext_lazy("address", "number"), max_length=20, blank=True)
    compound = models.CharField(_("residential compound"), max_length=60, blank=True)
    building = models.CharField(_("building"), max_length=30, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=10, blank=True)
    aliases = models.CharField(_("other names"), max_length=400, blank=True)
    # Pinyin initials of the name and each alias, one per line (for "jsq" → 金水区).
    initials = models.CharField(max_length=400, blank=True)
    lon = models.FloatField()
    lat = models.FloatField()
    area_code = models.CharField(max_length=20, db_index=True)
    source = models.CharField(max_length=80, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        indexes = [
            models.Index(fields=["lon", "lat"], name="address_point"),
            models.Index(fields=["name"], name="address_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AddressKey(models.Model):
    """A search key of an address: a character or a pair of characters of its name or aliases,
    or ("@" and) one or two pinyin initials. A query's keys find the candidates by equality on
    one index, on SQLite and PostgreSQL alike."""

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "address"], name="address_key_once"),
        ]

    def __str__(self) -> str:
        return self.key
