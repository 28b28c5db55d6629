"""The Kannel gateway keeps its connection to sendsms open between messages, and a connection
the gateway closed while idle costs no message and sends none twice."""

import http.server
import threading

import pytest

from gridgov.notify.gateways import OutgoingMessage
from gridgov.notify.sms_gateways import FINAL_REPORTS, KannelGateway


class _Sendsms(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: list[int] = []
    requests: list[str] = []
    close_after_each = False
    drop_quietly = False  # close the connection after answering, without saying so

    def setup(self):
        super().setup()
        type(self).connections.append(id(self.connection))

    def do_GET(self):
        type(self).requests.append(self.path)
        body = b"0: Accepted for delivery"
        self.send_response(202)
        self.send_header("Content-Length", str(len(body)))
        if self.close_after_each:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        if self.drop_quietly:
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def sendsms():
    _Sendsms.connections, _Sendsms.requests = [], []
    _Sendsms.close_after_each = _Sendsms.drop_quietly = False
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sendsms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _gateway(server) -> KannelGateway:
    url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/sendsms"
    return KannelGateway(url, "u", "p", "10690000", "http://platform")


def _message(n: int) -> OutgoingMessage:
    return OutgoingMessage(id=str(n), channel="sms", destination=f"1380000{n:04d}", body="停水通知")


def test_one_connection_carries_many_messages_with_final_reports_only(sendsms):
    gateway = _gateway(sendsms)
    results = [gateway.send(_message(n)) for n in range(5)]
    assert all(r.ok for r in results)
    assert len(_Sendsms.requests) == 5
    assert len(_Sendsms.connections) == 1
    assert all(f"dlr-mask={FINAL_REPORTS}&" in path for path in _Sendsms.requests)
    assert FINAL_REPORTS == 19


def test_a_connection_closed_while_idle_is_replaced_without_a_double(sendsms):
    _Sendsms.drop_quietly = True  # as a gateway dropping idle connections does
    gateway = _gateway(sendsms)
    assert all(gateway.send(_message(n)).ok for n in range(1, 4))
    assert [p.split("to=")[1][:11] for p in _Sendsms.requests] == [
        "13800000001",
        "13800000002",
        "13800000003",
    ]
    assert len(_Sendsms.connections) == 3


def test_a_gateway_that_closes_each_connection_still_gets_every_message(sendsms):
    _Sendsms.close_after_each = True
    gateway = _gateway(sendsms)
    assert all(gateway.send(_message(n)).ok for n in range(3))
    assert len(_Sendsms.requests) == 3 and len(_Sendsms.connections) == 3


def test_an_unreachable_gateway_is_an_error_to_retry(sendsms):
    gateway = _gateway(sendsms)
    sendsms.shutdown()
    sendsms.server_close()
    result = gateway.send(_message(1))
    assert not result.ok and not result.permanent and result.error
