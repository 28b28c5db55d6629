from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.areas import queries as area_queries
from gridgov.audit import filters, labels


def _page(request, listing):
    if not user_may(request.user, Action.READ_AUDIT):
        raise PermissionDenied
    return Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))


def _context(request, page, tab: str, listing) -> dict:
    choices = area_queries.picker_choices(request.user)
    return {"nav": "audit", "page": page, "tab": tab, "area_choices": choices, "listing": listing}


@login_required
@require_safe
def changes(request):
    listing = filters.ChangeLogFilter(request.GET, request.user)
    page = _page(request, listing)
    for e in page:
        e.field_labels = [labels.field_label(e.object_type, f) for f in e.changed_fields]
        e.type_label = labels.type_label(e.object_type)
    return render(request, "audit/changes.html", _context(request, page, "changes", listing))


@login_required
@require_safe
def accesses(request):
    listing = filters.AccessLogFilter(request.GET, request.user)
    page = _page(request, listing)
    for e in page:
        e.field_labels = [labels.field_label(e.subject_type, f) for f in e.fields]
        e.type_label = labels.type_label(e.subject_type)
        e.purpose_label = labels.purpose_label(e.purpose)
    return render(request, "audit/accesses.html", _context(request, page, "access", listing))
