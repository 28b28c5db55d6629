"""The form that registers a client system; the page and the API check the same things in the
service (issue_client)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.areas.models import Area, Level
from gridgov.exchange.models import ClientKind
from gridgov.exchange.services.clients import check_data_kinds


def parse_data_kinds(text: str) -> list[str]:
    """Kinds of data typed one per line or separated by commas or spaces."""
    kinds = [k for k in re.split(r"[\s,，;；]+", text.strip()) if k]
    try:
        return check_data_kinds(kinds)
    except ValidationError as exc:
        raise forms.ValidationError(exc.message_dict["data_kinds"]) from exc


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClientKind.choices)
    owner_unit = forms.CharField(label=_("Owner unit"), max_length=100, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        to_field_name="code",
        help_text=_("The client sees and sends data of these areas and all below them."),
    )
    data_kinds = forms.CharField(
        label=_("Kinds of data"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Event types or data sets, one per line; * for all, case.* for all of cases."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = (  # type: ignore[attr-defined]
            Area.objects.active()
            .filter(level__in=[Level.CITY, Level.DISTRICT, Level.STREET])
            .order_by("code")
        )

    def clean_data_kinds(self) -> list[str]:
        return parse_data_kinds(self.cleaned_data.get("data_kinds") or "")
