"""The filter of the case lists (the queue page and GET /api/v1/cases), shared by both (see
gridgov/list_filter.py)."""

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.cases import queries
from gridgov.cases.models import Category, Status
from gridgov.list_filter import ListFilter

# Work queues list the nearest deadline first; the others the newest case first.
NEWEST_FIRST = ("all", "mine")


class CaseFilter(ListFilter):
    queue = forms.ChoiceField(
        label=_("Queue"), choices=list(queries.QUEUE_LABELS.items()), required=False
    )
    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Status.choices], required=False
    )
    category = forms.CharField(label=_("Category"), max_length=12, required=False)
    since = forms.DateField(label=_("Reported since"), required=False)

    def queue_name(self) -> str:
        return getattr(self, "cleaned_data", {}).get("queue") or "all"

    def base(self) -> QuerySet:
        return queries.queue(self.user, self.queue_name(), self.area_chosen())

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(
                Q(title__icontains=text)
                | Q(description__icontains=text)
                | Q(address__icontains=text)
            )
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if code := data["category"].strip():
            rows = rows.filter(Q(category__code=code) | Q(category__parent__code=code))
        if data["since"]:
            rows = rows.filter(created_at__date__gte=data["since"])
        return rows.select_related("category", "department")

    def order(self, rows: QuerySet, data: dict) -> QuerySet:
        if self.queue_name() in NEWEST_FIRST:
            return rows.order_by("-created_at", "-id")
        return rows.order_by("stage_deadline", "-id")


class CategoryFilter(ListFilter):
    """The case classes on the settings page (the taxonomy belongs to no area: the page checks
    the right to edit settings)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    ordering = ("kind", "code")

    def base(self) -> QuerySet:
        return Category.objects.select_related("parent").annotate(
            n_limits=Count("limits", distinct=True), n_grades=Count("grade_rules", distinct=True)
        )

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(
                Q(code__icontains=text)
                | Q(name__icontains=text)
                | Q(department_line__icontains=text)
            )
        return rows
