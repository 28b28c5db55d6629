"""A case on the phone, for the member who verifies it in the field: what was reported, what the
handler reported back (notes and photos), and the two verify steps (solved, or back for rework
with a reason). Every other step stays on the desk's case page, linked."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from gridgov.cases import queries as case_queries
from gridgov.cases.services import allowed_actions
from gridgov.mobile.views import _page

PHONE_STEPS = ("verify_pass", "verify_fail")


@login_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    found = case_queries.get_case_for_user(request.user, pk)
    steps = [t for t in allowed_actions(found, request.user) if t.action in PHONE_STEPS]
    events = found.events.prefetch_related("attachments").order_by("-time", "-id")[:6]
    return _page(
        request,
        "mobile/case.html",
        {
            "tab": "todo",
            "case": found,
            "steps": steps,
            "events": events,
            "attachments": found.attachments.all(),
        },
    )
