"""The filter of the warning list, shared by its page and GET /api/v1/warnings (see
gridgov/list_filter.py)."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.list_filter import ListFilter
from gridgov.warnings import queries
from gridgov.warnings.models import Colour, Kind, State


class WarningFilter(ListFilter):
    """Warnings issued in the user's scope or reaching it, newest first."""

    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Every state")), *State.choices], required=False
    )
    colour = forms.ChoiceField(
        label=_("Colour level"), choices=[("", "—"), *Colour.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Kind.choices], required=False)
    ordering = ("-created_at", "-id")

    def base(self) -> QuerySet:
        return queries.warnings_for(self.user, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        for name in ("state", "colour", "kind"):
            if data[name]:
                rows = rows.filter(**{name: data[name]})
        return rows
