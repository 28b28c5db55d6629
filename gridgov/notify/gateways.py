"""SMS gateways behind one interface. The gateway is chosen by settings (GRIDGOV_SMS_GATEWAY):
`log` (the default: writes the message to the log, for demos and intranets without a gateway)
or `http` (POSTs JSON to GRIDGOV_SMS_URL, signed with HMAC-SHA256 of the body)."""

import hashlib
import hmac
import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger("gridgov.sms")


@dataclass
class SendResult:
    ok: bool
    gateway_id: str = ""
    error: str = ""


class LogGateway:
    def send(self, phone: str, body: str) -> SendResult:
        logger.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], body)
        return SendResult(ok=True, gateway_id="log")


class HttpGateway:
    def __init__(self, url: str, secret: str, timeout: float = 10):
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, phone: str, body: str) -> SendResult:
        payload = json.dumps({"phone": phone, "text": body}, ensure_ascii=False).encode()
        signature = hmac.new(self.secret.encode(), payload, hashlib.sha256).hexdigest()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's own setting)
            self.url,
            data=payload,
            headers={"Content-Type": "application/json", "X-Gridgov-Signature": signature},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except (OSError, ValueError) as exc:
            return SendResult(ok=False, error=str(exc)[:500])
        return SendResult(ok=True, gateway_id=str(answer.get("id", ""))[:100])


def gateway():
    if settings.GRIDGOV_SMS_GATEWAY == "http":
        return HttpGateway(settings.GRIDGOV_SMS_URL, settings.GRIDGOV_SMS_SECRET)
    return LogGateway()
