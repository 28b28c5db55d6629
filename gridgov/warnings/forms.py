"""The warning form, shared by the pages and the API (which hands it the JSON body)."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area, Level
from gridgov.warnings.models import CapStatus, Certainty, Colour, Kind, Outcome, RuleKind, Warning
from gridgov.warnings.services import WarningInput

POLYGON_HELP = _(
    "Optional: a GeoJSON Polygon or MultiPolygon (a Feature or FeatureCollection will do), "
    "coordinates as [longitude, latitude]."
)


def issuing_areas(user) -> list[Area]:
    """The areas the user may issue from: their own areas and, for a higher level, those below
    down to communities."""
    qs = restrict(Area.objects.active(), user, Action.ISSUE_WARNING).exclude(level=Level.GRID)
    return list(qs.only("code", "name", "level").order_by("code")[:500])


def target_areas(user) -> list[Area]:
    return list(
        restrict(Area.objects.active(), user, Action.ISSUE_WARNING)
        .only("code", "name", "level")
        .order_by("code")[:2000]
    )


def _geometries(value) -> list[dict]:
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        return [f.get("geometry") for f in value.get("features") or [] if isinstance(f, dict)]
    if isinstance(value, dict) and value.get("type") == "Feature":
        return [value.get("geometry")]
    if isinstance(value, list):
        return [g for item in value for g in _geometries(item)]
    return [value]


class WarningForm(forms.Form):
    area_code = forms.ChoiceField(label=_("Issuing area"))
    event = forms.CharField(label=_("Event"), max_length=100)
    colour = forms.ChoiceField(label=_("Colour level"), choices=Colour.choices)
    certainty = forms.ChoiceField(
        label=_("Certainty"), choices=Certainty.choices, initial=Certainty.LIKELY
    )
    status = forms.ChoiceField(label=_("Status"), choices=CapStatus.choices)
    onset = forms.DateTimeField(label=_("Onset"), required=False)
    expires = forms.DateTimeField(label=_("Expires"), required=False)
    headline = forms.CharField(label=_("Headline"), max_length=160)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    instruction = forms.CharField(label=_("Instruction"), widget=forms.Textarea, required=False)
    target_codes = forms.MultipleChoiceField(label=_("Target areas"), required=False)
    polygons = forms.CharField(
        label=_("Drawn polygon (GeoJSON)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=POLYGON_HELP,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [(a.code, a.name) for a in issuing_areas(user)]
        self.fields["target_codes"].choices = [
            (a.code, ("　" * max(0, Level.order().index(a.level) - 1)) + a.name)
            for a in target_areas(user)
        ]

    def clean_polygons(self) -> list[dict]:
        text = self.cleaned_data.get("polygons") or ""
        if not text.strip():
            return []
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("The polygon is not valid JSON.")) from exc
        return _geometries(value)

    def to_input(self) -> WarningInput:
        d = self.cleaned_data
        return WarningInput(
            event=d["event"],
            colour=d["colour"],
            headline=d["headline"],
            description=d["description"],
            instruction=d["instruction"],
            certainty=d["certainty"],
            status=d["status"],
            onset=d["onset"],
            expires=d["expires"],
            target_codes=list(d["target_codes"]),
            polygons=d["polygons"],
        )

    @staticmethod
    def initial_from(warning: Warning) -> dict:
        return {
            "area_code": warning.area_code,
            "event": warning.event,
            "colour": warning.colour,
            "certainty": warning.certainty,
            "status": warning.status,
            "onset": warning.onset,
            "expires": warning.expires,
            "headline": warning.headline,
            "description": warning.description,
            "instruction": warning.instruction,
            "target_codes": warning.target_codes,
            "polygons": json.dumps(warning.polygons) if warning.polygons else "",
        }


class ForwardForm(forms.Form):
    area_code = forms.ChoiceField(label=_("Forward as"))
    instruction = forms.CharField(label=_("Local instructions"), widget=forms.Textarea)

    def __init__(self, *args, user, warning: Warning, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [
            (a.code, a.name)
            for a in issuing_areas(user)
            if a.code.startswith(warning.area_code) and a.code != warning.area_code
        ]


FOLLOW_UP_KINDS = [
    (Kind.UPDATE, Kind.UPDATE.label),
    (Kind.CANCEL, Kind.CANCEL.label),
    (Kind.ALL_CLEAR, Kind.ALL_CLEAR.label),
]


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Follow-up"), choices=FOLLOW_UP_KINDS)


class CapImportForm(forms.Form):
    area_code = forms.ChoiceField(label=_("Import as a draft of"))
    file = forms.FileField(label=_("CAP 1.2 XML file"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [(a.code, a.name) for a in issuing_areas(user)]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    area_code = forms.ChoiceField(label=_("Area watched"))
    colour = forms.ChoiceField(label=_("Colour level"), choices=Colour.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    alpha = forms.FloatField(label=_("False-alarm level per week"), min_value=1e-6, max_value=0.5)
    every_days = forms.IntegerField(label=_("Run every (days)"), min_value=1, max_value=90)
    params = forms.JSONField(label=_("Parameters (JSON)"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [(a.code, a.name) for a in issuing_areas(user)]
