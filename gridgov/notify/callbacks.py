"""The SMS gateway's calls back into the platform — delivery reports and inbound texts — come at
the rate messages go out: hundreds a second while a city-wide warning is sent. They carry no
session, cookie, form or signed-in user (each is authenticated by its own token), so the web front
serves them through a Django handler with two middlewares instead of the site's sixteen, and a URL
list of their two routes. Under a warning's load that halves the web front's work per report.
Every other path goes to the site's handler unchanged."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.urls import path
from django.utils.module_loading import import_string

from gridgov.notify import gateway_views

PREFIXES = ("/notify/sms/dlr/", "/notify/sms/inbound/")
# The request id (for the audit trail of cases an inbound text creates) and the refusal of
# control characters in the path and query, as on every other route.
MIDDLEWARE = (
    "gridgov.audit.middleware.RequestIdMiddleware",
    "gridgov.input_guard.InputGuardMiddleware",
)

# The same views and paths as gridgov.notify.urls, which serves them to the test client and to
# `runserver`.
urlpatterns = [
    path("notify/sms/dlr/<int:message_id>/", gateway_views.delivery_report),
    path("notify/sms/inbound/", gateway_views.inbound),
]


class CallbackHandler(WSGIHandler):
    """Django's WSGI handler (signals, database connections, exceptions to responses) with the
    short middleware list above and this module as its URL configuration."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list = []
        self._template_response_middleware: list = []
        self._exception_middleware: list = []
        chain = convert_exception_to_response(self._get_response)
        for dotted in reversed(MIDDLEWARE):
            chain = convert_exception_to_response(import_string(dotted)(chain))
        self._middleware_chain = chain

    def resolve_request(self, request: HttpRequest) -> Any:
        request.urlconf = __name__
        return super().resolve_request(request)


class WithCallbacks:
    """The site's WSGI application, with the gateway's callbacks taken off to CallbackHandler."""

    def __init__(self, site: Callable[..., Iterable[bytes]]) -> None:
        self.site = site
        self.callbacks = CallbackHandler()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(PREFIXES):
            return self.callbacks(environ, start_response)
        return self.site(environ, start_response)
