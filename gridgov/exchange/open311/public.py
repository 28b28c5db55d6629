"""Open311 on a public instance (`GRIDGOV_ROLE=public`, docs/open311.md): the same endpoints,
parameters, checks and errors as on the core (views.py), answered from what the public side
knows. A POST is queued for the core (gridgov/portal/services/relay_open311.py) and answers with
a token; `tokens/{token}` gives the service_request_id once the core has numbered the request;
`GET requests` and `requests/{id}` show the public view the core sent back for the requests
relayed from here (the instance holds no other case)."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridgov.accounts.system import OPEN311, system_user
from gridgov.exchange.open311 import mapping
from gridgov.exchange.open311.render import answer
from gridgov.exchange.open311.views import (
    BadRequest,
    _client,
    _jurisdiction,
    _posted,
    search_terms,
)

RELAY_MARGIN = datetime.timedelta(days=2)


def _relay():
    from gridgov.portal.services import relay_open311

    return relay_open311


def _shown(row) -> dict:
    return {k: row.public.get(k) for k in mapping.REQUEST_FIELDS}


def post(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    _jurisdiction(request)
    posted = _posted(request)
    try:
        row, _new = _relay().accept_request(client, posted, actor=system_user(OPEN311))
    except LookupError as exc:
        raise BadRequest(
            404, _("Unknown service_code %(c)s.") % {"c": posted.service_code}
        ) from exc
    item = {
        "token": row.token,
        "service_notice": _(
            "Received: it is passed on to the district; its service_request_id comes through "
            "tokens/{token}."
        ),
        "account_id": None,
    }
    if row.core_number:
        item = {"service_request_id": row.core_number, **item}
    return answer(fmt, "requests", [item])


def _rows():
    return _relay().numbered().order_by("-created_at", "-id")


def one_request(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    _jurisdiction(request)
    row = _rows().filter(core_number=service_request_id.strip()[:32]).first()
    if row is None:
        raise BadRequest(404, _("No such service_request_id."))
    return answer(fmt, "requests", [_shown(row)])


def _within(row, terms) -> bool:
    requested = parse_datetime(row.public.get("requested_datetime") or "")
    moment = requested or row.created_at
    return terms.start <= moment <= terms.end


def search(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request)
    terms = search_terms(request)
    rows = _rows()
    if terms.ids:
        found = {r.core_number: r for r in rows.filter(core_number__in=terms.ids)}
        return answer(fmt, "requests", [_shown(found[i]) for i in terms.ids if i in found])
    if terms.codes:
        rows = rows.filter(service_code__in=terms.codes)
    # taken here before the core made it (relayed later): the core's time decides (_within)
    rows = rows.filter(created_at__gte=terms.start - RELAY_MARGIN, created_at__lte=terms.end)
    shown = [
        _shown(r)
        for r in rows
        if _within(r, terms)
        and (len(terms.statuses) != 1 or r.public.get("status") in terms.statuses)
    ]
    first = (terms.page - 1) * terms.size
    return answer(fmt, "requests", shown[first : first + terms.size])


def token(fmt: str, token_id: str) -> HttpResponse:
    found = _relay().token_answer(token_id)
    if found is None:
        raise BadRequest(404, _("No such token."))
    return answer(fmt, "requests", [found])
