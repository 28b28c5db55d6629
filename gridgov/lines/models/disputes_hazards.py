"""Models of the lines part: disputes and mediation (矛盾纠纷排查化解), monthly screening, hazard
inspection and rectification (安全隐患排查整改).

Every row carries the area code of its grid (`area_code`, the scope field): a street sees its
own disputes, screenings, inspections and hazards, never another street's.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet
from gridgov.registry.models.units import OrganizationKind

__all__ = [
    "ChecklistItem",
    "Dispute",
    "DisputeEvent",
    "DisputeKind",
    "DisputeParty",
    "DisputeState",
    "FollowUp",
    "Hazard",
    "HazardGrade",
    "HazardState",
    "Inspection",
    "InspectionPlan",
    "InspectionResult",
    "InspectionTask",
    "ItemResult",
    "MediationSession",
    "PartyRole",
    "PlaceType",
    "Referral",
    "ReferralBody",
    "RiskGrade",
    "ScreeningState",
    "ScreeningTask",
    "Source",
]


class DisputeKind(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    FAMILY = "family", _("Marriage and family")
    PROPERTY = "property", _("Property management")
    LABOUR = "labour", _("Labour and wages")
    LAND = "land", _("Land and housing")
    DEBT = "debt", _("Debt")
    OTHER = "other", _("Other dispute")


class RiskGrade(models.TextChoices):
    """The documented scale (docs/lines.md): 1 low … 4 risk of a group event."""

    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")
    GROUP = "group", _("Risk of a group event")


class Source(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    VISIT = "visit", _("Visit")
    REPORT = "report", _("Report")
    HOTLINE = "12345", _("12345 hotline")
    PETITION = "petition", _("Petition")
    SCREENING = "screening", _("Screening")
    CASE = "case", _("Case")


class DisputeState(models.TextChoices):
    REGISTERED = "registered", _("Registered, not yet mediated")
    MEDIATING = "mediating", _("Mediating")
    AGREEMENT = "agreement", _("Agreement drafted")
    FULFILMENT = "fulfilment", _("Agreement in force, fulfilment followed")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    THIRD = "third", _("Third party")


class ReferralBody(models.TextChoices):
    JUSTICE = "justice", _("Judicial office (司法所)")
    POLICE = "police", _("Police station (派出所)")
    PETITION = "petition", _("Letters and visits (信访)")
    COURT = "court", _("Court")
    DEPARTMENT = "department", _("Department")


class Dispute(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DisputeKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    area_code = models.CharField(max_length=20)
    risk = models.CharField(_("risk grade"), max_length=8, choices=RiskGrade.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediated_disputes",
    )
    mediation_body = models.CharField(_("mediation organization"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=DisputeState.choices, default=DisputeState.REGISTERED
    )
    flagged = models.BooleanField(_("escalated risk"), default=False)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="disputes"
    )
    agreement_text = models.TextField(_("agreement"), blank=True)
    agreement_scan = models.FileField(upload_to="lines/agreements/", blank=True)
    effective_on = models.DateField(_("agreement effective on"), null=True, blank=True)
    court_applied_on = models.DateField(_("court confirmation applied on"), null=True, blank=True)
    court_result = models.CharField(_("court confirmation result"), max_length=200, blank=True)
    success = models.BooleanField(_("mediated successfully"), null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"))
    closed_at = models.DateTimeField(null=True, blank=True)
    # The phone's outbox key (a UUID made on the phone): a replay answers this dispute again.
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dispute")
        indexes = [
            models.Index(fields=["area_code", "-created_at"], name="lines_dispute_area"),
            models.Index(fields=["state", "kind"], name="lines_dispute_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DisputeParty(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("party role"), max_length=12, choices=PartyRole.choices)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    area_code = models.CharField(max_length=20)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["dispute_id", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class MediationSession(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.CharField(_("participants"), max_length=500)
    record = models.TextField(_("record"))
    agreed = models.TextField(_("agreed"), blank=True)
    attachment = models.FileField(upload_to="lines/sessions/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(max_length=20)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class FollowUp(models.Model):
    """A visit checking whether the agreement is carried out."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="follow_ups")
    visited_on = models.DateField(_("visited on"))
    note = models.CharField(_("note"), max_length=500)
    fulfilled = models.BooleanField(_("fulfilled"), default=False)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(max_length=20)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class Referral(models.Model):
    """Referral (分流) to another body, its acceptance and outcome."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="referrals")
    body = models.CharField(_("receiving body"), max_length=12, choices=ReferralBody.choices)
    body_name = models.CharField(_("body name"), max_length=100, blank=True)
    referred_on = models.DateField(_("referred on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    outcome = models.CharField(_("referral outcome"), max_length=500, blank=True)
    area_code = models.CharField(max_length=20)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["referred_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class DisputeEvent(models.Model):
    """The dispute's timeline (the change log holds the same facts for auditors)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=40)
    note = models.CharField(max_length=500, blank=True)
    area_code = models.CharField(max_length=20)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class ScreeningState(models.TextChoices):
    OPEN = "open", _("To screen")
    FOUND = "found", _("Disputes found")
    NONE = "none", _("None found")


