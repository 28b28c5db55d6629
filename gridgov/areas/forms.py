from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.areas.crs import Crs
from gridgov.areas.models import GridKind, Risk

CRS_CHOICES = [
    (Crs.WGS84, _("WGS-84 (GPS, Tianditu)")),
    (Crs.GCJ02, _("GCJ-02 (AMap, Tencent)")),
    (Crs.BD09, _("BD-09 (Baidu)")),
]


class AreaForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(
        label=_("Grid kind"), choices=GridKind.choices, initial=GridKind.REGULAR
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AreaEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Grid kind"), choices=GridKind.choices)
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveForm(forms.Form):
    parent_code = forms.CharField(label=_("New parent code"), max_length=20)
    new_code = forms.CharField(
        label=_("New code (empty: the next free one)"), max_length=20, required=False
    )


class RetireForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=500)


class BoundaryForm(forms.Form):
    geometry = forms.CharField(
        label=_("Boundary (GeoJSON)"), widget=forms.HiddenInput, required=False
    )
    file = forms.FileField(label=_("…or upload a GeoJSON file"), required=False)
    crs = forms.ChoiceField(label=_("Coordinate system"), choices=CRS_CHOICES, initial=Crs.WGS84)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON file (FeatureCollection)"))
    crs = forms.ChoiceField(label=_("Coordinate system"), choices=CRS_CHOICES, initial=Crs.WGS84)
