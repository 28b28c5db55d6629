"""The filter of the area list (GET /api/v1/areas; see gridgov/list_filter.py)."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.areas import queries
from gridgov.areas.models import GridKind, Level
from gridgov.list_filter import ListFilter


class AreaFilter(ListFilter):
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    parent = forms.CharField(label=_("Parent"), max_length=20, required=False)
    within = forms.CharField(label=_("Area"), max_length=20, required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *GridKind.choices], required=False
    )
    include_retired = forms.BooleanField(label=_("Retired areas too"), required=False)
    ordering = ("code",)
    area_parameter = "within"

    def base(self) -> QuerySet:
        return queries.areas_for(self.user, within=self.area_chosen()).select_related("parent")

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if not data["include_retired"]:
            rows = rows.active()
        if data["level"]:
            rows = rows.filter(level=data["level"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["parent"]:
            rows = rows.filter(parent__code=data["parent"])
        if text := data["q"].strip():
            by_code = Q(code__startswith=text) if text.isdigit() else Q(pk__in=[])
            rows = rows.filter(Q(name__icontains=text) | by_code)
        return rows
