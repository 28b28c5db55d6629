"""Refuse text input holding NUL characters before it reaches a view: PostgreSQL cannot store
them and no person types one, so such a request is answered 400 with a message on every
database alike, instead of failing deep inside a query."""

from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            message = _("The request contains a NUL character, which is not allowed in text.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "invalid_character", "message": message, "details": None}, status=400
                )
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return True
        if b"\x00" in unquote_to_bytes(request.path_info.encode("utf-8", "surrogateescape")):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(TEXT_BODIES):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return True
            if content_type.startswith("application/x-www-form-urlencoded"):
                return b"\x00" in unquote_to_bytes(body)
        return False
