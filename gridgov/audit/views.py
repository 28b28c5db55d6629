import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.areas import queries as area_queries
from gridgov.audit import labels
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
    rows = _without_own_records(
        restrict(queryset, request.user, Action.READ_AUDIT, within=params.get("area", "").strip()),
        request.user,
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


def _without_own_records(rows, user):
    """Audit records are kept from their subjects: an auditor never reads the rows of their own
    actions or of changes to their own account; another auditor does. (No page edits or deletes
    a row: these views only read.)"""
    rows = rows.exclude(actor=user)
    if rows.model is ChangeLog:
        rows = rows.exclude(object_type="accounts.user", object_id=str(user.pk))
    return rows


def _context(request, page, tab: str) -> dict:
    choices = area_queries.picker_choices(request.user)
    return {"nav": "audit", "page": page, "tab": tab, "area_choices": choices}


@login_required
@require_safe
def changes(request):
    page = _filtered(request, ChangeLog.objects.all(), "object_type")
    for e in page:
        e.field_labels = [labels.field_label(e.object_type, f) for f in e.changed_fields]
        e.type_label = labels.type_label(e.object_type)
    return render(request, "audit/changes.html", _context(request, page, "changes"))


@login_required
@require_safe
def accesses(request):
    page = _filtered(request, AccessLog.objects.all(), "subject_type")
    for e in page:
        e.field_labels = [labels.field_label(e.subject_type, f) for f in e.fields]
        e.type_label = labels.type_label(e.subject_type)
        e.purpose_label = labels.purpose_label(e.purpose)
    return render(request, "audit/accesses.html", _context(request, page, "access"))
