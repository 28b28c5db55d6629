"""Models of the lines part (populations rentals): special-population records by category and
risk level with their visits, rented houses with leases and tenants (inspected with the hazard
part's checklist: `Inspection.rental`), foreigners' stays, and the ledger warnings these raise.

Categories and their extra fields are rows (`PopulationCategory.field_schema`), and so are the
visit intervals (`VisitInterval`, by category and risk level): an administrator extends both.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.scope import ScopedQuerySet

__all__ = [
    "CategoryGroup",
    "ForeignerStay",
    "Lease",
    "LedgerWarning",
    "PopulationCategory",
    "RecordState",
    "RentalHouse",
    "RiskColour",
    "SpecialRecord",
    "SpecialVisit",
    "Tenant",
    "VisitInterval",
    "WarningKind",
]


class CategoryGroup(models.TextChoices):
    CONTROL = "control", _("Service and control")
    CARE = "care", _("Civil-affairs care")


class PopulationCategory(models.Model):
    """A category of special population (社区矫正, 刑释人员, 严重精神障碍 …): its group (a
    control group or a civil-affairs care group, never shown together), the registry's key
    population category it maps to, its highest risk level and the extra fields its records
    hold (`field_schema`: a list of {"name", "label", "type": "text"|"date"|"int"})."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    group = models.CharField(
        _("group"), max_length=10, choices=CategoryGroup.choices, default=CategoryGroup.CONTROL
    )
    registry_category = models.CharField(
        _("registry key-population category"), max_length=20, blank=True
    )
    max_risk = models.PositiveSmallIntegerField(_("highest risk level"), default=3)
    field_schema = models.JSONField(_("extra fields"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("special-population category")

    def __str__(self) -> str:
        return self.name


class VisitInterval(models.Model):
    """How often a record of a category at a risk level is visited (days)."""

    category = models.ForeignKey(
        PopulationCategory, on_delete=models.CASCADE, related_name="intervals"
    )
    risk_level = models.PositiveSmallIntegerField(_("risk level"))
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"))

    class Meta:
        ordering = ["category", "risk_level"]
        constraints = [
            models.UniqueConstraint(fields=["category", "risk_level"], name="lines_interval_unique")
        ]
        verbose_name = _("visit interval")

    def __str__(self) -> str:
        return f"{self.category_id}/{self.risk_level}: {self.every_days}"


class RecordState(models.TextChoices):
    ACTIVE = "active", _("Under management")
    LOST = "lost", _("Lost contact")
    CLOSED = "closed", pgettext_lazy("special population", "Closed")


class SpecialRecord(models.Model):
    """One person's record in one category (beside the registry person; linked to the
    registry's key-population tag, never a copy of it)."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="special_records"
    )
    category = models.ForeignKey(
        PopulationCategory, on_delete=models.PROTECT, related_name="records"
    )
    key_tag = models.ForeignKey(
        "registry.KeyPopulationTag",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="special_records",
    )
    risk_level = models.PositiveSmallIntegerField(_("risk level"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=RecordState.choices, default=RecordState.ACTIVE
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    supervising_office = models.CharField(_("supervising office"), max_length=100, blank=True)
    guardian = models.CharField(_("guardian"), max_length=100, blank=True)
    assistance_group = models.CharField(_("assistance group"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible member"),
    )
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, db_index=True)
    lost_since = models.DateTimeField(_("lost contact since"), null=True, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["next_visit_due", "id"]
        # The cockpit counts by category, risk level and state within an area from this index.
        indexes = [
            models.Index(
                fields=["area_code", "category", "risk_level", "state", "next_visit_due"],
                name="lines_special_figures",
            )
        ]
        verbose_name = _("special-population record")

    def __str__(self) -> str:
        return f"{self.category_id}#{self.pk}"


class SpecialVisit(models.Model):
    """A visit to a record's person; `met` is False when the person was not found."""

    record = models.ForeignKey(SpecialRecord, on_delete=models.CASCADE, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    time = models.DateTimeField(_("time"))
    met = models.BooleanField(_("met the person"), default=True)
    note = models.TextField(_("note"), blank=True)
    registry_visit = models.ForeignKey(
        "registry.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(max_length=20, db_index=True)
    # Where the phone was when the visit was recorded (evidence), its distance from the person's
    # building and whether that is farther than GRIDGOV_VISIT_FAR_METRES (flagged on the desk).
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    accuracy = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the home (m)"), null=True, blank=True)
    far = models.BooleanField(_("recorded far from the home"), default=False)
    # The phone's outbox key (a UUID made on the phone): a replay answers this visit again.
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # A voice note recorded with the visit (checked by its content, size-limited).
    voice = models.FileField(upload_to="lines/visits/voice/%Y/%m/", blank=True)
    voice_type = models.CharField(max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("special-population visit")

    def __str__(self) -> str:
        return f"{self.record_id} {self.time:%Y-%m-%d}"


class RiskColour(models.TextChoices):
    GREEN = "green", pgettext_lazy("risk colour", "Green")
    YELLOW = "yellow", pgettext_lazy("risk colour", "Yellow")
    RED = "red", pgettext_lazy("risk colour", "Red")


class RentalHouse(models.Model):
    """A rented house of the registry with its landlord (a person or an organization)."""

    house = models.OneToOneField("registry.House", on_delete=models.PROTECT, related_name="rental")
    landlord_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    landlord_org = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_colour = models.CharField(
        _("risk colour"), max_length=8, choices=RiskColour.choices, default=RiskColour.GREEN
    )
    max_occupants = models.PositiveSmallIntegerField(_("occupants allowed"), default=4)
    duty_signed_on = models.DateField(_("registration duty signed on"), null=True, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["area_code", "id"]
        verbose_name = _("rented house")

    def __str__(self) -> str:
        return f"rental {self.house_id}"


class Lease(models.Model):
    rental = models.ForeignKey(RentalHouse, on_delete=models.CASCADE, related_name="leases")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    area_code = models.CharField(max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-end", "-id"]
        verbose_name = _("lease")

    def __str__(self) -> str:
        return f"{self.rental_id} {self.start}–{self.end}"


class Tenant(models.Model):
    """A tenant of a rented house: the residence permit's expiry and the landlord's report of
    the tenant to the police (checked by the member)."""

    rental = models.ForeignKey(RentalHouse, on_delete=models.CASCADE, related_name="tenants")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    moved_in = models.DateField(_("moved in"))
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    permit_expiry = models.DateField(_("residence permit expires"), null=True, blank=True)
    police_registered_on = models.DateField(_("reported to the police on"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-moved_in", "-id"]
        verbose_name = _("tenant")

    def __str__(self) -> str:
        return f"{self.person_id} in {self.rental_id}"


class ForeignerStay(models.Model):
    """A foreigner staying outside a hotel: to be registered with the police within 24 hours
    of arrival (出境入境管理法 art. 39)."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    rental = models.ForeignKey(
        RentalHouse, null=True, blank=True, on_delete=models.SET_NULL, related_name="foreigners"
    )
    nationality = models.CharField(_("nationality"), max_length=40)
    arrived_at = models.DateTimeField(_("arrived at"))
    registered_at = models.DateTimeField(_("registered with the police at"), null=True, blank=True)
    visa_expiry = models.DateField(_("visa or residence permit expires"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    area_code = models.CharField(max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-arrived_at", "-id"]
        # The foreign-affairs cockpit counts the stays of an area not yet left.
        indexes = [models.Index(fields=["area_code", "left_on"], name="lines_stay_area")]
        verbose_name = _("foreigner's stay")

    def __str__(self) -> str:
        return f"{self.person_id} {self.nationality}"


class WarningKind(models.TextChoices):
    VISIT_OVERDUE = "visit_overdue", _("Visit overdue")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    PERMIT_EXPIRING = "permit_expiring", _("Residence permit about to expire")
    LEASE_ENDED = "lease_ended", _("Lease ended without a new one")
    OVERCROWDED = "overcrowded", _("Overcrowding found")
    POLICE_UNREGISTERED = "police_unregistered", _("Not registered with the police")
    VISA_EXPIRING = "visa_expiring", _("Visa about to expire")


class LedgerWarning(models.Model):
    """A warning of the populations and rentals ledgers, open until resolved; one open
    warning per kind and subject (the jobs raise them again without duplicates)."""

    kind = models.CharField(_("kind"), max_length=24, choices=WarningKind.choices)
    subject_type = models.CharField(max_length=40)
    subject_id = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    flagged = models.BooleanField(_("escalated"), default=False)
    raised_at = models.DateTimeField(_("raised at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    sensitive = models.BooleanField(default=False)  # a special-population record behind it
    area_code = models.CharField(max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-flagged", "-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"],
                condition=models.Q(resolved_at__isnull=True),
                name="lines_one_open_warning",
            )
        ]
        verbose_name = _("ledger warning")

    def __str__(self) -> str:
        return self.title