class ScreeningTask(models.Model):
    """The monthly screening (排查) of one grid: "none found" is recorded, not assumed."""

    area_code = models.CharField(max_length=20)
    month = models.DateField(_("month"))  # the first day of the month
    state = models.CharField(
        _("state"), max_length=8, choices=ScreeningState.choices, default=ScreeningState.OPEN
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-month", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "month"], name="lines_screening_once")
        ]

    # ---------------------------------------------------------------------------------------------
    # hazards

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class PlaceType(models.TextChoices):
    NINE_SMALL = "nine_small", _("Nine small places (九小场所)")
    GAS = "gas", _("Gas users")
    SELF_BUILT = "self_built", _("Self-built houses")
    RENTAL = "rental", _("Rental housing")
    WAREHOUSE = "warehouse", _("Warehouses")
    SCHOOL = "school", _("School surroundings")


class InspectionPlan(models.Model):
    """A plan per place type; its checklist items are data an administrator edits."""

    name = models.CharField(_("name"), max_length=100)
    place_type = models.CharField(_("place type"), max_length=12, choices=PlaceType.choices)
    organization_kind = models.CharField(
        _("organization kind inspected"), max_length=12, default="shop"
    )
    interval_days = models.PositiveSmallIntegerField(_("interval (days)"), default=90)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("inspection plan")

    def __str__(self) -> str:
        return self.name

    @property
    def organization_kind_label(self) -> str:
        kinds = dict(OrganizationKind.choices)
        return str(kinds.get(self.organization_kind, self.organization_kind))

    def current_items(self) -> models.QuerySet["ChecklistItem"]:
        """The checklist an inspection answers today (items taken off stay for old results)."""
        return self.items.filter(retired=False)


class ChecklistItem(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("item"), max_length=200)
    major = models.BooleanField(_("a failure is a major hazard"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    # Taken off the checklist after inspections answered it: kept, so their results still read.
    retired = models.BooleanField(_("taken off the checklist"), default=False)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        verbose_name = _("checklist item")

    def __str__(self) -> str:
        return self.text


class PlaceMixin:
    """An inspected place: an organization of the registry, or a rented house (a plan of the
    place type rental housing inspects the rented houses)."""

    organization: models.ForeignKey
    rental: models.ForeignKey

    @property
    def place_name(self) -> str:
        if self.organization_id is not None:  # type: ignore[attr-defined]
            return self.organization.name
        if self.rental_id is not None:  # type: ignore[attr-defined]
            return str(_("Rented house %(code)s") % {"code": self.rental.house.code})
        return ""


class InspectionTask(PlaceMixin, models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="tasks")
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rental = models.ForeignKey(
        "lines.RentalHouse",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inspection_tasks",
    )
    area_code = models.CharField(max_length=20)
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["area_code", "due_on"], name="lines_itask_area")]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class Inspection(PlaceMixin, models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections")
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rental = models.ForeignKey(
        "lines.RentalHouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    # A rented house's inspection counts the occupants found (群租: more than allowed).
    occupants = models.PositiveSmallIntegerField(_("occupants found"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    task = models.ForeignKey(
        InspectionTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("inspected at"))
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    area_code = models.CharField(max_length=20)
    failures = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["area_code", "-at"], name="lines_insp_area")]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class ItemResult(models.TextChoices):
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Not passed")
    NA = "na", _("Not applicable")


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=4, choices=ItemResult.choices)
    photo = models.FileField(upload_to="lines/inspections/", blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class HazardGrade(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard (重大隐患)")


class HazardState(models.TextChoices):
    OPEN = "open", _("Rectification ordered")
    CLOSED = "closed", _("Closed (销号)")
    ESCALATED = "escalated", _("Escalated")


class Hazard(PlaceMixin, models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="hazards")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rental = models.ForeignKey(
        "lines.RentalHouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    area_code = models.CharField(max_length=20)
    grade = models.CharField(_("grade"), max_length=8, choices=HazardGrade.choices)
    description = models.CharField(_("description"), max_length=500)
    responsible = models.CharField(_("responsible"), max_length=120)
    deadline = models.DateField(_("rectification deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=HazardState.choices, default=HazardState.OPEN
    )
    supervised_by = models.CharField(_("listed supervision by"), max_length=10, blank=True)
    supervision_deadline = models.DateField(_("supervision deadline"), null=True, blank=True)
    reinspections = models.PositiveSmallIntegerField(default=0)
    closure_proof = models.FileField(upload_to="lines/hazards/", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hazard")
        indexes = [
            models.Index(fields=["area_code", "-created_at"], name="lines_hazard_area"),
            models.Index(fields=["state", "grade", "deadline"], name="lines_hazard_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description[:40]}"
