from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet
from gridgov.crypto.fields import BlindIndexField, SealedCharField, SealedModel


class DistrictSettings(models.Model):
    """What a district allows on the public portal (the district's area code, or "" for the
    default of the whole installation)."""

    area_code = models.CharField(max_length=20, unique=True, blank=True)
    allow_anonymous = models.BooleanField(_("allow anonymous reports"), default=False)
    reopen_days = models.PositiveSmallIntegerField(_("days to say “not fixed”"), default=7)
    reports_per_phone_per_day = models.PositiveSmallIntegerField(default=5)
    reports_per_address_per_day = models.PositiveSmallIntegerField(default=10)

    def __str__(self) -> str:
        return self.area_code or "*"


class PublicCategory(models.Model):
    """A category citizens may choose and see in public (the allow-list). Categories about people
    (disputes, public security, petitions) are never put here; `sensitive` ones are shown on a
    coarser grid (1 km) and without their text."""

    category = models.OneToOneField(
        "cases.Category", on_delete=models.CASCADE, related_name="public_entry"
    )
    icon = models.CharField(max_length=8, default="•")
    label = models.CharField(_("public name"), max_length=40)
    keywords = models.CharField(max_length=200, blank=True)
    sensitive = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class Citizen(SealedModel):
    """A reporter known by a confirmed mobile number (sealed; looked up by its blind index)."""

    phone = SealedCharField(max_length=20, kind="phone")
    phone_index = BlindIndexField(of="phone", unique=True)
    confirmed_reports = models.PositiveIntegerField(default=0)
    flagged = models.BooleanField(default=False)
    banned = models.BooleanField(_("banned"), default=False)
    ban_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_fields = ("phone",)
    change_log_exclude = ("phone_index",)

    def __str__(self) -> str:
        return f"citizen {self.pk}"


class PhoneCode(models.Model):
    """A one-time code sent by SMS (only its hash is kept)."""

    phone_index = models.CharField(max_length=100, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"code {self.pk}"


class Moderation(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    LISTED = "listed", _("Listed without text and photos")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Not published")


class PortalReport(models.Model):
    """The public side of a case reported on the portal: what may be shown (text with phone, ID
    numbers and names taken out, a point snapped to 100 m), whether a moderator let it out, and
    the steps already told in public."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="portal")
    number = models.CharField(max_length=32, unique=True)
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    anonymous = models.BooleanField(default=False)
    notify = models.BooleanField(default=True)
    category = models.ForeignKey(
        PublicCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(max_length=20, db_index=True)
    street_code = models.CharField(max_length=20, db_index=True, blank=True)
    moderation = models.CharField(
        max_length=12, choices=Moderation.choices, default=Moderation.PENDING, db_index=True
    )
    public_text = models.CharField(max_length=500, blank=True)
    public_lon = models.FloatField(null=True, blank=True)
    public_lat = models.FloatField(null=True, blank=True)
    public_status = models.CharField(max_length=16, default="received")
    public_steps = models.JSONField(default=list, blank=True)
    photo_ids = models.JSONField(default=list, blank=True)
    last_event_id = models.BigIntegerField(default=0)
    closed_on_time = models.BooleanField(null=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    moderated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["category", "public_lon", "public_lat"], name="portal_nearby"),
            models.Index(fields=["street_code", "moderation"], name="portal_street"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_published(self) -> bool:
        return self.moderation == Moderation.PUBLISHED and not self.anonymous


class FollowKind(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    CO_REPORTER = "co_reporter", _("Also reported it")
    SUBSCRIBER = "subscriber", _("Follows it")


class Follower(models.Model):
    report = models.ForeignKey(PortalReport, on_delete=models.CASCADE, related_name="followers")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(max_length=12, choices=FollowKind.choices)
    note = models.CharField(max_length=500, blank=True)
    notify = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "citizen"], name="portal_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.citizen_id}"


class AreaSubscription(models.Model):
    """A citizen follows an area by SMS: at most one message a day, naming the new public
    reports there since the last one (`last_told_at`)."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="areas")
    area_code = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    last_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["citizen", "area_code"], name="portal_area_sub_once")
        ]

    def __str__(self) -> str:
        return self.area_code


class GridContact(models.Model):
    """What a grid shows in public (its notice board): who to call at work and where the
    community office is. Work numbers only, published on purpose by staff."""

    grid_code = models.CharField(max_length=20, db_index=True)
    member_name = models.CharField(max_length=50)
    work_phone = models.CharField(max_length=30)
    office = models.CharField(max_length=200, blank=True)
    office_phone = models.CharField(max_length=30, blank=True)
    office_hours = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["grid_code", "id"]

    def __str__(self) -> str:
        return f"{self.grid_code} {self.member_name}"
