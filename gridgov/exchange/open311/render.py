"""JSON and XML answers in the GeoReport v2 layout.

XML: a root element holding one element per item, each field an element (None → empty
element, booleans "true"/"false"), lists of values as repeated child elements (a service
definition's `values`, discovery's `formats`)."""

import json
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

# Root and item element names per kind of answer (the spec's examples).
ROOTS = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
# A list field's element name → the element name of each of its items.
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _element(name: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_element(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, list):
        item = LIST_ITEMS.get(name, "item")
        return f"<{name}>{''.join(_element(item, v) for v in value)}</{name}>"
    return f"<{name}>{_text(value)}</{name}>"


def xml_document(root: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>{body}</{root}>'


def answer(fmt: str, kind: str, items: Any, status: int = 200) -> HttpResponse:
    """`kind`: "services", "requests" or "errors" (a list of items), or "service_definition" /
    "discovery" (one object)."""
    if fmt == "json":
        return HttpResponse(
            json.dumps(items, ensure_ascii=False), content_type=JSON_TYPE, status=status
        )
    if kind in ROOTS:
        root, item = ROOTS[kind]
        body = "".join(_element(item, i) for i in items)
    else:
        root, body = kind, "".join(_element(k, v) for k, v in items.items())
    return HttpResponse(xml_document(root, body), content_type=XML_TYPE, status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return answer(fmt, "errors", [{"code": status, "description": description}], status=status)
