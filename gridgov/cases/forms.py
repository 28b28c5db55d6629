from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.areas.forms import CRS_CHOICES
from gridgov.cases.models import Category, Urgency


def category_choices():
    majors = {}
    for c in Category.objects.filter(active=True).order_by("kind", "code"):
        if c.parent_id is None:
            majors[c.pk] = (f"{c.get_kind_display()} · {c.name}", [])
        else:
            majors.setdefault(c.parent_id, (str(c.parent_id), []))[1].append(
                (c.code, f"{c.name}（{c.code}）")
            )
    return [("", "—")] + [(label, options) for label, options in majors.values() if options]


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    description = forms.CharField(
        label=_("What is wrong?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    crs = forms.ChoiceField(choices=CRS_CHOICES, initial="wgs84", widget=forms.HiddenInput)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class HotlineForm(ReportForm):
    caller_name = forms.CharField(label=_("Caller's name"), max_length=50)
    caller_phone = forms.RegexField(
        label=_("Caller's phone"), regex=r"^[0-9+\-]{5,20}$", max_length=20
    )
