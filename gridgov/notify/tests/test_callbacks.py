"""The web front's short way for the SMS gateway's callbacks (gridgov.notify.callbacks): the
reports land as through the site, the input guard and request ids still apply, and every other
path still goes through the site's middleware."""

import io

import pytest

from gridgov.notify.models import Delivery, DeliveryReport
from gridgov.notify.outbox import enqueue_message
from gridgov.notify.sms_gateways import dlr_token
from gridgov.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(kept_connection):
    """The application is called directly (see gridgov.conftest.kept_connection)."""


def call(app, path: str, query: str = "") -> tuple[int, dict[str, str], str]:
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(app(environ, start_response)).decode()
    return answer["status"], answer["headers"], body


def report_query(message_id: int, token: str | None = None) -> str:
    token = token if token is not None else dlr_token(str(message_id))
    return f"t={token}&type=1&at=1764000000&reply=DELIVRD&fid=abc"


def test_a_delivery_report_is_recorded_by_the_short_way_without_the_site_s_middleware():
    row = enqueue_message("sms", "13800000001", "红色预警")
    status, headers, body = call(application, f"/notify/sms/dlr/{row.pk}/", report_query(row.pk))
    assert (status, body) == (200, "ok")
    row.refresh_from_db()
    assert row.delivery == Delivery.DELIVERED
    assert DeliveryReport.objects.filter(message=row).count() == 1
    assert headers["X-Request-ID"]  # the request-id middleware ran
    # the site's chain adds its security headers; the short way does not go through it
    assert "Content-Security-Policy" not in headers
    _status, site_headers, _body = call(application.site, "/accounts/login/")
    assert "Content-Security-Policy" in site_headers


def test_a_forged_report_is_refused_by_the_short_way_and_changes_nothing():
    row = enqueue_message("sms", "13800000002", "红色预警")
    status, _headers, _body = call(
        application, f"/notify/sms/dlr/{row.pk}/", report_query(row.pk, token="0" * 32)
    )
    assert status == 404
    row.refresh_from_db()
    assert row.delivery == ""
    assert not DeliveryReport.objects.filter(message=row).exists()


def test_the_input_guard_still_refuses_control_characters_on_the_short_way():
    row = enqueue_message("sms", "13800000003", "红色预警")
    path = f"/notify/sms/dlr/{row.pk}/"
    status, _headers, _body = call(application, path, report_query(row.pk) + "%00")
    assert status == 400
    assert not DeliveryReport.objects.filter(message=row).exists()
    assert call(application, path, report_query(row.pk))[0] == 200  # the same report, clean


def test_an_inbound_text_without_its_token_is_refused_on_the_short_way(settings):
    settings.GRIDGOV_SMS_INBOUND_TOKEN = "right"
    assert call(application, "/notify/sms/inbound/", "t=wrong&from=13800000004&text=x&id=1")[0] == (
        401
    )


def test_other_paths_still_go_through_the_site_s_sign_in():
    status, headers, _body = call(application, "/notify/sms/log/")
    assert status == 302
    assert "/accounts/login/" in headers["Location"]
