"""The filters of the SMS platform's lists (see gridgov/list_filter.py): the composed messages by
folder, and the log of every SMS by state."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import restrict
from gridgov.list_filter import ListFilter
from gridgov.notify.models import BatchState, Delivery, OutboxStatus, SmsBatch
from gridgov.notify.sms_stats import sms_rows

FOLDERS = [
    ("drafts", _("Drafts")),
    ("scheduled", _("Scheduled")),
    ("sent", _("Sent")),
    ("archived", _("Archived")),
    ("deleted", _("Deleted")),
]


class SmsBatchFilter(ListFilter):
    folder = forms.ChoiceField(label=_("Folder"), choices=FOLDERS, required=False)
    ordering = ("-created_at", "-id")

    def base(self) -> QuerySet:
        return restrict(SmsBatch.objects.select_related("template"), self.user, self.action)

    def chosen(self) -> str:
        return (getattr(self, "cleaned_data", {}) or {}).get("folder") or "sent"

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        folder = data["folder"] or "sent"
        if folder == "deleted":
            return rows.filter(deleted_at__isnull=False)
        rows = rows.filter(deleted_at__isnull=True)
        if folder == "archived":
            return rows.filter(archived=True)
        if folder == "sent":
            return rows.filter(state=BatchState.SENT, archived=False)
        return rows.filter(state=BatchState.DRAFT if folder == "drafts" else BatchState.SCHEDULED)


class SmsLogFilter(ListFilter):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), *OutboxStatus.choices, *Delivery.choices],
        required=False,
    )
    ordering = ("-id",)

    def base(self) -> QuerySet:
        return sms_rows(self.user).select_related("template")

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        status = data["status"]
        if status in OutboxStatus.values:
            return rows.filter(status=status)
        if status in Delivery.values:
            return rows.filter(delivery=status)
        return rows
