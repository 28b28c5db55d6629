import hashlib
import hmac
import json
import socket

import pytest

from gridgov.notify.gateways import HttpGateway, LogGateway, OutgoingMessage, sms_gateway
from gridgov.notify.tests.receiver import Receiver

MESSAGE = OutgoingMessage(
    id="42", channel="sms", destination="13800001234", body="井盖缺失，请处理"
)


def test_the_http_gateway_signs_the_body_and_passes_the_message_id():
    with Receiver() as receiver:
        result = HttpGateway(receiver.url, "s3cret", timeout=5).send(MESSAGE)
    assert (result.ok, result.gateway_id) == (True, "gw-1")
    [request] = receiver.received
    expected = hmac.new(b"s3cret", request["raw"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Gridgov-Signature"] == expected
    assert request["headers"]["X-Gridgov-Message-Id"] == "42"
    assert json.loads(request["raw"]) == {
        "id": "42",
        "channel": "sms",
        "to": "13800001234",
        "text": "井盖缺失，请处理",
        "payload": {},
    }


def test_a_signature_made_with_another_key_does_not_match():
    with Receiver() as receiver:
        HttpGateway(receiver.url, "s3cret", timeout=5).send(MESSAGE)
    [request] = receiver.received
    forged = hmac.new(b"guess", request["raw"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Gridgov-Signature"] != forged


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (408, False), (400, True)]
)
def test_http_errors_are_retried_unless_the_message_itself_was_refused(status, permanent):
    with Receiver(status=status) as receiver:
        result = HttpGateway(receiver.url, "s3cret", timeout=5).send(MESSAGE)
    assert (result.ok, result.permanent) == (False, permanent)
    assert str(status) in result.error


def test_a_gateway_that_does_not_answer_is_retried():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = HttpGateway(f"http://127.0.0.1:{port}/", "s3cret", timeout=2).send(MESSAGE)
    assert (result.ok, result.permanent) == (False, False) and result.error


def test_the_sms_gateway_follows_the_settings(settings):
    assert isinstance(sms_gateway(), LogGateway)
    settings.GRIDGOV_SMS_GATEWAY = "http"
    settings.GRIDGOV_SMS_URL = "http://sms.example/"
    settings.GRIDGOV_OUTBOX_LEASE_SECONDS = 6
    chosen = sms_gateway()
    assert isinstance(chosen, HttpGateway) and chosen.timeout == 3  # the lease outlives it


def test_the_log_gateway_writes_at_the_default_log_level(caplog):
    """No caplog.set_level: the record must pass the level the settings configure."""
    LogGateway().send(MESSAGE)
    [record] = [r for r in caplog.records if r.name == "gridgov.outbox"]
    assert record.getMessage() == "sms 42 to 138****1234: 井盖缺失，请处理"
    assert "13800001234" not in record.getMessage()
