"""The forms of the office pages, shared by the views (the API takes the same fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Role
from gridgov.office.models import NoticeKind, Urgency

SECRECY_INPUT = [
    ("none", _("Not classified (非密)")),
    ("internal", _("Internal (内部)")),
    ("secret", _("Secret (秘密) — refused")),
    ("confidential", _("Confidential (机密) — refused")),
    ("top_secret", _("Top secret (绝密) — refused")),
]


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("title"), max_length=120)
    body = forms.CharField(label=_("text"), widget=forms.Textarea, required=False, max_length=20000)
    area = forms.CharField(label=_("published to"), max_length=20)
    roles = forms.MultipleChoiceField(
        label=_("only these roles"), choices=Role.choices, required=False
    )
    requires_ack = forms.BooleanField(label=_("acknowledgement required"), required=False)


class DocumentForm(forms.Form):
    number = forms.CharField(label=_("document number"), max_length=60)
    title = forms.CharField(label=_("title"), max_length=200)
    issuing_unit = forms.CharField(label=_("issuing unit"), max_length=100)
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices)
    secrecy = forms.ChoiceField(label=_("secrecy level"), choices=SECRECY_INPUT)
    summary = forms.CharField(
        label=_("summary"), widget=forms.Textarea, required=False, max_length=2000
    )
    area = forms.CharField(label=_("held by"), max_length=20)
    main = forms.MultipleChoiceField(label=_("main recipients"), choices=())
    copies = forms.MultipleChoiceField(label=_("copied recipients"), choices=(), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main"].choices = units
        self.fields["copies"].choices = units
