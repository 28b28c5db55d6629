from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet
from gridgov.crypto.fields import BlindIndexField, MaskedField, SealedCharField, SealedModel


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class RegistrationType(models.TextChoices):
    REGISTERED = "registered", _("Registered resident")
    FLOATING = "floating", _("Floating population")
    OVERSEAS = "overseas", _("Overseas")
    UNREGISTERED = "unregistered", _("Unregistered")


class OtherIdType(models.TextChoices):
    NONE = "", _("None")
    PASSPORT = "passport", _("Passport")
    BIRTH = "birth", _("Birth certificate")
    HK_MACAO_TW = "hmt", _("Hong Kong, Macao or Taiwan permit")
    RESIDENCE = "residence", _("Foreigner's residence permit")
    OTHER = "other", _("Other")


class Person(SealedModel):
    """One real person (实有人口): one record, found by the ID number or another identifier.
    ID, other identifier and phone numbers are sealed at rest (SM4), found by their blind index."""

    name = models.CharField(_("name"), max_length=50)
    former_name = models.CharField(_("former name"), max_length=50, blank=True)
    id_number = SealedCharField(
        _("ID number"), max_length=18, null=True, blank=True, kind="id_number"
    )
    id_number_index = BlindIndexField(of="id_number", unique=True)
    id_number_masked = MaskedField(of="id_number", mask="gridgov.registry.identity.mask_id")
    other_id_type = models.CharField(
        _("other identifier"), max_length=12, choices=OtherIdType.choices, blank=True
    )
    other_id = SealedCharField(
        _("other identifier number"), max_length=40, blank=True, kind="other_id"
    )
    other_id_index = BlindIndexField(of="other_id")
    other_id_masked = MaskedField(of="other_id", mask="gridgov.registry.identity.mask_id")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    origin_code = models.CharField(_("region of origin"), max_length=6, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    phone = SealedCharField(_("phone"), max_length=20, blank=True, kind="phone")
    # No database index: a search by phone reads the index column of the rows in scope; one
    # more random-keyed B-tree would cost a million-row import about a tenth of its speed.
    phone_index = BlindIndexField(of="phone")
    phone_masked = MaskedField(of="phone", mask="gridgov.registry.identity.mask_phone")
    registration = models.CharField(
        _("registration type"),
        max_length=16,
        choices=RegistrationType.choices,
        default=RegistrationType.REGISTERED,
    )
    nationality = models.CharField(_("nationality"), max_length=40, blank=True)
    visa_expiry = models.DateField(_("visa expiry"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=20, blank=True)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=10, blank=True)
    political_status = models.CharField(_("political status"), max_length=20, blank=True)
    current_house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(max_length=20)  # indexed with the id below (scope, then paging)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"
    personal_fields = ("id_number", "phone", "other_id")
    change_log_exclude = (
        "id_number_index",
        "id_number_masked",
        "phone_index",
        "phone_masked",
        "other_id_index",
        "other_id_masked",
    )

    class Meta:
        ordering = ["area_code", "id"]
        verbose_name = _("person")
        constraints = [
            models.UniqueConstraint(
                fields=["other_id_type", "other_id_index"],
                condition=Q(other_id_index__isnull=False),
                name="one_person_per_other_id",
            )
        ]
        # Few indexes on purpose: lists page by (area code, id) and filter as they go, so a million
        # people import fast; names are searched by prefix; identifiers are unique.
        indexes = [models.Index(fields=["area_code", "id"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_foreigner(self) -> bool:
        return self.registration == RegistrationType.OVERSEAS


class ResidenceRelation(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    RESIDENT = "resident", _("Resident")


class Residence(models.Model):
    """Who lives in which house (人房关联), from and to; moving out keeps the history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    house = models.ForeignKey(
        "registry.House", on_delete=models.PROTECT, related_name="residences", db_index=False
    )
    relation = models.CharField(
        _("relation"),
        max_length=10,
        choices=ResidenceRelation.choices,
        default=ResidenceRelation.RESIDENT,
    )
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    area_code = models.CharField(max_length=20)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["house", "until"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.house_id}"


class Household(models.Model):
    """A household (户) in a house, with its head."""

    number = models.CharField(_("household number"), max_length=30, unique=True)
    house = models.ForeignKey(
        "registry.House",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
    )
    head = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        verbose_name = _("household")

    def __str__(self) -> str:
        return self.number


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    relation = models.CharField(_("relation to the head"), max_length=10)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id}"


KEY_CATEGORIES = [
    ("correction", _("Community correction")),
    ("released", _("Released after sentence")),
    ("drug", _("Drug rehabilitation")),
    ("mental", _("Severe mental disorder")),
    ("petitioner", _("Petitioner")),
    ("elderly_alone", _("Elderly living alone")),
    ("disabled", pgettext_lazy("key population", "Disabled")),
    ("low_income", _("Low income")),
    ("left_behind_child", _("Left-behind child")),
]


class KeyPopulationTag(models.Model):
    """A key service population (重点人群): readable only by roles given that right."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="key_tags")
    category = models.CharField(_("category"), max_length=20, choices=KEY_CATEGORIES)
    level = models.CharField(
        _("level of attention"),
        max_length=8,
        choices=[("low", _("Low")), ("medium", _("Medium")), ("high", _("High"))],
        default="low",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=30)
    notes = models.TextField(_("notes"), blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-since"]
        verbose_name = _("key population tag")

    def __str__(self) -> str:
        return f"{self.person_id} {self.category}"


class Visit(models.Model):
    """A visit to a person (走访): key populations are visited at their tag's frequency, and
    visits count in the visitor's assessment."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="visits")
    tag = models.ForeignKey(
        KeyPopulationTag, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time = models.DateTimeField(_("time"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    area_code = models.CharField(max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-time"]
        verbose_name = _("visit")

    def __str__(self) -> str:
        return f"{self.person_id} {self.time:%Y-%m-%d}"
