"""The SMS gateway's calls back into the platform: delivery reports and inbound texts. Each is
authenticated by its own token (no session), and answers 2xx only once the call is recorded."""

import datetime
import hmac
import urllib.parse

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from gridgov.notify import delivery
from gridgov.notify.sms_gateways import batch_of, dlr_token_ok


def _text(answer: str, status: int) -> HttpResponse:
    return HttpResponse(answer, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_GET
def delivery_report(request, message_id: int):
    """Kannel's dlr-url: ?t=<token>&type=%d&at=%T&reply=%A&fid=%F. A call to several receivers
    adds b=<id>.<number>-… (the token signs it) and to=%p (the receiver this report is for)."""
    rows = request.GET.get("b")
    signed = f"{message_id}:{rows}" if rows is not None else str(message_id)
    if not dlr_token_ok(signed, request.GET.get("t", "")):
        return _text("unknown message", 404)
    if rows is not None:
        try:
            receivers = batch_of(rows)
        except ValueError:
            return _text("b must list <id>.<number> pairs", 400)
        number = request.GET.get("to", "").removeprefix("+")
        if number not in receivers and number.startswith("86"):
            number = number[2:]
        if number not in receivers:
            return _text("the report names no receiver of this call", 404)
        message_id = receivers[number]
    try:
        kind = int(request.GET.get("type", ""))
        stamp = request.GET.get("at", "")
        at = (
            datetime.datetime.fromtimestamp(int(stamp), datetime.UTC)
            if stamp
            else datetime.datetime.now(datetime.UTC)
        )
    except (ValueError, OverflowError, OSError):
        return _text("type and at must be integers", 400)
    row = delivery.record_delivery(
        message_id,
        kind=kind,
        at=at,
        text=request.GET.get("reply", ""),
        gateway_id=request.GET.get("fid", ""),
    )
    return _text("ok" if row else "unknown message", 200 if row else 404)


def _inbound_fields(raw_query: str) -> dict[str, str]:
    """Kannel sends the text as raw bytes in its own charset (UCS-2 Chinese comes as UTF-16BE),
    so the query is decoded here rather than as UTF-8."""
    fields = dict(urllib.parse.parse_qsl(raw_query, encoding="latin-1", keep_blank_values=True))
    raw = fields.get("text", "").encode("latin-1")
    charset = fields.get("charset") or ("UTF-16BE" if fields.get("coding") == "2" else "UTF-8")
    try:
        text = raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        text = raw.decode("utf-8", errors="replace")
    return {
        "phone": fields.get("from", "").encode("latin-1").decode("utf-8", errors="replace"),
        "text": text,
        "id": fields.get("id", "").encode("latin-1").decode("utf-8", errors="replace"),
        "t": fields.get("t", "").encode("latin-1").decode("utf-8", errors="replace"),
    }


@csrf_exempt
@require_GET
def inbound(request):
    """Kannel's sms-service get-url: ?t=<token>&from=%p&text=%a&id=%I&coding=%c&charset=%C.
    Answers an empty body (the service sends no reply text)."""
    fields = _inbound_fields(request.META.get("QUERY_STRING", ""))
    expected = settings.GRIDGOV_SMS_INBOUND_TOKEN
    if not expected or not hmac.compare_digest(expected.encode(), fields["t"].encode()):
        return _text("a valid token is required", 401)
    phone = fields["phone"].removeprefix("+")
    if not phone.isdigit() or not fields["text"].strip() or not fields["id"]:
        return _text("from (digits), text and id are required", 400)
    delivery.receive_text(phone=phone, text=fields["text"], message_id=fields["id"])
    return _text("", 200)
