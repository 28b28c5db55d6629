"""The filter of the two audit lists (change log, access log; see gridgov/list_filter.py).

Audit records are kept from their subjects: an auditor never reads the rows of their own actions
or of changes to their own account; another auditor does.
"""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.audit.models import AccessLog, ChangeLog
from gridgov.list_filter import ListFilter


class _LogFilter(ListFilter):
    model: type[ChangeLog] | type[AccessLog]
    type_field = ""

    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    actor = forms.CharField(label=_("Who"), max_length=150, required=False)
    type = forms.CharField(label=_("Type"), max_length=100, required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=pgettext_lazy("date range", "To"), required=False)
    ordering = ("-time", "-id")

    def __init__(self, params, user):
        params = params.copy()
        # The pages' parameters are named from and to (a Python keyword cannot name a field).
        params.setdefault("start", params.get("from", ""))
        params.setdefault("end", params.get("to", ""))
        super().__init__(params, user, Action.READ_AUDIT)

    def base(self) -> QuerySet:
        rows = restrict(self.model.objects.all(), self.user, self.action, within=self.area_chosen())
        rows = rows.exclude(actor=self.user)
        if self.model is ChangeLog:
            rows = rows.exclude(object_type="accounts.user", object_id=str(self.user.pk))
        return rows

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if actor := data["actor"].strip():
            rows = rows.filter(actor_name__icontains=actor)
        if kind := data["type"].strip():
            rows = rows.filter(**{self.type_field: kind})
        if data["start"]:
            rows = rows.filter(time__date__gte=data["start"])
        if data["end"]:
            rows = rows.filter(time__date__lte=data["end"])
        return rows


class ChangeLogFilter(_LogFilter):
    model = ChangeLog
    type_field = "object_type"


class AccessLogFilter(_LogFilter):
    model = AccessLog
    type_field = "subject_type"
