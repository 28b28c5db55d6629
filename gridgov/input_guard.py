"""Refuse input no person types before it reaches a view, with a message, on every database alike.

- Control characters other than tab, line feed and carriage return (NUL among them: PostgreSQL
  cannot store it, and an Excel export cannot hold any of them), in the path, the query string, a
  form or a JSON string (raw or escaped as \\u0001).
- Lone UTF-16 surrogates in JSON strings (\\ud800 without its pair): valid JSON, but no text a
  database can store.
- JSON nested deeper than MAX_JSON_DEPTH levels (a GeoJSON MultiPolygon needs 6).
- An API body that is not JSON where JSON is expected (415).

The API makes these checks in its parser (`GuardedParser`), after it has checked the caller's
credentials, and answers its error shape ({"code", "message", "details"}); the middleware makes
them for pages, which get a plain 400.

Also the schema side of the same rule: `column(Model, "field")` makes a request schema field take
its length and choices from the model column it is stored in, so an over-long or unknown value is
a 422 before it reaches a database that would refuse it.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import annotated_types
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.parser import Parser
from pydantic_core import core_schema

MAX_JSON_DEPTH = 32
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# An escape is one only after an even number of backslashes.
_ESCAPE = rb"(?<!\\)(?:\\\\)*+"
_HIGH = rb"\\u[dD][89abAB][0-9a-fA-F]{2}"
_LOW = rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_JSON_BAD_ESCAPE = re.compile(
    _ESCAPE
    + rb"(?:\\[bf]|\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])"
    + b"|"
    + _HIGH
    + rb"(?!"
    + _LOW
    + rb")|(?<!"
    + _HIGH
    + rb")"
    + _LOW
    + rb")"
)
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]++")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (without parsing the JSON)."""
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    for _level in range(limit):
        if not brackets:
            return False
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return False  # unbalanced: the JSON parser says so
    return bool(brackets)


def bad_json_text(body: bytes) -> bool:
    """A control character or a lone surrogate in a JSON body, raw or escaped."""
    return bool(_CONTROL.search(body) or _JSON_BAD_ESCAPE.search(body))


def bad_text(text: str) -> bool:
    return bool(_CONTROL_TEXT.search(text))


def bad_form(body: bytes) -> bool:
    return bool(_CONTROL.search(unquote_to_bytes(body.replace(b"+", b" "))))


class InputRefused(HttpError):
    """Input refused before it is parsed: `code` names the kind for the API's error shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, message)
        self.code = code


def _bad_character() -> InputRefused:
    return InputRefused(
        400,
        "invalid_character",
        _(
            "The request contains a control character or an unpaired surrogate (such as NUL), "
            "which is not allowed in text."
        ),
    )


def _content_type(request: HttpRequest) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()


def check_json_body(body: bytes) -> None:
    if bad_json_text(body):
        raise _bad_character()
    if json_too_deep(body):
        raise InputRefused(
            400,
            "too_deep",
            _("The JSON body is nested more than %(n)d levels deep.") % {"n": MAX_JSON_DEPTH},
        )


def json_file_problem(text: bytes | str) -> str | None:
    """What makes an uploaded JSON file (GeoJSON) unsafe to parse and store, or None."""
    body = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    try:
        check_json_body(body)
    except InputRefused as refused:
        return str(refused)
    return None


class GuardedParser(Parser):
    """The API's parser. It runs after the API has checked the caller's credentials, so a call
    without them answers 401 whatever its body holds."""

    def parse_body(self, request: HttpRequest):
        content_type = _content_type(request)
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise InputRefused(
                415,
                "unsupported_media_type",
                _("Send the body as application/json (or a multipart form for files)."),
            )
        check_json_body(request.body)
        return super().parse_body(request)

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        """Query strings and forms (uploaded files are not text)."""
        for _key, values in data.lists():
            if any(isinstance(v, str) and bad_text(v) for v in values):
                raise _bad_character()
        return super().parse_querydict(data, list_fields, request)


def _bad_page_form(request: HttpRequest, content_type: str) -> bool:
    if content_type == FORMS[0]:
        return bad_form(request.body)
    if content_type == FORMS[1]:
        return any(bad_text(v) for _key, values in request.POST.lists() for v in values)
    return False


class InputGuardMiddleware:
    """The same checks for pages (the API's are made by GuardedParser); a path with a control
    character is refused everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except InputRefused as refused:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": refused.code, "message": str(refused), "details": None},
                    status=refused.status_code,
                )
            return HttpResponse(
                str(refused), status=refused.status_code, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        if _CONTROL.search(unquote_to_bytes(request.path_info.encode("utf-8", "surrogatepass"))):
            raise _bad_character()
        if request.path.startswith("/api/"):
            return
        if _CONTROL.search(unquote_to_bytes(request.META.get("QUERY_STRING", ""))):
            raise _bad_character()
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        content_type = _content_type(request)
        if content_type == "application/json" or content_type.endswith("+json"):
            check_json_body(request.body)
        elif _bad_page_form(request, content_type):
            raise _bad_character()


@dataclass(frozen=True)
class _Choices:
    values: tuple[str, ...]

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.literal_schema(list(self.values))


def column(model: type[models.Model], name: str):
    """Schema metadata for a text field stored in `model.name`: `Annotated[str, column(...)]`
    takes the column's max length, or its choices (with "" when the column may be blank)."""
    field = model._meta.get_field(name)
    if field.choices:
        values = [str(value) for value, _label in field.flatchoices]
        if field.blank and "" not in values:
            values.append("")
        return _Choices(tuple(values))
    return annotated_types.MaxLen(field.max_length)
