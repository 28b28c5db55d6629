"""The forms of the dispute path and the hazard actions: one list of fields and checks that the
desk pages, the phone pages and the API share. They only check the input; the services
(`services.disputes`, `services.hazards`) check the rights and the states and make the change."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.areas import queries as area_queries
from gridgov.areas.models import Level
from gridgov.lines import parties_disputes as pickers
from gridgov.lines.models import (
    DisputeKind,
    PartyRole,
    ReferralBody,
    RiskGrade,
    Source,
)
from gridgov.lines.services import disputes as ds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what the browser reads
MAX_SCAN = 10 * 1024 * 1024
MAX_PARTIES = 100
# Where a dispute is found and registered by hand (a case's dispute has the source "case").
SOURCES = [(v, label) for v, label in Source.choices if v != Source.CASE]


def registrable_areas(user: User) -> QuerySet:
    """The communities and grids a user may register a dispute in (their change scope)."""
    return (
        area_queries.areas_for(user, Action.CHANGE)
        .active()
        .filter(level__in=[Level.COMMUNITY, Level.GRID])
        .only("code", "name", "level")
        .order_by("code")
    )


def party_lines(text: str, role: str) -> list[ds.PartyInput]:
    """One party a line (a name, at most 120 characters), blank lines skipped."""
    names = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if any(len(n) > 120 for n in names):
        raise ValidationError(gettext_lazy("A name has at most 120 characters."))
    return [ds.PartyInput(name=n, role=role) for n in names]


class LinkedPartiesField(forms.Field):
    """Parties picked from the registry, each `<kind>:<id>:<role>` (the picker's checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[pickers.Link]:
        values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        if len(values) > MAX_PARTIES:
            raise ValidationError(gettext_lazy("At most 100 parties."))
        return list(dict.fromkeys(pickers.parse(v) for v in values))


class PartiesMixin(forms.Form):
    """Parties typed by name (one a line) and parties picked from the registry (`linked`); at
    least one applicant either way."""

    applicants = forms.CharField(
        label=gettext_lazy("Applicants (one a line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=3000,
        required=False,
    )
    respondents = forms.CharField(
        label=gettext_lazy("Respondents (one a line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=3000,
        required=False,
    )
    linked = LinkedPartiesField(required=False)

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user

    def linked_chips(self) -> list[dict]:
        """The registry parties picked so far, for the page shown again (masked)."""
        if not self.is_bound:
            return []
        try:
            field = self.fields["linked"]
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix("linked"))
            links = field.clean(raw)
        except ValidationError:
            return []
        return pickers.chips(self.user, links)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        linked = pickers.resolve(self.user, data.get("linked") or [])
        parties = (
            party_lines(data.get("applicants", ""), PartyRole.APPLICANT)
            + party_lines(data.get("respondents", ""), PartyRole.RESPONDENT)
            + linked
        )
        if not any(p.role == PartyRole.APPLICANT for p in parties):
            self.add_error(
                "applicants", gettext_lazy("Name an applicant, or pick one from the registry.")
            )
        if len(parties) > MAX_PARTIES:
            raise ValidationError(gettext_lazy("At most 100 parties."))
        data["parties"] = parties
        return data


class DisputeForm(PartiesMixin):
    """Register a dispute: what, who, where, how grave."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DisputeKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area"), queryset=None, to_field_name="code", empty_label=None
    )
    risk = forms.ChoiceField(
        label=gettext_lazy("Risk grade"), choices=RiskGrade.choices, initial=RiskGrade.LOW
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=SOURCES, initial=Source.PATROL)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    mediation_body = forms.CharField(
        label=gettext_lazy("Mediation organization"), max_length=100, required=False
    )
    field_order = [
        "kind",
        "title",
        "area",
        "risk",
        "source",
        "applicants",
        "respondents",
        "place",
        "description",
        "mediation_body",
    ]

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["area"].queryset = registrable_areas(user)

    def to_input(self) -> ds.DisputeInput:
        c = self.cleaned_data
        return ds.DisputeInput(
            kind=c["kind"],
            title=c["title"],
            area_code=c["area"].code,
            risk=c["risk"],
            source=c["source"],
            description=c["description"],
            place=c["place"],
            mediation_body=c["mediation_body"],
            parties=c["parties"],
        )


class FromCaseForm(PartiesMixin):
    """A case turned into a dispute: the case gives title, place and description."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DisputeKind.choices)
    risk = forms.ChoiceField(
        label=gettext_lazy("Risk grade"), choices=RiskGrade.choices, initial=RiskGrade.LOW
    )
    field_order = ["kind", "risk", "applicants", "respondents"]


def _not_future(day: datetime.date | None) -> datetime.date | None:
    if day is not None and day > timezone.localdate():
        raise ValidationError(gettext_lazy("This date is in the future."))
    return day


class SessionForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    participants = forms.CharField(label=gettext_lazy("Participants"), max_length=500)
    record = forms.CharField(
        label=gettext_lazy("What was said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )
    agreed = forms.CharField(
        label=gettext_lazy("What was agreed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
    )

    def clean_held_on(self):
        return _not_future(self.cleaned_data["held_on"])


class AgreementForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Terms of the agreement"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )


class SignedForm(forms.Form):
    scan = forms.FileField(label=gettext_lazy("Signed scan (PDF or photo)"))
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DATE, required=False)

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        if scan.size > MAX_SCAN:
            raise ValidationError(gettext_lazy("The file is larger than 10 MB."))
        return scan

    def clean_signed_on(self):
        return _not_future(self.cleaned_data["signed_on"])


class CourtForm(forms.Form):
    applied_on = forms.DateField(label=gettext_lazy("Applied on"), widget=DATE)
    result = forms.CharField(
        label=gettext_lazy("Result of the confirmation"), max_length=200, required=False
    )


class ReferralForm(forms.Form):
    body = forms.ChoiceField(label=gettext_lazy("Receiving body"), choices=ReferralBody.choices)
    body_name = forms.CharField(label=gettext_lazy("Body name"), max_length=100, required=False)


class OutcomeForm(forms.Form):
    referral = forms.ModelChoiceField(
        label=gettext_lazy("Referral"), queryset=None, empty_label=None
    )
    accepted_on = forms.DateField(label=gettext_lazy("Accepted on"), widget=DATE, required=False)
    outcome = forms.CharField(
        label=gettext_lazy("Outcome (closes the dispute)"), max_length=500, required=False
    )

    def __init__(self, data=None, files=None, *, dispute, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["referral"].queryset = dispute.referrals.all()
        self.fields["referral"].label_from_instance = lambda r: (
            f"{r.referred_on:%Y-%m-%d} {r.get_body_display()} {r.body_name}".strip()
        )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("accepted_on") and not data.get("outcome"):
            raise ValidationError(gettext_lazy("Give the acceptance date or the outcome."))
        return data


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=gettext_lazy("Visited on"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500)
    fulfilled = forms.BooleanField(
        label=gettext_lazy("The agreement is carried out (closes the dispute)"), required=False
    )

    def clean_visited_on(self):
        return _not_future(self.cleaned_data["visited_on"])


class CloseForm(forms.Form):
    success = forms.TypedChoiceField(
        label=gettext_lazy("Mediation result"),
        choices=[
            ("1", gettext_lazy("Mediated successfully")),
            ("0", gettext_lazy("Not successful or withdrawn")),
        ],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500)


class RegradeForm(forms.Form):
    risk = forms.ChoiceField(label=gettext_lazy("Risk grade"), choices=RiskGrade.choices)


class ToCaseForm(forms.Form):
    """Nothing to fill: the dispute gives the case its title, place and description."""


# ---- hazards --------------------------------------------------------------------------------


class ReinspectForm(forms.Form):
    """复查 not yet rectified: a later deadline."""

    new_deadline = forms.DateField(label=gettext_lazy("New deadline"), widget=DATE)

    def clean_new_deadline(self):
        day = self.cleaned_data["new_deadline"]
        if day <= timezone.localdate():
            raise ValidationError(gettext_lazy("Give a later deadline."))
        return day


class HazardCloseForm(forms.Form):
    """销号: rectified, with a photo as the proof."""

    proof = forms.FileField(label=gettext_lazy("Proof (photo)"))

    def clean_proof(self):
        proof = self.cleaned_data["proof"]
        if proof.size > MAX_SCAN:
            raise ValidationError(gettext_lazy("The file is larger than 10 MB."))
        return proof


class EscalateForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class SupervisionForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Supervised by"),
        choices=[("street", gettext_lazy("Street")), ("district", gettext_lazy("District"))],
    )
    deadline = forms.DateField(
        label=gettext_lazy("Supervision deadline"), widget=DATE, required=False
    )

    def clean_deadline(self):
        day = self.cleaned_data["deadline"]
        if day is not None and day <= timezone.localdate():
            raise ValidationError(gettext_lazy("Give a later deadline."))
        return day
