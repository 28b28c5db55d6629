"""The filters of the disputes, screening and hazards ledgers, shared by their pages and API routes
(see gridgov/list_filter.py)."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import restrict
from gridgov.lines.models import (
    Dispute,
    DisputeKind,
    DisputeState,
    Hazard,
    HazardGrade,
    HazardState,
    RiskGrade,
    ScreeningState,
    ScreeningTask,
)
from gridgov.list_filter import ListFilter


class DisputeFilter(ListFilter):
    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *DisputeKind.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", "—"), *DisputeState.choices], required=False
    )
    risk = forms.ChoiceField(
        label=_("Risk grade"), choices=[("", "—"), *RiskGrade.choices], required=False
    )
    flagged = forms.BooleanField(label=_("Escalated only"), required=False)
    ordering = ("-created_at", "-id")

    def base(self) -> QuerySet:
        return restrict(Dispute.objects.all(), self.user, self.action, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        for name in ("kind", "state", "risk"):
            if data[name]:
                rows = rows.filter(**{name: data[name]})
        if data["flagged"]:
            rows = rows.filter(flagged=True)
        if data["q"]:
            rows = rows.filter(Q(title__contains=data["q"]) | Q(number=data["q"]))
        return rows


class ScreeningFilter(ListFilter):
    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", "—"), *ScreeningState.choices], required=False
    )
    ordering = ("-month", "area_code", "id")

    def base(self) -> QuerySet:
        return restrict(
            ScreeningTask.objects.all(), self.user, self.action, within=self.area_chosen()
        )

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        return rows.filter(state=data["state"]) if data["state"] else rows


class HazardFilter(ListFilter):
    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    grade = forms.ChoiceField(
        label=_("Grade"), choices=[("", "—"), *HazardGrade.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", "—"), *HazardState.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    supervised = forms.BooleanField(label=_("Under listed supervision"), required=False)
    ordering = ("-created_at", "-id")

    def base(self) -> QuerySet:
        rows = Hazard.objects.select_related("organization", "rental__house")
        return restrict(rows, self.user, self.action, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        for name in ("grade", "state"):
            if data[name]:
                rows = rows.filter(**{name: data[name]})
        if data["overdue"]:
            rows = rows.exclude(state=HazardState.CLOSED).filter(deadline__lt=timezone.localdate())
        if data["supervised"]:
            rows = rows.exclude(supervised_by="")
        return rows
