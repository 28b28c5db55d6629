"""Models of automatic classification: trained models, the district's settings, suggestions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet

__all__ = ["ClassifierModel", "ClassifierSettings", "Suggestion", "SuggestionState"]


class ClassifierModel(models.Model):
    """One trained classifier. Its weights are plain numbers (a sparse matrix saved as .npz with
    pickling off, plus JSON), never a pickle: loading a model runs no code."""

    created_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    classes = models.JSONField(default=list)  # category codes, in the order of the rows
    intercept = models.JSONField(default=list)
    coef = models.BinaryField()  # scipy.sparse .npz (allow_pickle=False)
    n_features = models.PositiveIntegerField()
    texts = models.PositiveIntegerField(_("training texts"), default=0)
    seconds = models.FloatField(_("training time (s)"), default=0)
    metrics = models.JSONField(default=dict, blank=True)  # the evaluation (see services)
    active = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("classifier model")

    def __str__(self) -> str:
        return f"classifier {self.pk} ({self.texts} texts)"


class ClassifierSettings(models.Model):
    """The district's choices (one row): above `auto_threshold` a suggestion is applied without
    an operator (0 turns automatic application off)."""

    auto_threshold = models.FloatField(_("apply automatically above"), default=0.9)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("classifier settings")

    def __str__(self) -> str:
        return f"auto above {self.auto_threshold}"


class SuggestionState(models.TextChoices):
    OPEN = "open", _("Waiting for the operator")
    ACCEPTED = "accepted", _("Accepted by the operator")
    CHANGED = "changed", _("Changed by the operator")
    AUTO = "auto", _("Applied automatically")
    STALE = "stale", _("Category set otherwise")


class Suggestion(models.Model):
    """The classifier's suggestion for a case that arrived without a category."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="suggestion")
    area_code = models.CharField(max_length=20, db_index=True)  # the case's, when suggested
    category = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField()
    top = models.JSONField(default=list)  # [[code, probability], …] best first, three at most
    model = models.ForeignKey(ClassifierModel, null=True, on_delete=models.SET_NULL)
    state = models.CharField(
        max_length=10, choices=SuggestionState.choices, default=SuggestionState.OPEN
    )
    chosen = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("category suggestion")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.category_id} ({self.confidence:.2f})"


def _register_labels() -> None:
    """The timeline names the steps this part writes on cases."""
    from gridgov.cases.machine import EVENT_LABELS

    EVENT_LABELS.setdefault("categorize", _("Category set"))
    EVENT_LABELS.setdefault("hotline", _("12345 work-order step"))


_register_labels()
