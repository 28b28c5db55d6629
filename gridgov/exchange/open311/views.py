"""The GeoReport v2 endpoints. No login: reading is public (only allow-listed categories, no
reporter, points snapped), POSTing needs an API key of an Open311 client system."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.accounts.system import OPEN311, system_user
from gridgov.cases.models import Case
from gridgov.cases.models.case import FINAL_STATUSES
from gridgov.exchange.models import ClientKind, Open311Token
from gridgov.exchange.open311 import mapping
from gridgov.exchange.open311.render import answer, error
from gridgov.exchange.services.clients import authenticate_client
from gridgov.exchange.services.open311 import PostedRequest, submit_request

MAX_WINDOW = datetime.timedelta(days=90)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_IDS = 100


class BadRequest(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _param(request: HttpRequest, name: str, limit: int = 200) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None:
        value = request.GET.get(name, "")
    if len(value) > limit:
        raise BadRequest(400, _("%(name)s is too long.") % {"name": name})
    return value


def _jurisdiction(request: HttpRequest) -> str:
    """The area code the jurisdiction_id names (optional: one platform, one jurisdiction)."""
    given = _param(request, "jurisdiction_id", 40).strip()
    found = mapping.jurisdictions()
    if not given:
        return next(iter(found), "")
    if given not in found:
        raise BadRequest(404, _("jurisdiction_id %(j)s is not served here.") % {"j": given})
    return given


def _public():
    """The answers of a public instance (`GRIDGOV_ROLE=public`): from what it relays."""
    from gridgov.exchange.open311 import public

    return public


def _guarded(view):
    def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        try:
            return view(request, fmt, **kwargs)
        except BadRequest as exc:
            return error(fmt, exc.status, exc.description)
        except PermissionDenied as exc:
            return error(fmt, 403, str(exc) or _("Not allowed."))
        except ValidationError as exc:
            return error(fmt, 400, "; ".join(exc.messages))

    wrapper.__wrapped__ = view  # type: ignore[attr-defined]
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_http_methods(["GET"])
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the endpoints are and what they speak."""
    base = request.build_absolute_uri(reverse("open311-services", args=["json"]))
    base = base.rsplit("/services.json", 1)[0] + "/"
    return answer(
        fmt,
        "discovery",
        {
            "changeset": "2026-12-01T00:00:00+08:00",
            "contact": _("The district's command centre"),
            "key_service": _("Ask the platform's administrators for an API key."),
            "endpoints": [
                {
                    "specification": mapping.SPEC_URL,
                    "url": base,
                    "changeset": "2026-12-01T00:00:00+08:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@require_http_methods(["GET"])
@_guarded
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request)
    return answer(fmt, "services", [mapping.service_dict(c) for c in mapping.public_categories()])


@require_http_methods(["GET"])
@_guarded
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    _jurisdiction(request)
    category = mapping.public_category(service_code)
    if category is None:
        raise BadRequest(404, _("Unknown service_code %(c)s.") % {"c": service_code[:20]})
    return answer(fmt, "service_definition", {"service_code": category.code, "attributes": []})


def _reachable(jurisdiction: str):
    """The cases of the jurisdiction Open311 may show (before the category allow-list)."""
    rows = restrict(Case.objects.all(), system_user(OPEN311), Action.VIEW, within=jurisdiction)
    return rows.select_related("category", "department").only(*mapping.SHOWN)


def _public_cases(jurisdiction: str):
    allowed = list(mapping.public_codes().values())
    return _reachable(jurisdiction).filter(category_id__in=allowed)


def _date(request: HttpRequest, name: str) -> datetime.datetime | None:
    text = _param(request, name, 40).strip()
    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(400, _("%(name)s is not a date and time (ISO 8601).") % {"name": name})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    text = _param(request, name, 10).strip()
    if not text:
        return default
    if not text.isdigit() or not (low <= int(text) <= high):
        raise BadRequest(
            400,
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high},
        )
    return int(text)


def _by_ids(rows, text: str) -> list[Case]:
    wanted = [t.strip() for t in text.split(",") if t.strip()][:MAX_IDS]
    ids = {mapping.parse_request_id(t): t for t in wanted}
    ids.pop(None, None)
    found = {c.pk: c for c in rows.filter(pk__in=list(ids))}
    return [
        found[pk] for pk, t in ids.items() if pk in found and mapping.request_id(found[pk]) == t
    ]


@require_http_methods(["GET"])
@_guarded
def one_request(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    if settings.GRIDGOV_ROLE == "public":
        return _public().one_request(request, fmt, service_request_id)
    rows = _public_cases(_jurisdiction(request))
    found = _by_ids(rows, service_request_id[:40])
    if not found:
        raise BadRequest(404, _("No such service_request_id."))
    return answer(fmt, "requests", [mapping.RequestRow(c).as_dict() for c in found])


@dataclass
class Search:
    """The filters of GET requests, checked (the same on the core and a public instance)."""

    ids: list[str]
    codes: list[str]
    statuses: set[str]
    start: datetime.datetime
    end: datetime.datetime
    size: int
    page: int


def search_terms(request: HttpRequest) -> Search:
    ids = [t.strip() for t in _param(request, "service_request_id", 2000).split(",") if t.strip()]
    codes = [c.strip() for c in _param(request, "service_code", 400).split(",") if c.strip()]
    statuses = {s.strip() for s in _param(request, "status", 40).split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise BadRequest(400, _("status is open, closed or both."))
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start and end and start > end:
        raise BadRequest(400, _("start_date is after end_date."))
    if start and end and end - start > MAX_WINDOW:
        raise BadRequest(400, _("start_date and end_date may be at most 90 days apart."))
    if end is None:
        end = start + MAX_WINDOW if start else timezone.now()
    if start is None:
        start = end - MAX_WINDOW
    size = _int(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _int(request, "page", 1, 1, 100_000)
    return Search(ids[:MAX_IDS], codes[:50], statuses, start, end, size, page)


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    terms = search_terms(request)
    if terms.ids:
        found = _by_ids(_public_cases(jurisdiction), ",".join(terms.ids))
        return answer(fmt, "requests", [mapping.RequestRow(c).as_dict() for c in found])
    allowed = mapping.public_codes()
    if terms.codes:
        allowed = {code: pk for code, pk in allowed.items() if code in terms.codes}
    rows = _reachable(jurisdiction)
    if terms.statuses == {"open"}:
        rows = rows.exclude(status__in=FINAL_STATUSES)
    elif terms.statuses == {"closed"}:
        rows = rows.filter(status__in=FINAL_STATUSES)
    size, page = terms.size, terms.page
    if not allowed:
        return answer(fmt, "requests", [])
    rows = mapping.newest_first(rows, list(allowed.values()), terms.start, terms.end)
    rows = rows[(page - 1) * size : page * size]
    return answer(fmt, "requests", mapping.request_dicts(rows))


def _client(request: HttpRequest):
    key = _param(request, "api_key", 200)
    client = authenticate_client(key, kind=ClientKind.OPEN311) if key else None
    if client is None:
        raise BadRequest(403, _("Invalid api_key received -- can't proceed with create_request."))
    return client


def _posted(request: HttpRequest) -> PostedRequest:
    """The fields of a POST (form-encoded, or in the query string), checked for length."""

    def number(name: str) -> float | None:
        text = _param(request, name, 40).strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError as exc:
            raise BadRequest(400, _("%(name)s is not a number.") % {"name": name}) from exc

    posted = PostedRequest(
        service_code=_param(request, "service_code", 12).strip(),
        lat=number("lat"),
        long=number("long"),
        address_string=_param(request, "address_string", 200),
        address_id=_param(request, "address_id", 40).strip(),
        description=_param(request, "description", 4000),
        first_name=_param(request, "first_name", 50),
        last_name=_param(request, "last_name", 50),
        phone=_param(request, "phone", 30),
        email=_param(request, "email", 100),
        device_id=_param(request, "device_id", 100),
        account_id=_param(request, "account_id", 100),
        media_url=_param(request, "media_url", 500),
        idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
    )
    if not posted.service_code:
        raise BadRequest(400, _("service_code is required."))
    return posted


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    _jurisdiction(request)
    posted = _posted(request)
    try:
        token, case, _created = submit_request(system_user(OPEN311), client, posted)
    except LookupError as exc:
        raise BadRequest(
            404, _("Unknown service_code %(c)s.") % {"c": posted.service_code}
        ) from exc
    return answer(
        fmt,
        "requests",
        [
            {
                "service_request_id": mapping.request_id(case),
                "token": token.token,
                "service_notice": _("The grid of this place will handle it; follow it by its id."),
                "account_id": None,
            }
        ],
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guarded
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: search requests (last 90 days by default); POST: a new request (needs api_key)."""
    if settings.GRIDGOV_ROLE == "public":
        here = _public()
        return here.post(request, fmt) if request.method == "POST" else here.search(request, fmt)
    if request.method == "POST":
        return _post(request, fmt)
    return _search(request, fmt)


@require_http_methods(["GET"])
@_guarded
def token(request: HttpRequest, fmt: str, token_id: str) -> HttpResponse:
    _jurisdiction(request)
    if settings.GRIDGOV_ROLE == "public":
        return _public().token(fmt, token_id)
    row = Open311Token.objects.filter(token=token_id[:40]).select_related("case").first()
    if row is None:
        raise BadRequest(404, _("No such token."))
    return answer(
        fmt,
        "requests",
        [
            {
                "service_request_id": mapping.request_id(row.case) if row.case else None,
                "token": row.token,
            }
        ],
    )
