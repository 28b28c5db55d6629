"""The public list of reports: one filter for its page and its JSON."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.list_filter import ListFilter
from gridgov.portal import queries

STATUS_CHOICES = [
    ("", _("Any status")),
    ("open", _("Open")),
    ("closed", _("Closed")),
]


class PublicReportFilter(ListFilter):
    """Anyone's view: public reports only (never anonymous or waiting for moderation)."""

    ordering = ("-created_at", "-id")
    category = forms.IntegerField(required=False, min_value=1)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    street = forms.RegexField(required=False, regex=r"^[0-9]{6,20}$", max_length=20)

    def base(self) -> QuerySet:
        return queries.public_reports()

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data.get("category"):
            rows = rows.filter(category_id=data["category"])
        if data.get("status") == "open":
            rows = rows.filter(public_status__in=queries.OPEN_PUBLIC)
        elif data.get("status") == "closed":
            rows = rows.filter(public_status="closed")
        if data.get("street"):
            rows = rows.filter(area_code__startswith=data["street"])
        return rows
