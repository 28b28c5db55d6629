"""Pages of automatic classification: the administrator's page (quality, retraining, the
threshold) and a case's suggestion, which the operator accepts or changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, user_may
from gridgov.cases.models import Case, Category
from gridgov.cases.services import category_by_code
from gridgov.cases.services.permissions import may_command
from gridgov.exchange.models import ClassifierModel, Suggestion
from gridgov.exchange.services import classify

METHODS = (
    ("model", gettext_lazy("Classifier")),
    ("keyword", gettext_lazy("Keyword baseline")),
    ("majority", gettext_lazy("Majority class")),
)


def _tables(metrics: dict) -> list[dict]:
    names = dict(Category.objects.values_list("code", "name"))
    tables = []
    for key, title in (
        ("time_split", _("Time split: trained on earlier months, tested on later ones")),
        ("handwritten", _("Hand-written evaluation texts (gridgov/exchange/data)")),
    ):
        part = metrics.get(key)
        if not part:
            continue
        rows = [
            {
                "code": code,
                "name": names.get(code, code),
                "n": counts["n"],
                "cells": [
                    (
                        part[m]["classes"].get(code, {}).get("top1"),
                        part[m]["classes"].get(code, {}).get("top3"),
                    )
                    for m, _label in METHODS
                ],
            }
            for code, counts in part["model"]["classes"].items()
        ]
        tables.append(
            {
                "title": title,
                "note": part.get("cut") or part.get("source", ""),
                "n": part["model"]["n"],
                "totals": [(part[m]["top1"], part[m]["top3"]) for m, _label in METHODS],
                "rows": rows,
            }
        )
    return tables


@login_required
@require_http_methods(["GET", "POST"])
def admin_page(request):
    if not user_may(request.user, Action.MANAGE_SETTINGS):
        raise PermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("action") == "train":
                model = classify.train(actor=request.user)
                messages.success(request, _("Trained on %(n)d closed cases.") % {"n": model.texts})
            else:
                try:
                    value = float(request.POST.get("auto_threshold", ""))
                except ValueError:
                    raise ValidationError(_("A threshold is a number from 0 to 1.")) from None
                classify.set_threshold(value, actor=request.user)
                messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(request, "exchange/classify/admin.html", _context(), status=400)
        return redirect("exchange:classify")
    return render(request, "exchange/classify/admin.html", _context())


def _context() -> dict:
    model = ClassifierModel.objects.filter(active=True).defer("coef").first()
    return {
        "model": model,
        "settings": classify.classifier_settings(),
        "methods": [label for _m, label in METHODS],
        "tables": _tables(model.metrics) if model else [],
        "history": ClassifierModel.objects.defer("coef")[:10],
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_suggestion(request, pk: int):
    case = get_for_user(Case.objects.select_related("category"), request.user, Action.VIEW, pk=pk)
    suggestion = (
        Suggestion.objects.filter(case=case).select_related("category", "department").first()
    )
    may_decide = may_command(request.user, case)
    status = 200
    if suggestion is None and may_decide and not case.category_id:
        suggestion = classify.suggest_for_case(case, actor=request.user)
    if request.method == "POST":
        if suggestion is None or not may_decide:
            raise PermissionDenied
        try:
            code = request.POST.get("category", "")[:20]
            category = category_by_code(code) if code else None
            classify.decide(suggestion, actor=request.user, category=category)
            messages.success(request, _("The case's category is set."))
            return redirect("exchange:case_suggestion", pk=case.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
    names = dict(Category.objects.values_list("code", "name"))
    top = [(code, names.get(code, code), p) for code, p in (suggestion.top if suggestion else [])]
    choices = Category.objects.filter(active=True, parent__isnull=False).order_by("code")
    return render(
        request,
        "exchange/classify/case.html",
        {
            "case": case,
            "suggestion": suggestion,
            "top": top,
            "may_decide": may_decide,
            "choices": choices,
        },
        status=status,
    )
