"""The filters of the office's lists, each shared by its page and its API route (see
gridgov/list_filter.py): notices and work dynamics, official documents. Conversations have no
filter: both the inbox and GET /api/v1/office/conversations list all of the caller's own."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.list_filter import ListFilter
from gridgov.office import queries
from gridgov.office.models import DocStatus, NoticeKind


def _area() -> forms.CharField:
    return forms.CharField(label=_("Area"), max_length=20, required=False)


class Flag(forms.CheckboxInput):
    """A yes/no parameter read as the API reads a boolean: "0" or "false" is no (a plain
    checkbox takes any value but "false" for yes)."""

    def value_from_datadict(self, data, files, name) -> bool:
        return str(data.get(name, "")).lower() in ("1", "on", "t", "true", "y", "yes")


class NoticeFilter(ListFilter):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *NoticeKind.choices], required=False
    )
    area = _area()
    ordering = ("-published_at", "-id")

    def base(self) -> QuerySet:
        return queries.notices_for(self.user, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        return rows


class DocumentFilter(ListFilter):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *DocStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False, widget=Flag)
    area = _area()
    ordering = ("-received_at", "-id")

    def base(self) -> QuerySet:
        return queries.documents_for(self.user, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(
                Q(number__icontains=text)
                | Q(title__icontains=text)
                | Q(issuing_unit__icontains=text)
            )
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["overdue"]:
            rows = rows.filter(status=DocStatus.ASSIGNED, deadline__lt=timezone.now())
        return rows
