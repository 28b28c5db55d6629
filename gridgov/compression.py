"""Answers gzip-compressed for browsers that take it, text only.

Django's GZipMiddleware would also squeeze photos, voice notes, spreadsheets and archives,
which are compressed already: processor time for nothing, and a download's length lost. This
one compresses text (HTML, JSON, JavaScript, CSS, XML, CSV, SVG) and leaves the rest as is.
Django pads each compressed answer with random bytes against length attacks (BREACH), and its
CSRF token is masked anew in every answer."""

from django.middleware.gzip import GZipMiddleware

TEXT_SUFFIXES = ("json", "xml", "javascript", "csv")


def is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind.endswith(TEXT_SUFFIXES) or kind == "image/svg+xml"


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not is_text(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
