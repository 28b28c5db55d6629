"""A cloud SMS service (Aliyun style) behind the same gateway interface, against a local server
that checks the signed request as such a service does."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gridgov.notify.gateways import OutgoingMessage, sms_gateway
from gridgov.notify.sms_gateways import ProviderGateway

SECRET = "provider-secret"


def expected_signature(params: dict[str, str]) -> str:
    """Written from the provider's documentation, independently of the gateway's code."""
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    quote = lambda s: urllib.parse.quote(s, safe="~")  # noqa: E731
    canonical = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
    to_sign = "POST&%2F&" + quote(canonical)
    mac = hmac.new((SECRET + "&").encode(), to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


@pytest.fixture
def provider():
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
            params = dict(urllib.parse.parse_qsl(raw))
            seen.append(params)
            if params.get("Signature") != expected_signature(params):
                reply = {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}
            elif params["TemplateCode"] != "SMS_100001":
                reply = {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "unknown template"}
            else:
                reply = {"Code": "OK", "BizId": f"biz-{len(seen)}"}
            body = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", seen
    server.shutdown()
    server.server_close()


def message(template: str = "SMS_100001") -> OutgoingMessage:
    payload = {
        "template_code": template,
        "signature": "金水区网格中心",
        "variables": {"name": "张三"},
    }
    return OutgoingMessage(id="7", channel="sms", destination="13800001234", payload=payload)


def test_a_signed_template_message_is_accepted(provider):
    url, seen = provider
    result = ProviderGateway(url, "key-id", SECRET, timeout=5).send(message())
    assert (result.ok, result.gateway_id) == (True, "biz-1")
    [params] = seen
    assert params["TemplateCode"] == "SMS_100001" and params["SignName"] == "金水区网格中心"
    assert json.loads(params["TemplateParam"]) == {"name": "张三"}
    assert (params["PhoneNumbers"], params["OutId"]) == ("13800001234", "7")
    assert SECRET not in result.request


def test_a_wrong_key_is_refused_and_retried_later(provider):
    url, _ = provider
    result = ProviderGateway(url, "key-id", "wrong", timeout=5).send(message())
    assert (result.ok, result.permanent) == (False, False)
    assert result.error.startswith("SignatureDoesNotMatch")


def test_an_unapproved_template_is_refused_for_good(provider):
    url, _ = provider
    result = ProviderGateway(url, "key-id", SECRET, timeout=5).send(message("SMS_999"))
    assert (result.ok, result.permanent) == (False, True)


def test_free_text_is_not_sent_to_a_template_service(provider):
    url, seen = provider
    free = OutgoingMessage(id="8", channel="sms", destination="13800001234", body="hello")
    result = ProviderGateway(url, "key-id", SECRET, timeout=5).send(free)
    assert (result.ok, result.permanent, seen) == (False, True, [])


def test_the_provider_is_chosen_in_the_settings(settings, provider):
    settings.GRIDGOV_SMS_GATEWAY = "provider"
    settings.GRIDGOV_SMS_PROVIDER_URL, _ = provider
    settings.GRIDGOV_SMS_PROVIDER_KEY_ID = "key-id"
    settings.GRIDGOV_SMS_PROVIDER_KEY_SECRET = SECRET
    assert sms_gateway().send(message()).ok
