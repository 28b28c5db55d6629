"""The kept visit page at /m/visits/: the member's due visits, drawn on the phone from the offline
bundle (`queries_visits`), each recorded into the outbox. The page holds no data of its own, so
the service worker keeps one copy and shows it in place of a visit page it has not kept when
the phone is offline."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from gridgov.mobile.views import _page


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    return _page(request, "mobile/visits.html", {"tab": "todo"})
