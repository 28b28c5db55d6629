from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.registry import fields
from gridgov.registry.importing import ENTITY_LABELS
from gridgov.registry.models import (
    BuildingUse,
    HouseState,
    HouseUse,
    Organization,
    OrganizationKind,
    Place,
    PlaceKind,
    RegistrationType,
)
from gridgov.registry.models.people import KEY_CATEGORIES, OtherIdType


class EditForm(forms.Form):
    """The form of one kind of registry object: exactly its editable fields (registry/fields.py)
    and the named `extra` fields that stand for a relation (a house by its code)."""

    editable: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if set(self.base_fields) != {*self.editable, *self.extra}:
            raise ImproperlyConfigured(
                f"{type(self).__name__} must declare the fields of registry/fields.py"
            )

    def object_data(self) -> dict:
        """The cleaned values of the object's own fields (without the extras)."""
        return {k: v for k, v in self.cleaned_data.items() if k in self.editable}


class PersonForm(EditForm):
    editable = fields.PERSON
    extra = ("house_code",)

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    other_id_type = forms.ChoiceField(
        label=_("Other identifier"), choices=OtherIdType.choices, required=False
    )
    other_id = forms.CharField(label=_("Other identifier number"), max_length=40, required=False)
    former_name = forms.CharField(label=_("Former name"), max_length=50, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    registration = forms.ChoiceField(label=_("Registration type"), choices=RegistrationType.choices)
    nationality = forms.CharField(label=_("Nationality"), max_length=40, required=False)
    visa_expiry = forms.DateField(
        label=_("Visa expiry"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    house_code = forms.CharField(label=_("House code"), max_length=48, required=False)
    education = forms.CharField(label=_("Education"), max_length=20, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=50, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    marital_status = forms.CharField(label=_("Marital status"), max_length=10, required=False)
    political_status = forms.CharField(label=_("Political status"), max_length=20, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the full record?"), max_length=300)


class MergeForm(forms.Form):
    other = forms.IntegerField(
        label=_("Record number of the duplicate"), min_value=1, max_value=2**63 - 1
    )


class TagForm(EditForm):
    editable = fields.KEY_POPULATION

    category = forms.ChoiceField(
        label=pgettext_lazy("key population", "Category"), choices=KEY_CATEGORIES
    )
    level = forms.ChoiceField(
        label=_("Level of attention"),
        choices=[("low", _("Low")), ("medium", _("Medium")), ("high", _("High"))],
    )
    visit_every_days = forms.IntegerField(
        label=_("Visit every (days)"), min_value=1, max_value=365, initial=30
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BuildingForm(EditForm):
    editable = fields.BUILDING

    code = forms.CharField(label=_("Building code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Standard address"), max_length=200)
    use = forms.ChoiceField(label=_("Use"), choices=BuildingUse.choices)
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=50, initial=1)
    floors = forms.IntegerField(label=_("Floors"), min_value=1, max_value=120, initial=6)
    rooms_per_floor = forms.IntegerField(
        label=_("Rooms per floor and unit"), min_value=1, max_value=50, initial=2
    )
    built_year = forms.IntegerField(
        label=_("Year built"), min_value=1800, max_value=2100, required=False
    )
    manager = forms.CharField(label=_("Property manager"), max_length=100, required=False)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)


class HouseForm(EditForm):
    editable = fields.HOUSE

    use = forms.ChoiceField(label=_("Use"), choices=HouseUse.choices)
    state = forms.ChoiceField(label=_("State"), choices=HouseState.choices)
    floor_area = forms.FloatField(
        label=_("Floor area (m²)"), min_value=0, max_value=100000, required=False
    )
    owner_name = forms.CharField(label=_("Owner"), max_length=50, required=False)


class OrganizationForm(EditForm):
    editable = fields.ORGANIZATION

    name = forms.CharField(label=_("Name"), max_length=120)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    industry = forms.CharField(label=_("Industry"), max_length=50, required=False)
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=50, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    staff_count = forms.IntegerField(label=_("Number of employees"), min_value=0, required=False)
    security_officer = forms.CharField(label=_("Security officer"), max_length=50, required=False)
    fire_officer = forms.CharField(label=_("Fire safety officer"), max_length=50, required=False)
    key_unit = forms.BooleanField(label=_("Key unit"), required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=Organization._meta.get_field("state").choices, required=False
    )
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)

    def clean_state(self) -> str:
        return self.cleaned_data["state"] or Organization._meta.get_field("state").default


class PlaceForm(EditForm):
    editable = fields.PLACE

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlaceKind.choices)
    category_code = forms.CharField(label=_("Category code"), max_length=12, required=False)
    component_code = forms.CharField(
        label=_("Component ID (16 digits)"), max_length=16, required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=Place._meta.get_field("state").choices, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)

    def clean_state(self) -> str:
        return self.cleaned_data["state"] or Place._meta.get_field("state").default


class ImportForm(forms.Form):
    entity = forms.ChoiceField(label=_("What the file holds"), choices=list(ENTITY_LABELS.items()))
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))


class ExportReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why do you export full personal data?"), max_length=300)
