import re

from django.http import HttpRequest, HttpResponse

from gridgov.audit import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane one from the caller); return it as X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        tokens = context.begin(
            incoming if _SAFE_ID.match(incoming) else None,
            request.META.get("REMOTE_ADDR", ""),
        )
        request.request_id = context.current_request_id()
        try:
            response = self.get_response(request)
        finally:
            context.end(tokens)
        response["X-Request-ID"] = request.request_id
        return response
