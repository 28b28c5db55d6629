"""The one versioned JSON API, /api/v1/, with its OpenAPI schema and a browsable docs page.

Every error answers the same shape: {"code": ..., "message": ..., "details": ...}, with a message
a person can act on, in the caller's language.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from gridgov.accounts.auth import API_AUTH
from gridgov.input_guard import GuardedParser, InputRefused
from gridgov.registry.transfers import HeldElsewhere, MatchLimitReached

api = NinjaAPI(
    title="gridgov API",
    version="1",
    description=(
        "网格化社会治理信息平台 gridgov — JSON API. Authenticate with a bearer token from "
        "`POST /api/v1/auth/token` or with the browser session. Errors answer "
        '`{"code": ..., "message": ..., "details": ...}`.'
    ),
    auth=API_AUTH,
    parser=GuardedParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error(request: HttpRequest, status: int, code: str, message: str, details=None):
    return api.create_response(
        request, {"code": code, "message": message, "details": details}, status=status
    )


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form", "file")]
    return ".".join(parts) or "body"


@api.exception_handler(SchemaValidationError)
def _schema_invalid(request, exc):
    details = [
        {"field": _field_name(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors
    ]
    fields = ", ".join(sorted({d["field"] for d in details}))
    return error(
        request,
        422,
        "invalid",
        _("Some input is invalid: %(fields)s.") % {"fields": fields},
        details,
    )


@api.exception_handler(ValidationError)
def _service_invalid(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        by_field = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        message = " ".join(m for msgs in by_field.values() for m in msgs)
        return error(request, 400, "invalid", message, by_field)
    messages = [str(m) for m in exc.messages]
    return error(request, 400, "invalid", " ".join(messages), messages)


@api.exception_handler(HeldElsewhere)
def _held_elsewhere(request, exc: HeldElsewhere):
    message = " ".join(exc.messages)
    details = {"transfer_request": exc.transfer.pk if exc.transfer is not None else None}
    return error(request, 409, "held_elsewhere", message, details)


@api.exception_handler(MatchLimitReached)
def _match_limit(request, exc):
    return error(request, 429, "rate_limited", str(exc))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", _("Not found, or not within your scope."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", _("Log in or send a valid bearer token."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    refused = exc if isinstance(exc, InputRefused) else exc.__cause__
    if isinstance(refused, InputRefused):  # the parser's refusals (ninja wraps the body's)
        return error(request, refused.status_code, refused.code, str(refused))
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
        return error(request, 400, "malformed", message)
    return error(request, exc.status_code, "error", message)


def _register_routers() -> None:
    from gridgov.accounts.api import router as accounts_router
    from gridgov.areas.api import router as areas_router
    from gridgov.assessment.api import router as assessment_router
    from gridgov.cases.api import router as cases_router
    from gridgov.cases.calendar_api import router as calendar_router
    from gridgov.dashboard.api import router as dashboard_router
    from gridgov.exchange.api import router as exchange_router
    from gridgov.jobs.api import router as jobs_router
    from gridgov.lines.api import router as lines_router
    from gridgov.mobile.api import router as mobile_router
    from gridgov.office.api import router as office_router
    from gridgov.patrol.api import router as patrol_router
    from gridgov.portal.api import router as portal_router
    from gridgov.registry.api import router as registry_router
    from gridgov.warnings.api import router as warnings_router

    api.add_router("", accounts_router)
    api.add_router("", areas_router)
    api.add_router("", jobs_router)
    api.add_router("", cases_router)
    api.add_router("", calendar_router)
    api.add_router("", registry_router)
    api.add_router("", assessment_router)
    api.add_router("", dashboard_router)
    api.add_router("", warnings_router)
    api.add_router("", office_router)
    api.add_router("", patrol_router)
    api.add_router("", mobile_router)
    api.add_router("", lines_router)
    api.add_router("", portal_router)
    api.add_router("", exchange_router)


_register_routers()
