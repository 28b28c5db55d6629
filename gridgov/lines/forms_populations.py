"""The forms of special-population records and rented houses: the one list of fields that the
desk pages and the API share (the API's schemas are made from these forms, and its payloads
are checked by them before the services see them)."""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy, pgettext_lazy

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import restrict
from gridgov.lines.models import ForeignerStay, PopulationCategory, RentalHouse, SpecialRecord
from gridgov.lines.services.populations import FACT_NAMES, RecordFacts
from gridgov.registry import queries as registry_queries
from gridgov.registry.models import House

DATE = forms.DateInput(attrs={"type": "date"})
LOCAL_TIME = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">, read in the platform's time zone


def people_in_scope(user: User) -> QuerySet:
    return registry_queries.people_for(user, Action.CHANGE)


def staff_choices(user: User) -> QuerySet:
    """Members and community staff inside the user's scope: who may be responsible."""
    rows = restrict(
        User.objects.filter(is_active=True, role__in=[Role.GRID_MEMBER, Role.COMMUNITY_STAFF]),
        user,
    )
    return rows.exclude(username__startswith="system:").distinct().order_by("username")


class RecordForm(forms.Form):
    person = forms.ModelChoiceField(
        label=gettext_lazy("Person"), queryset=None, widget=forms.HiddenInput
    )
    category = forms.ModelChoiceField(
        label=pgettext_lazy("special population", "Category"), queryset=None
    )
    risk_level = forms.IntegerField(
        label=gettext_lazy("Risk level"), min_value=0, max_value=9, initial=0
    )
    period_start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    period_end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=DATE)
    supervising_office = forms.CharField(
        label=gettext_lazy("Supervising office"), max_length=100, required=False
    )
    guardian = forms.CharField(label=gettext_lazy("Guardian"), max_length=100, required=False)
    assistance_group = forms.CharField(
        label=gettext_lazy("Assistance group"), max_length=200, required=False
    )
    responsible = forms.ModelChoiceField(
        label=gettext_lazy("Responsible member"), queryset=None, required=False
    )

    def __init__(
        self,
        data=None,
        *,
        user: User,
        category: PopulationCategory | None,
        editing: bool = False,
        initial: dict | None = None,
    ):
        super().__init__(data, initial=initial)
        self.fields["person"].queryset = people_in_scope(user)
        self.fields["category"].queryset = PopulationCategory.objects.filter(active=True)
        self.fields["responsible"].queryset = staff_choices(user)
        if editing:  # a record keeps its person, category and (through its own form) risk
            for name in ("person", "category", "risk_level"):
                del self.fields[name]
        self.detail_names = []
        for spec in (category.field_schema if category else None) or []:
            name = f"d_{spec.get('name')}"
            label = spec.get("label") or spec.get("name")
            kind = spec.get("type", "text")
            if kind == "int":
                field: forms.Field = forms.IntegerField(label=label, required=False)
            elif kind == "date":
                field = forms.DateField(label=label, required=False, widget=DATE)
            else:
                field = forms.CharField(label=label, max_length=200, required=False)
            self.fields[name] = field
            self.detail_names.append(name)

    def details(self) -> dict:
        return {
            n[2:]: (v.isoformat() if isinstance(v, datetime.date) else v)
            for n in self.detail_names
            if (v := self.cleaned_data.get(n)) not in (None, "")
        }

    def facts(self) -> RecordFacts:
        """The record's own facts (`RecordFacts`: the one list the services share)."""
        given = {n: self.cleaned_data[n] for n in FACT_NAMES if n != "details"}
        return RecordFacts(**given, details=self.details())


def record_initial(record: SpecialRecord) -> dict[str, Any]:
    """A record's facts as the form's values (the desk's edit form; the API's PATCH starts
    from them and lays the fields sent over them)."""
    values = {n: getattr(record, n) for n in FACT_NAMES if n not in ("details", "responsible")}
    values["responsible"] = record.responsible_id
    return values | {f"d_{k}": v for k, v in (record.details or {}).items()}


