"""The filters of the special-population, rental, foreigner and ledger-warning lists, each
shared by its page and its API route (see gridgov/list_filter.py)."""

import datetime

from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.lines.models import (
    CategoryGroup,
    ForeignerStay,
    LedgerWarning,
    RecordState,
    RentalHouse,
    RiskColour,
    SpecialRecord,
    WarningKind,
)
from gridgov.lines.services.rentals import EXPIRY_NOTICE_DAYS
from gridgov.list_filter import ListFilter

YES_NO = [("", "—"), ("1", _("Yes")), ("0", _("No"))]


def _area() -> forms.CharField:
    return forms.CharField(label=_("Area"), max_length=20, required=False)


def _blank(choices) -> list:
    return [("", "—"), *choices]


class SpecialRecordFilter(ListFilter):
    """Special-population records the user may read (the special-population right), next
    visit due first."""

    area = _area()
    category = forms.SlugField(
        label=pgettext_lazy("special population", "Category"), max_length=32, required=False
    )
    group = forms.ChoiceField(
        label=_("Population group"), choices=_blank(CategoryGroup.choices), required=False
    )
    risk = forms.IntegerField(label=_("Risk level"), min_value=0, max_value=9, required=False)
    state = forms.ChoiceField(label=_("State"), choices=_blank(RecordState.choices), required=False)
    overdue = forms.ChoiceField(label=_("Visit overdue"), choices=YES_NO, required=False)

    def __init__(self, params, user, action: str = Action.VIEW_SPECIAL_POPULATION):
        super().__init__(params, user, action)

    def base(self) -> QuerySet:
        return restrict(
            SpecialRecord.objects.select_related("category", "person", "responsible"),
            self.user,
            Action.VIEW_SPECIAL_POPULATION,
            within=self.area_chosen(),
        )

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["category"]:
            rows = rows.filter(category__code=data["category"])
        if data["group"]:
            rows = rows.filter(category__group=data["group"])
        if data["risk"] is not None:
            rows = rows.filter(risk_level=data["risk"])
        if data["state"]:
            rows = rows.filter(state=data["state"])
        today = timezone.localdate()
        if data["overdue"] == "1":
            rows = rows.filter(state=RecordState.ACTIVE, next_visit_due__lt=today)
        elif data["overdue"] == "0":
            rows = rows.exclude(state=RecordState.ACTIVE, next_visit_due__lt=today)
        return rows

    def order(self, rows: QuerySet, data: dict) -> QuerySet:
        return rows.order_by(F("next_visit_due").asc(nulls_last=True), "pk")


class RentalFilter(ListFilter):
    area = _area()
    colour = forms.ChoiceField(
        label=_("Risk colour"), choices=_blank(RiskColour.choices), required=False
    )
    q = forms.CharField(label=_("House code"), max_length=48, required=False)
    ordering = ("area_code", "pk")

    def base(self) -> QuerySet:
        return restrict(
            RentalHouse.objects.select_related("house", "landlord_person", "landlord_org"),
            self.user,
            Action.VIEW,
            within=self.area_chosen(),
        )

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["colour"]:
            rows = rows.filter(risk_colour=data["colour"])
        if text := data["q"].strip():
            rows = rows.filter(house__code__icontains=text)
        return rows


class ForeignerFilter(ListFilter):
    """Foreigners' stays (the foreign-affairs right)."""

    area = _area()
    nationality = forms.CharField(label=_("Nationality"), max_length=40, required=False)
    registered = forms.ChoiceField(
        label=_("Registered with the police"), choices=YES_NO, required=False
    )
    expiring = forms.ChoiceField(label=_("Visa expiring"), choices=YES_NO, required=False)
    ordering = ("-arrived_at", "-pk")

    def __init__(self, params, user, action: str = Action.VIEW_FOREIGN_AFFAIRS):
        super().__init__(params, user, action)

    def base(self) -> QuerySet:
        return restrict(
            ForeignerStay.objects.select_related("person"),
            self.user,
            Action.VIEW_FOREIGN_AFFAIRS,
            within=self.area_chosen(),
        )

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["nationality"].strip():
            rows = rows.filter(nationality__icontains=text)
        if data["registered"] == "1":
            rows = rows.filter(registered_at__isnull=False)
        elif data["registered"] == "0":
            rows = rows.filter(registered_at__isnull=True)
        soon = timezone.localdate() + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
        if data["expiring"] == "1":
            rows = rows.filter(visa_expiry__lte=soon)
        elif data["expiring"] == "0":
            rows = rows.filter(Q(visa_expiry__isnull=True) | Q(visa_expiry__gt=soon))
        return rows


class LedgerWarningFilter(ListFilter):
    """Warnings of the populations and rentals ledgers; those about special-population
    records only for users with that right. Open ones unless `closed=1`."""

    area = _area()
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(WarningKind.choices), required=False)
    closed = forms.ChoiceField(label=_("Resolved"), choices=YES_NO, required=False)
    ordering = ("-flagged", "-raised_at", "-pk")

    def base(self) -> QuerySet:
        rows = restrict(
            LedgerWarning.objects.all(), self.user, Action.VIEW, within=self.area_chosen()
        )
        if not user_may(self.user, Action.VIEW_SPECIAL_POPULATION):
            rows = rows.filter(sensitive=False)
        return rows

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["closed"] == "1":
            rows = rows.filter(resolved_at__isnull=False)
        else:
            rows = rows.filter(resolved_at__isnull=True)
        return rows
