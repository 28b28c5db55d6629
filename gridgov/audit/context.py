"""The request id and client address of the work in progress, for log rows written in services."""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


def current_request_id() -> str:
    return _request_id.get()


def current_client_ip() -> str:
    return _client_ip.get()


def begin(request_id: str | None = None, client_ip: str = "") -> tuple:
    """Start a unit of work (a request or a job); returns tokens for `end`."""
    rid = request_id or uuid.uuid4().hex
    return _request_id.set(rid), _client_ip.set(client_ip)


def end(tokens: tuple) -> None:
    _request_id.reset(tokens[0])
    _client_ip.reset(tokens[1])
