"""Open311 on a public instance (`GRIDGOV_ROLE=public`, docs/open311.md): the same endpoints,
parameters, checks and errors as on the core (views.py), answered from what the public side
knows. A POST is queued for the core (gridgov/portal/services/relay_open311.py) and answers with
a token; `tokens/{token}` gives the service_request_id once the core has numbered the request;
`GET requests` and `requests/{id}` show the public view the core sent back for the requests
relayed from here (the instance holds no other case)."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from gridgov.accounts.system import OPEN311, system_user
from gridgov.exchange.open311.render import answer
from gridgov.exchange.open311.views import (
    BadRequest,
    _client,
    _jurisdiction,
    _posted,
    search_terms,
)


def _relay():
    from gridgov.portal.services import relay_open311

    return relay_open311


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


def one_request(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    _jurisdiction(request)
    number = service_request_id.strip()[:32]
    found = _relay().public_requests([number])
    if number not in found:
        raise BadRequest(404, _("No such service_request_id."))
    return answer(fmt, "requests", [found[number]])


def search(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request)
    terms = search_terms(request)
    if terms.ids:
        found = _relay().public_requests(terms.ids)
        return answer(fmt, "requests", [found[i] for i in terms.ids if i in found])
    page = _relay().public_page(
        codes=terms.codes,
        statuses=terms.statuses,
        start=terms.start,
        end=terms.end,
        first=(terms.page - 1) * terms.size,
        size=terms.size,
    )
    return answer(fmt, "requests", page)


def token(fmt: str, token_id: str) -> HttpResponse:
    found = _relay().token_answer(token_id)
    if found is None:
        raise BadRequest(404, _("No such token."))
    return answer(fmt, "requests", [found])
