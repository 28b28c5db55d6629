"""Data exchange with government systems: applications for conditional data sets, exchange
packages, the exchange log, and the keys packages are signed with and encrypted for.

The catalogue of data sets itself is code (`gridgov/exchange/services/catalogue.py`), versioned.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.crypto.fields import SealedCharField

__all__ = [
    "ApplicationState",
    "DataApplication",
    "ExchangeLog",
    "ExchangePackage",
    "ImportedRecord",
    "PackageState",
    "PlatformKey",
    "RecipientKeys",
]


class ApplicationState(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DataApplication(models.Model):
    """A client system's application for a conditional data set."""

    client = models.ForeignKey(
        "exchange.ClientSystem", on_delete=models.PROTECT, related_name="data_applications"
    )
    dataset = models.CharField(_("data set"), max_length=40)
    catalogue_version = models.PositiveIntegerField()
    fields = models.JSONField(_("fields"), default=list)
    purpose = models.CharField(_("purpose"), max_length=500)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    recipient = models.CharField(_("recipient"), max_length=200)
    expires_on = models.DateField(_("expires on"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ApplicationState.choices,
        default=ApplicationState.PENDING,
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    due_at = models.DateTimeField(_("decision due"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("data application")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["client", "dataset", "state"])]

    def __str__(self) -> str:
        return f"{self.dataset} → {self.client_id} ({self.state})"


class RecipientKeys(models.Model):
    """A recipient's public keys: packages with personal data are encrypted for them."""

    client = models.OneToOneField(
        "exchange.ClientSystem", on_delete=models.CASCADE, related_name="exchange_keys"
    )
    sm2_public = models.CharField(max_length=130, blank=True)  # hex, 64-byte point (x‖y)
    x25519_public = models.CharField(max_length=64, blank=True)  # hex, 32 bytes
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"keys of client {self.client_id}"


class PlatformKey(models.Model):
    """The platform's own signing keys (made on first use), one per algorithm."""

    algorithm = models.CharField(max_length=16, unique=True)
    private = SealedCharField(max_length=128, kind="secret")
    public = models.CharField(max_length=130)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.algorithm


class PackageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being produced")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExchangePackage(models.Model):
    """One bulk exchange file for one client and one data set: a zip with a manifest."""

    client = models.ForeignKey(
        "exchange.ClientSystem", on_delete=models.PROTECT, related_name="packages"
    )
    dataset = models.CharField(_("data set"), max_length=40)
    full = models.BooleanField(_("full snapshot"), default=False)
    fmt = models.CharField(_("format"), max_length=5, default="jsonl")  # csv | jsonl
    suite = models.CharField(_("algorithms"), max_length=6, default="sm")  # sm | common
    application = models.ForeignKey(
        DataApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="packages"
    )
    state = models.CharField(
        _("state"), max_length=8, choices=PackageState.choices, default=PackageState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    encrypted = models.BooleanField(default=False)
    content = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("exchange package")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "dataset", "state"])]

    def __str__(self) -> str:
        return f"{self.dataset} → {self.client_id} #{self.pk}"


class ExchangeLog(models.Model):
    """One row per delivery: what went to whom, when, how many records, under which approval."""

    class Event(models.TextChoices):
        PRODUCED = "produced", _("Produced for the client")
        DOWNLOADED = "downloaded", _("Downloaded by the client")

    event = models.CharField(_("event"), max_length=10, choices=Event.choices)
    client = models.ForeignKey(
        "exchange.ClientSystem", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_name = models.CharField(_("client system"), max_length=100)
    dataset = models.CharField(_("data set"), max_length=40)
    package = models.ForeignKey(
        ExchangePackage, null=True, on_delete=models.SET_NULL, related_name="log"
    )
    application = models.ForeignKey(
        DataApplication, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    records = models.PositiveIntegerField(_("records"))
    package_hash = models.CharField(_("package hash"), max_length=64)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("exchange log entry")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} {self.dataset} → {self.client_name}"


class ImportedRecord(models.Model):
    """A row received in a package from another system, kept as it came (keyed by the sending
    system, the data set and the row's key), so increments update it rather than double it."""

    source = models.CharField(_("source"), max_length=100)
    dataset = models.CharField(_("data set"), max_length=40)
    key = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    package_id_at_source = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dataset", "key"], name="one_imported_row_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.dataset}/{self.key}"
