"""Gateways deliver outbox messages; one interface for every channel.

A gateway gets an `OutgoingMessage` whose `id` is the outbox row's id: the same on every attempt,
so a receiver that keeps the ids it has seen drops the duplicate a crash mid-send can cause.
SMS is chosen by GRIDGOV_SMS_GATEWAY: `log` (the default: writes the message to the log, for demos
and intranets without a gateway) or `http` (POSTs signed JSON to GRIDGOV_SMS_URL). Later channels
register theirs in GATEWAYS.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings

from gridgov.masking import PHONE, mask

logger = logging.getLogger("gridgov.outbox")

# Refusals that retrying cannot change; other HTTP errors (and no answer) are tried again.
RETRYABLE_HTTP = {408, 425, 429}


@dataclass(frozen=True)
class OutgoingMessage:
    id: str
    channel: str
    destination: str
    body: str = ""
    payload: dict = field(default_factory=dict)


@dataclass
class SendResult:
    ok: bool
    gateway_id: str = ""
    error: str = ""
    permanent: bool = False  # the gateway refused the message itself: do not try again


class Gateway(Protocol):
    def send(self, message: OutgoingMessage) -> SendResult: ...


class LogGateway:
    """Writes each message to the log (logger `gridgov.outbox`, shown at the default level)."""

    def send(self, message: OutgoingMessage) -> SendResult:
        logger.info(
            "%s %s to %s: %s",
            message.channel,
            message.id,
            mask(message.destination, PHONE),
            message.body,
        )
        return SendResult(ok=True, gateway_id="log")


def signature(secret: str, body: bytes) -> str:
    """The `X-Gridgov-Signature` header: hex HMAC-SHA256 of the request body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HttpGateway:
    """POSTs `{"id", "channel", "to", "text", "payload"}` as JSON, signed, with the message id
    also in `X-Gridgov-Message-Id`; a 2xx answer `{"id": …}` is the gateway's own id."""

    def __init__(self, url: str, secret: str, timeout: float = 10):
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, message: OutgoingMessage) -> SendResult:
        body = json.dumps(
            {
                "id": message.id,
                "channel": message.channel,
                "to": message.destination,
                "text": message.body,
                "payload": message.payload,
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's own setting)
            self.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Gridgov-Message-Id": message.id,
                "X-Gridgov-Signature": signature(self.secret, body),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return SendResult(
                ok=False,
                error=f"HTTP {exc.code}: {exc.reason}"[:500],
                permanent=400 <= exc.code < 500 and exc.code not in RETRYABLE_HTTP,
            )
        except (OSError, ValueError) as exc:
            return SendResult(ok=False, error=str(exc)[:500])
        gateway_id = answer.get("id", "") if isinstance(answer, dict) else ""
        return SendResult(ok=True, gateway_id=str(gateway_id)[:100])


def sms_gateway() -> Gateway:
    if settings.GRIDGOV_SMS_GATEWAY == "http":
        # the lease outlives any wait for an answer, so no other sender takes the message meanwhile
        timeout = min(10.0, settings.GRIDGOV_OUTBOX_LEASE_SECONDS / 2)
        return HttpGateway(settings.GRIDGOV_SMS_URL, settings.GRIDGOV_SMS_SECRET, timeout)
    return LogGateway()


GATEWAYS: dict[str, Callable[[], Gateway]] = {"sms": sms_gateway}


def gateway_for(channel: str) -> Gateway:
    try:
        return GATEWAYS[channel]()
    except KeyError:
        raise LookupError(f"no gateway for the channel {channel!r}") from None
