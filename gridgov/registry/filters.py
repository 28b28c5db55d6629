"""The filters of the registry's lists, each shared by its page and its API route (see
gridgov/list_filter.py): people, buildings, organizations, places, key populations, transfers."""

from django import forms
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.list_filter import ListFilter
from gridgov.registry import queries, transfers
from gridgov.registry.models import OrganizationKind, PlaceKind, RegistrationType
from gridgov.registry.models.people import KEY_CATEGORIES


def _area() -> forms.CharField:
    return forms.CharField(label=_("Area"), max_length=20, required=False)


def _text(length: int = 100) -> forms.CharField:
    return forms.CharField(label=_("Search"), max_length=length, required=False)


def _blank(choices) -> list:
    return [("", "—"), *choices]


class PeopleFilter(ListFilter):
    area = _area()
    q = _text()
    registration = forms.ChoiceField(
        label=_("Registration type"), choices=_blank(RegistrationType.choices), required=False
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=_blank([("M", _("Male")), ("F", _("Female"))]), required=False
    )
    age = forms.ChoiceField(
        label=_("Age"), choices=_blank([(b[0], b[0]) for b in queries.AGE_BANDS]), required=False
    )
    tag = forms.ChoiceField(
        label=pgettext_lazy("key population", "Category"),
        choices=_blank([("any", _("Any")), *KEY_CATEGORIES]),
        required=False,
    )
    foreigners = forms.BooleanField(label=_("Foreigners"), required=False)
    ordering = ("area_code", "id")

    def base(self) -> QuerySet:
        return queries.people_for(self.user, self.action, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["registration"]:
            rows = rows.filter(registration=data["registration"])
        if data["sex"]:
            rows = rows.filter(sex=data["sex"])
        if data["foreigners"]:
            rows = rows.filter(registration="overseas")
        band = next((b for b in queries.AGE_BANDS if b[0] == data["age"]), None)
        if band:
            rows = rows.filter(birth_date__range=queries.birth_range(band[1], band[2]))
        text = data["q"].strip()
        if text:
            # ID and phone numbers are sealed: only a whole number matches (through its blind
            # index); a part of one matches nothing rather than every name.
            digits = text.replace("-", "").replace(" ", "")
            if digits.upper().removesuffix("X").isdigit() and len(digits) >= 6:
                rows = (
                    rows.filter(id_number=digits.upper())
                    if len(digits) == 18
                    else rows.filter(phone=digits)
                )
            else:
                rows = rows.filter(queries.prefix_q("name", text))
        if self.shows_tags():
            tags = queries.tags_for(self.user).filter(person=OuterRef("pk"), until__isnull=True)
            if data["tag"] != "any":
                tags = tags.filter(category=data["tag"])
            rows = rows.filter(Exists(tags))
        return rows

    def shows_tags(self) -> bool:
        """Whether the rows are people picked by key-population tag (whose sight is logged); a
        user without that right has the parameter ignored, not leaked."""
        return bool(self.cleaned_data.get("tag")) and user_may(
            self.user, Action.VIEW_KEY_POPULATION
        )


class BuildingFilter(ListFilter):
    area = _area()
    q = _text()
    ordering = ("area_code", "code")

    def base(self) -> QuerySet:
        return queries.buildings_for(self.user, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(Q(name__icontains=text) | queries.prefix_q("code", text))
        return rows


class OrganizationFilter(ListFilter):
    area = _area()
    q = _text()
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_blank(OrganizationKind.choices), required=False
    )
    key = forms.BooleanField(label=_("Key unit"), required=False)
    ordering = ("area_code", "name", "id")

    def base(self) -> QuerySet:
        return queries.organizations_for(self.user, self.action, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(name__icontains=text)
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["key"]:
            rows = rows.filter(key_unit=True)
        return rows


class PlaceFilter(ListFilter):
    area = _area()
    q = _text()
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(PlaceKind.choices), required=False)
    ordering = ("area_code", "kind", "name", "id")

    def base(self) -> QuerySet:
        return queries.places_for(self.user, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(name__icontains=text)
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        return rows


class KeyPopulationFilter(ListFilter):
    """Open key-population tags, each with the day its person was last visited."""

    area = _area()
    q = _text()
    category = forms.ChoiceField(
        label=pgettext_lazy("key population", "Category"),
        choices=_blank(KEY_CATEGORIES),
        required=False,
    )
    ordering = ("area_code", "id")

    def base(self) -> QuerySet:
        return queries.tags_for(self.user, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["category"]:
            rows = rows.filter(category=data["category"])
        if text := data["q"].strip():
            rows = rows.filter(person__name__icontains=text)
        return (
            rows.filter(until__isnull=True)
            .select_related("person", "responsible")
            .annotate(last_visit=Max("person__visits__time"))
        )


class TransferFilter(ListFilter):
    """Transfer requests the user decides or made, newest first."""

    ordering = ("-requested_at", "-id")

    def base(self) -> QuerySet:
        return transfers.transfers_for(self.user)
