import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.audit.models import AccessLog, ChangeLog


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _filtered(request, queryset, type_field: str):
    if not user_may(request.user, Action.READ_AUDIT):
        raise PermissionDenied
    params = request.GET
    rows = restrict(
        queryset, request.user, Action.READ_AUDIT, within=params.get("area", "").strip()
    )
    if actor := params.get("actor", "").strip():
        rows = rows.filter(actor_name__icontains=actor)
    if kind := params.get("type", "").strip():
        rows = rows.filter(**{type_field: kind})
    if start := _date(params.get("from", "")):
        rows = rows.filter(time__date__gte=start)
    if end := _date(params.get("to", "")):
        rows = rows.filter(time__date__lte=end)
    return Paginator(rows, 50).get_page(params.get("page"))


@login_required
def changes(request):
    page = _filtered(request, ChangeLog.objects.all(), "object_type")
    return render(request, "audit/changes.html", {"nav": "audit", "page": page, "tab": "changes"})


@login_required
def accesses(request):
    page = _filtered(request, AccessLog.objects.all(), "subject_type")
    return render(request, "audit/accesses.html", {"nav": "audit", "page": page, "tab": "access"})