class RentalForm(forms.Form):
    house = forms.ModelChoiceField(
        label=gettext_lazy("House"), queryset=None, widget=forms.HiddenInput
    )
    landlord_person = forms.ModelChoiceField(
        label=gettext_lazy("Landlord (person)"),
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
    )
    landlord_org = forms.ModelChoiceField(
        label=gettext_lazy("Landlord (organization)"),
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
    )
    max_occupants = forms.IntegerField(
        label=gettext_lazy("Occupants allowed"), min_value=1, max_value=500, initial=4
    )
    duty_signed_on = forms.DateField(
        label=gettext_lazy("Registration duty signed on"), required=False, widget=DATE
    )

    def __init__(
        self, data=None, *, user: User, editing: bool = False, initial: dict | None = None
    ):
        super().__init__(data, initial=initial)
        self.fields["house"].queryset = restrict(House.objects.all(), user, Action.CHANGE)
        self.fields["landlord_person"].queryset = people_in_scope(user)
        self.fields["landlord_org"].queryset = registry_queries.organizations_for(
            user, Action.CHANGE
        )
        if editing:
            del self.fields["house"]

    def facts(self) -> dict[str, Any]:
        """The keyword arguments of `rentals.save_rental` besides the house."""
        return {n: self.cleaned_data[n] for n in RENTAL_FACTS}


RENTAL_FACTS = ["landlord_person", "landlord_org", "max_occupants", "duty_signed_on"]


def rental_initial(rental: RentalHouse) -> dict[str, Any]:
    return {
        "landlord_person": rental.landlord_person_id,
        "landlord_org": rental.landlord_org_id,
        "max_occupants": rental.max_occupants,
        "duty_signed_on": rental.duty_signed_on,
    }


class LeaseForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE)
    end = forms.DateField(label=gettext_lazy("Until"), widget=DATE)


class TenantForm(forms.Form):
    person = forms.ModelChoiceField(
        label=gettext_lazy("Tenant"), queryset=None, widget=forms.HiddenInput
    )
    moved_in = forms.DateField(label=gettext_lazy("Moved in"), widget=DATE)
    permit_expiry = forms.DateField(
        label=gettext_lazy("Residence permit expires"), required=False, widget=DATE
    )
    police_registered_on = forms.DateField(
        label=gettext_lazy("Reported to the police on"), required=False, widget=DATE
    )

    def __init__(self, data=None, *, user: User):
        super().__init__(data)
        self.fields["person"].queryset = people_in_scope(user)


class TenantActionForm(forms.Form):
    tenant = forms.IntegerField(min_value=1)
    on = forms.DateField(required=False, widget=DATE)


def _local_time_field(label, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[LOCAL_TIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_TIME),
    )


class StayForm(forms.Form):
    """A foreigner's stay outside a hotel (出境入境管理法 art. 39: registered with the police
    within 24 hours of arrival). The same fields as the API's `POST foreigners`."""

    person = forms.ModelChoiceField(
        label=gettext_lazy("Person"), queryset=None, widget=forms.HiddenInput
    )
    rental = forms.ModelChoiceField(
        label=gettext_lazy("Rented house"),
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
    )
    nationality = forms.CharField(label=gettext_lazy("Nationality"), max_length=40)
    arrived_at = _local_time_field(gettext_lazy("Arrived at"), True)
    registered_at = _local_time_field(gettext_lazy("Registered with the police at"), False)
    visa_expiry = forms.DateField(
        label=gettext_lazy("Visa or residence permit expires"), required=False, widget=DATE
    )
    left_on = forms.DateField(label=gettext_lazy("Left on"), required=False, widget=DATE)

    def __init__(
        self, data=None, *, user: User, editing: bool = False, initial: dict | None = None
    ):
        super().__init__(data, initial=initial)
        self.fields["person"].queryset = people_in_scope(user)
        self.fields["rental"].queryset = restrict(
            RentalHouse.objects.select_related("house"), user, Action.CHANGE
        )
        if editing:
            del self.fields["person"]
        else:
            del self.fields["left_on"]

    def facts(self) -> dict[str, Any]:
        """The keyword arguments of `rentals.record_stay` / `update_stay` besides the person."""
        return {n: self.cleaned_data[n] for n in STAY_FACTS if n in self.fields}


STAY_FACTS = ["nationality", "arrived_at", "registered_at", "visa_expiry", "rental", "left_on"]


def stay_initial(stay: ForeignerStay) -> dict[str, Any]:
    return {n: getattr(stay, n) for n in STAY_FACTS if n != "rental"} | {"rental": stay.rental_id}
