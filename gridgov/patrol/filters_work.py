"""The filters of the task and diary lists, shared by their pages and API routes (see
gridgov/list_filter.py)."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.list_filter import ListFilter
from gridgov.patrol.models import DiaryEntry, DiaryTag, Task, TaskKind, TaskStatus

TASK_STATES = [
    ("", _("Every state")),
    *TaskStatus.choices,
    ("overdue", _("Overdue")),
]


class TaskFilter(ListFilter):
    """Tasks in the user's scope, soonest due first."""

    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    status = forms.ChoiceField(label=_("State"), choices=TASK_STATES, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Every kind")), *TaskKind.choices], required=False
    )
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    ordering = ("due", "id")

    def base(self) -> QuerySet:
        rows = Task.objects.select_related("assignee", "person")
        return restrict(rows, self.user, self.action, within=self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["status"] == "overdue":
            rows = rows.filter(status=TaskStatus.OPEN, due__lt=timezone.now())
        elif data["status"]:
            rows = rows.filter(status=data["status"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["q"]:
            rows = rows.filter(title__icontains=data["q"])
        return rows


REVIEWED = [("", _("Reviewed or not")), ("yes", _("Reviewed")), ("no", _("Not reviewed"))]


class DiaryFilter(ListFilter):
    """Diary entries a supervisor reviews in their scope, and one's own, newest first."""

    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    tag = forms.ChoiceField(
        label=_("Tag"), choices=[("", _("Every tag")), *DiaryTag.choices], required=False
    )
    reviewed = forms.ChoiceField(label=_("Review"), choices=REVIEWED, required=False)
    ordering = ("-day", "-id")

    def base(self) -> QuerySet:
        rows = DiaryEntry.objects.select_related("author")
        within = self.area_chosen()
        supervised = restrict(rows, self.user, Action.REVIEW_DIARY, within=within)
        own = restrict(rows.filter(author=self.user), self.user, Action.REPORT, within=within)
        return supervised | own

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if data["tag"]:
            rows = rows.filter(tags__contains=data["tag"])
        if data["reviewed"] == "yes":
            rows = rows.filter(reviewed_at__isnull=False)
        elif data["reviewed"] == "no":
            rows = rows.filter(reviewed_at__isnull=True)
        return rows
