"""Forms of the SMS platform's pages; choices come from the asking user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import ForceType, User
from gridgov.accounts.permissions import Role
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.notify.models import GroupKind, SmsGroup, SmsTemplate, TemplateState


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _variables(text: str) -> dict[str, str]:
    result = {}
    for line in text.splitlines():
        if "=" in line:
            name, value = line.split("=", 1)
            result[name.strip()] = value.strip()
    return result


class ComposeForm(forms.Form):
    template = forms.ModelChoiceField(
        SmsTemplate.objects.none(), required=False, label=_("Template (approved)")
    )
    variables = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Variables"),
        help_text=_("One per line: name=张三"),
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "data-sms-text": ""}),
        required=False,
        label=_("Text"),
    )
    users = forms.ModelMultipleChoiceField(User.objects.none(), required=False, label=_("Staff"))
    groups = forms.ModelMultipleChoiceField(
        SmsGroup.objects.none(), required=False, label=_("Groups")
    )
    areas = forms.ModelMultipleChoiceField(
        Area.objects.none(), required=False, label=_("All staff of areas"), to_field_name="code"
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices, required=False, label=_("All staff of roles")
    )
    numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Numbers"),
        help_text=_("One per line or separated by commas"),
    )
    scheduled_at = forms.DateTimeField(
        required=False,
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = restrict(SmsTemplate.objects.all(), user).filter(
            state=TemplateState.APPROVED
        )
        self.fields["users"].queryset = restrict(User.objects.filter(is_active=True), user)
        self.fields["groups"].queryset = restrict(SmsGroup.objects.all(), user)
        self.fields["areas"].queryset = restrict(Area.objects.exclude(level="grid"), user)

    @classmethod
    def initial_from(cls, batch) -> dict:
        r = batch.recipients
        return {
            "template": batch.template_id,
            "variables": "\n".join(f"{k}={v}" for k, v in batch.variables.items()),
            "body": batch.body,
            "users": r.get("users", []),
            "groups": r.get("groups", []),
            "areas": r.get("areas", []),
            "roles": r.get("roles", []),
            "numbers": "\n".join(r.get("numbers", [])),
            "scheduled_at": batch.scheduled_at,
        }

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            "body": d["body"],
            "template": d["template"],
            "variables": _variables(d["variables"]),
            "recipients": {
                "users": [u.pk for u in d["users"]],
                "groups": [g.pk for g in d["groups"]],
                "areas": [a.code for a in d["areas"]],
                "roles": list(d["roles"]),
                "numbers": _lines(d["numbers"]),
            },
            "scheduled_at": d["scheduled_at"],
        }


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    signature = forms.CharField(
        max_length=20, label=_("Signature"), help_text=_("e.g. 金水区网格中心")
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Text"),
        help_text=_("Variables in braces: {name}"),
    )
    provider_code = forms.CharField(
        max_length=50,
        required=False,
        label=_("Provider template id"),
        help_text=_("e.g. SMS_123456"),
    )


class GroupForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    kind = forms.ChoiceField(choices=GroupKind.choices, label=_("Kind"))
    users = forms.ModelMultipleChoiceField(User.objects.none(), required=False, label=_("Staff"))
    contacts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Contacts"),
        help_text=_("One per line: name, phone"),
    )
    area = forms.ModelChoiceField(
        Area.objects.none(), required=False, label=_("Area"), to_field_name="code"
    )
    role = forms.ChoiceField(choices=[("", "—"), *Role.choices], required=False, label=_("Role"))
    force_type = forms.ChoiceField(
        choices=[("", "—"), *ForceType.choices], required=False, label=_("Grid force")
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = restrict(User.objects.filter(is_active=True), user)
        self.fields["area"].queryset = restrict(Area.objects.exclude(level="grid"), user)

    def values(self) -> dict:
        d = self.cleaned_data
        contacts = []
        for line in d["contacts"].splitlines():
            if line.strip():
                name, _sep, phone = line.rpartition(",")
                contacts.append((name.strip(), phone.strip()))
        query = {
            k: v
            for k, v in {
                "area": d["area"].code if d["area"] else "",
                "role": d["role"],
                "force_type": d["force_type"],
            }.items()
            if v
        }
        return {
            "name": d["name"],
            "kind": d["kind"],
            "users": list(d["users"]),
            "contacts": contacts,
            "query": query,
        }


class OptOutForm(forms.Form):
    phone = forms.CharField(max_length=20, label=_("Phone"))
    reason = forms.CharField(max_length=100, required=False, label=_("Reason"))
