"""Error pages: 403, 404 and 500 styled like every page, with the navigation, in the user's
language. A refusal is an ordinary answer: the log gets one line for it, never a traceback."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if exception is not None else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page with the navigation; if even that fails (the database is away), the same
    page without anything that needs the database."""
    try:
        return render(request, "errors/500.html", status=500)
    except Exception:
        logging.getLogger(__name__).exception("The 500 page could not be drawn in full")
        return HttpResponseServerError(loader.get_template("errors/500.html").render())


class NoTracebackForRefusals(logging.Filter):
    """Keep tracebacks out of the log for 4xx answers (a PermissionDenied is logged by Django
    with its traceback); errors of the server keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
