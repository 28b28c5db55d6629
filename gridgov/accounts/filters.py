"""The filters of the user and department lists (see gridgov/list_filter.py)."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import restrict
from gridgov.list_filter import ListFilter


class UserFilter(ListFilter):
    """Accounts the user may manage (their whole scope inside the manager's)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    ordering = ("username",)

    def base(self) -> QuerySet:
        return (
            restrict(User.objects.all(), self.user, Action.MANAGE_USERS)
            .select_related("department")
            .prefetch_related("scope_areas")
        )

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(Q(username__icontains=text) | Q(full_name__icontains=text))
        if data["role"]:
            rows = rows.filter(role=data["role"])
        return rows


class DepartmentFilter(ListFilter):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    ordering = ("area_code", "code")

    def base(self) -> QuerySet:
        return restrict(Department.objects.all(), self.user, self.action).select_related("area")

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        if text := data["q"].strip():
            rows = rows.filter(
                Q(code__icontains=text) | Q(name__icontains=text) | Q(line__icontains=text)
            )
        return rows
