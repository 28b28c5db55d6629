"""The filters of the assessment lists (rankings and the cases behind a figure), each shared by
its page and its API route (see gridgov/list_filter.py). Both open on the last complete month."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Role
from gridgov.areas.models import Level
from gridgov.assessment import periods, queries
from gridgov.assessment.models import UnitKind
from gridgov.list_filter import ListFilter

DEFAULT_LEVEL = {UnitKind.AREA: Level.STREET, UnitKind.STAFF: Role.GRID_MEMBER}


class _PeriodFilter(ListFilter):
    period = forms.CharField(label=_("Period"), max_length=10, required=False)

    def clean_period(self) -> str:
        period = self.cleaned_data["period"].strip() or periods.last_complete_month()
        periods.months_of(period)  # a malformed period is the user's mistake
        return period


class _UnitFilter(_PeriodFilter):
    kind = forms.ChoiceField(
        label=_("Unit kind"),
        choices=UnitKind.choices,
        required=False,
        error_messages={"invalid_choice": _("Unknown unit kind.")},
    )

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or UnitKind.AREA


class RankingFilter(_UnitFilter):
    """Units of one kind and level (or role) ranked by score."""

    level = forms.CharField(label=_("Level"), max_length=32, required=False)
    parent = forms.CharField(label=_("Inside the area"), max_length=20, required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("score", _("Score")),
            ("mediation_success_rate", _("Mediation success rate")),
            ("rectify_on_time", _("On-time rectification")),
            ("special_visits_on_time", _("Special-population visits on time")),
        ],
        required=False,
    )

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "score"

    def clean(self):
        data = super().clean()
        if not data.get("level"):
            data["level"] = DEFAULT_LEVEL.get(data.get("kind"), "")
        return data

    def rows(self) -> dict:
        data = self.valid_data()
        return queries.ranking(
            self.user,
            data["kind"],
            data["level"],
            data["period"],
            parent=data["parent"].strip(),
            sort=data["sort"],
        )


class DrillFilter(_UnitFilter):
    """The cases behind one figure of one unit, newest first."""

    unit = forms.CharField(label=_("Unit"), max_length=32)
    indicator = forms.CharField(label=_("Indicator"), max_length=40)  # unknown: 404 below
    part = forms.ChoiceField(
        label=_("Part"),
        choices=[("numerator", _("Numerator")), ("denominator", _("Denominator"))],
        required=False,
    )

    def clean_part(self) -> str:
        return self.cleaned_data["part"] or "numerator"

    def rows(self) -> QuerySet:
        data = self.valid_data()
        cases = queries.cases_behind(
            self.user, data["kind"], data["unit"], data["period"], data["indicator"], data["part"]
        )
        return cases.order_by("-created_at", "-id")


class CardFilter(_PeriodFilter):
    """The card board of a period: counts by area and department, and the latest cards."""

    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def rows(self) -> dict:
        data = self.valid_data()
        board = queries.card_board(self.user, data["period"], area=data["area"].strip())
        latest = board["latest"]
        if text := data["q"].strip():
            # A case number is its report date and row id (20261124-1042): the id finds it.
            row_id = text.rpartition("-")[2]
            by_number = Q(case_id=int(row_id)) if row_id.isdigit() and len(row_id) < 12 else Q()
            latest = latest.filter(by_number | Q(case__title__icontains=text))
        return {**board, "latest": latest}
