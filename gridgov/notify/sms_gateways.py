"""SMS gateways for real networks (docs/sms.md).

- `KannelGateway`: Kannel's `sendsms` HTTP interface over kept-alive connections (one per
  sending thread). Chinese text goes as UCS-2 (`coding=2`, `charset=utf-8`), and every message
  asks for delivery reports (`dlr-mask`, GRIDGOV_KANNEL_DLR_MASK: the final ones by default) at a
  `dlr-url` on the platform that names the outbox row and carries a token signed for it.
  Messages with the same text go in one call to several receivers (`send_many`, at most
  GRIDGOV_KANNEL_RECEIVERS_PER_CALL): Kannel's sendsms answers one call with delivery reports
  several times faster than it answers the same messages one by one. The call's `dlr-url` then
  lists each receiver's outbox row (`b=<id>.<number>-…`) and Kannel names the receiver (`%p`).
- `ProviderGateway`: a provincial or cloud SMS service in the Aliyun/Tencent style: the message
  is an approved template id, a signature and variables, signed with the account's key.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from gridgov.masking import HIDDEN, mask
from gridgov.notify.gateways import RETRYABLE_HTTP, OutgoingMessage, SendResult
from gridgov.notify.segments import count

# Kannel's report types: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected
# by the SMSC. The final ones (19) by default: one report per message; 31 adds the steps between.
FINAL_REPORTS = 1 | 2 | 16
DLR_PATH = "/notify/sms/dlr/{id}/"


def dlr_token(message_id: str) -> str:
    """The token a delivery report for `message_id` must carry (keyed with the secret key)."""
    return salted_hmac("gridgov.notify.dlr", str(message_id)).hexdigest()[:32]


def dlr_token_ok(message_id: str, token: str) -> bool:
    return constant_time_compare(dlr_token(message_id), token or "")


def batch_of(rows: str) -> dict[str, int]:
    """The receivers of one call from its dlr-url's `b` (`<id>.<number>-<id>.<number>`): number →
    outbox id. Digits, dots and dashes only: Kannel reads `%` in its dlr-url as its own escapes.
    Raises ValueError on anything else."""
    found: dict[str, int] = {}
    for part in rows.split("-"):
        row, _, number = part.partition(".")
        if not (row.isdigit() and number.isdigit()):
            raise ValueError(part)
        found[number] = int(row)
    return found


def _http_error(exc: urllib.error.HTTPError, request: str) -> SendResult:
    body = exc.read()[:300].decode("utf-8", errors="replace") if exc.fp else ""
    return SendResult(
        ok=False,
        error=f"HTTP {exc.code}: {body.strip() or exc.reason}"[:500],
        permanent=400 <= exc.code < 500 and exc.code not in RETRYABLE_HTTP,
        request=request,
        response=f"{exc.code} {body}",
    )


class KannelGateway:
    name = "kannel"

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        sender: str,
        callback_url: str,
        timeout: float = 10,
        dlr_mask: int = FINAL_REPORTS,
        receivers_per_call: int = 1,
    ):
        self.url, self.username, self.password = url, username, password
        self.sender, self.callback_url, self.timeout = sender, callback_url.rstrip("/"), timeout
        self.dlr_mask = dlr_mask
        self.receivers_per_call = max(1, receivers_per_call)
        self._local = threading.local()  # each sending thread keeps its own connection

    def dlr_url(self, message_id: str) -> str:
        # Kannel fills in %d (report type), %T (its time), %A (the SMSC's text), %F (its id).
        token = dlr_token(message_id)
        return (
            f"{self.callback_url}{DLR_PATH.format(id=message_id)}"
            f"?t={token}&type=%d&at=%T&reply=%A&fid=%F"
        )

    def batch_dlr_url(self, messages: list[OutgoingMessage]) -> str:
        rows = "-".join(f"{m.id}.{m.destination}" for m in messages)
        first = messages[0].id
        return (
            f"{self.callback_url}{DLR_PATH.format(id=first)}"
            f"?b={rows}&t={dlr_token(f'{first}:{rows}')}&to=%p&type=%d&at=%T&reply=%A&fid=%F"
        )

    def send(self, message: OutgoingMessage) -> SendResult:
        return self._call([message], self.dlr_url(message.id))[0]

    def send_many(self, messages: list[OutgoingMessage]) -> list[SendResult]:
        """Messages with the same text, to different numbers (digits only), in one call. Kannel
        answers for the call as a whole: a number its own lists refuse inside an accepted call
        is dropped without a word (and gets no delivery report)."""
        if len(messages) == 1:
            return [self.send(messages[0])]
        return self._call(messages, self.batch_dlr_url(messages))

    def _call(self, messages: list[OutgoingMessage], dlr_url: str) -> list[SendResult]:
        body_text = messages[0].body
        params = {
            "username": self.username,
            "password": self.password,
            "from": self.sender,
            "to": " ".join(m.destination for m in messages),
            "text": body_text,
            "charset": "utf-8",
            "coding": 2 if count(body_text).encoding == "ucs2" else 0,
            "dlr-mask": self.dlr_mask,
            "dlr-url": dlr_url,
        }

        def shown(message: OutgoingMessage) -> str:
            # each row's log names its own number only (and how many shared the call)
            one = {**params, "to": message.destination, "password": mask(self.password, HIDDEN)}
            if len(messages) == 1:
                return f"GET {self.url}?{urllib.parse.urlencode(one)}"
            one.pop("dlr-url")  # it lists the other receivers' numbers
            query = urllib.parse.urlencode(one)
            return f"GET {self.url}?{query} (1 of {len(messages)} in one call)"

        try:
            status, body = self._get(urllib.parse.urlencode(params))
        except OSError as exc:
            return [SendResult(ok=False, error=str(exc)[:500], request=shown(m)) for m in messages]
        if status >= 300:
            return [
                SendResult(
                    ok=False,
                    error=f"HTTP {status}: {body.strip()}"[:500],
                    permanent=400 <= status < 500 and status not in RETRYABLE_HTTP,
                    request=shown(m),
                    response=f"{status} {body}",
                )
                for m in messages
            ]
        # "0: Accepted for delivery" or "3: Queued for later delivery"; Kannel's own id comes
        # with the delivery report.
        answer = f"{status} {body}"
        return [SendResult(ok=True, request=shown(m), response=answer) for m in messages]

    def _get(self, query: str) -> tuple[int, str]:
        """GET sendsms on this thread's kept-alive connection. A connection the gateway closed
        while idle fails before the request is read: that case alone is tried once more."""
        parts = urllib.parse.urlsplit(self.url)
        target = f"{parts.path or '/'}?{query}"
        reused = getattr(self._local, "connection", None)
        for connection in ([reused] if reused else []) + [None]:
            if connection is None:
                kind = (
                    http.client.HTTPSConnection
                    if parts.scheme == "https"
                    else http.client.HTTPConnection
                )
                connection = kind(parts.hostname or "", parts.port, timeout=self.timeout)
            try:
                connection.request("GET", target)
                answer = connection.getresponse()
                body = answer.read()[:300].decode("utf-8", errors="replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                self._local.connection = None
                if connection is reused:
                    continue
                raise
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                self._local.connection = None
                raise OSError(str(exc) or type(exc).__name__) from exc
            self._local.connection = None if answer.will_close else connection
            return answer.status, body
        raise OSError("no connection to the SMS gateway")  # not reached: the loop returns or raises


def provider_signature(secret: str, method: str, params: dict[str, str]) -> str:
    """Aliyun-style: HMAC-SHA256 over METHOD&%2F&<encoded, sorted, encoded query>, base64."""

    def enc(value: str) -> str:
        return urllib.parse.quote(value, safe="~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    text = f"{method}&{enc('/')}&{enc(query)}"
    digest = hmac.new(f"{secret}&".encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class ProviderGateway:
    """The message's payload names the approved template (`template_code`), the `signature` and
    the `variables`; a message without a template is refused for good (such services send no
    free text)."""

    name = "provider"

    def __init__(self, url: str, key_id: str, key_secret: str, timeout: float = 10):
        self.url, self.key_id, self.key_secret, self.timeout = url, key_id, key_secret, timeout

    def send(self, message: OutgoingMessage) -> SendResult:
        template = message.payload.get("template_code", "")
        if not template:
            return SendResult(
                ok=False, permanent=True, error="the provider sends approved templates only"
            )
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "PhoneNumbers": message.destination,
            "SignName": message.payload.get("signature", ""),
            "TemplateCode": template,
            "TemplateParam": json.dumps(message.payload.get("variables", {}), ensure_ascii=False),
            "OutId": message.id,
            "SignatureMethod": "HMAC-SHA256",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        params["Signature"] = provider_signature(self.key_secret, "POST", params)
        shown = {k: v for k, v in params.items() if k != "Signature"}
        request = f"POST {self.url} {json.dumps(shown, ensure_ascii=False)}"
        data = urllib.parse.urlencode(params).encode()
        try:
            with urllib.request.urlopen(self.url, data=data, timeout=self.timeout) as answer:  # noqa: S310
                raw = answer.read()[:1000].decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            return _http_error(exc, request)
        except OSError as exc:
            return SendResult(ok=False, error=str(exc)[:500], request=request)
        try:
            reply = json.loads(raw)
        except ValueError:
            reply = {}
        code = str(reply.get("Code", "")) if isinstance(reply, dict) else ""
        if code != "OK":
            # isv.* codes are about the message itself (template, signature, number)
            return SendResult(
                ok=False,
                error=f"{code}: {reply.get('Message', '') if code else raw}"[:500],
                permanent=code.startswith("isv."),
                request=request,
                response=raw,
            )
        return SendResult(
            ok=True, gateway_id=str(reply.get("BizId", ""))[:100], request=request, response=raw
        )


def configured(kind: str, timeout: float):
    if kind == "provider":
        return ProviderGateway(
            settings.GRIDGOV_SMS_PROVIDER_URL,
            settings.GRIDGOV_SMS_PROVIDER_KEY_ID,
            settings.GRIDGOV_SMS_PROVIDER_KEY_SECRET,
            timeout,
        )
    return KannelGateway(
        settings.GRIDGOV_KANNEL_SENDSMS_URL,
        settings.GRIDGOV_KANNEL_USERNAME,
        settings.GRIDGOV_KANNEL_PASSWORD,
        settings.GRIDGOV_SMS_SENDER,
        settings.GRIDGOV_SMS_CALLBACK_URL,
        timeout,
        settings.GRIDGOV_KANNEL_DLR_MASK,
        settings.GRIDGOV_KANNEL_RECEIVERS_PER_CALL,
    )
