"""Periodic jobs of the 12345 adapter and the classifier."""

from django.core.exceptions import ValidationError

from gridgov.accounts.system import CLASSIFIER, system_user
from gridgov.exchange.services import classify
from gridgov.jobs.registry import job

__all__ = ["retrain_classifier", "suggest_categories"]


@job("exchange.suggest_categories")
def suggest_categories(ctx) -> dict:
    """Suggest a category for new cases that arrived without one (every minute)."""
    return {"suggested": classify.suggest_waiting()}


@job("exchange.retrain_classifier")
def retrain_classifier(ctx) -> dict:
    """Learn again from the closed cases (weekly; administrators also retrain on demand)."""
    try:
        model = classify.train(actor=system_user(CLASSIFIER))
    except ValidationError as exc:  # too few closed cases yet: nothing to learn
        return {"trained": False, "why": " ".join(exc.messages)}
    return {"trained": True, "model": model.pk, "texts": model.texts}
