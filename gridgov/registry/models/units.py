from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet
from gridgov.crypto.fields import BlindIndexField, MaskedField, SealedCharField, SealedModel


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SHOP = "shop", _("Shop (individual business)")
    SOCIAL = "social", _("Social organization")
    PARTY = "party", _("Party organization")
    PUBLIC = "public", _("Public institution")
    GOVERNMENT = "government", _("Government body")
    OTHER = "other", _("Other")


class Organization(SealedModel):
    """A real unit (实有单位): enterprise, shop, social or party organization."""

    name = models.CharField(_("name"), max_length=120)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=OrganizationKind.choices,
        default=OrganizationKind.ENTERPRISE,
    )
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = SealedCharField(_("phone"), max_length=20, blank=True, kind="phone")
    phone_index = BlindIndexField(of="phone", db_index=True)
    phone_masked = MaskedField(of="phone", mask="gridgov.registry.identity.mask_phone")
    address = models.CharField(_("address"), max_length=200, blank=True)
    house = models.ForeignKey(
        "registry.House",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations",
    )
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    security_officer = models.CharField(_("security officer"), max_length=50, blank=True)
    fire_officer = models.CharField(_("fire safety officer"), max_length=50, blank=True)
    key_unit = models.BooleanField(_("key unit"), default=False)
    state = models.CharField(
        _("state"),
        max_length=12,
        default="operating",
        choices=[
            ("operating", _("Operating")),
            ("closed", pgettext_lazy("organization state", "Closed")),
            ("suspended", _("Suspended")),
        ],
    )
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"
    personal_fields = ("phone",)
    change_log_exclude = ("phone_index", "phone_masked")

    class Meta:
        ordering = ["area_code", "name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    KEY_PLACE = "key_place", _("Key place")
    FACILITY = "facility", _("Public facility (component)")
    SUPPLIES = "supplies", _("Emergency supplies")
    CAMERA = "camera", _("Camera")


class Place(models.Model):
    """A place or component (场所/部件) on the map; cameras are places on the map, nothing more."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=PlaceKind.choices)
    category_code = models.CharField(
        _("category code"),
        max_length=12,
        blank=True,
        help_text=_("Component class, e.g. C0101, or a place type."),
    )
    component_code = models.CharField(
        _("component ID"),
        max_length=16,
        blank=True,
        db_index=True,
        help_text=_("16 digits: county, major and minor class, serial (GB/T 30428.2)."),
    )
    owner_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="places",
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        default="normal",
        choices=[
            ("normal", _("Normal")),
            ("damaged", _("Damaged")),
            ("lost", _("Lost")),
            ("removed", _("Removed")),
        ],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    lon = models.FloatField()
    lat = models.FloatField()
    area_code = models.CharField(max_length=20, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["area_code", "kind", "name"]
        verbose_name = _("place")
        indexes = [models.Index(fields=["kind", "lon", "lat"])]

    def __str__(self) -> str:
        return self.name
