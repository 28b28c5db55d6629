"""Answers are gzip-compressed for browsers that take it (a phone on a weak network gets the
report page in a quarter of the bytes), and every poll that answers 304 on an unchanged ETag
still does when the ETag came back weak (`W/"…"`: compression makes it so)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db

POLLS = [
    ("op_a", "/api/v1/patrols/live"),
    ("admin", "/api/v1/warnings/active"),
    ("member_a", "/api/v1/office/unread"),
    ("admin", "/api/v1/cockpit/federation"),
    ("member_a", "/api/v1/phone/bundle"),
]


def test_a_phone_page_comes_compressed_when_the_browser_takes_gzip(users, client_for):
    client = client_for(users["member_a"])
    plain = client.get("/m/report/")
    packed = client.get("/m/report/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert 'id="m-report"' in html and 'id="m-send"' in html
    assert len(packed.content) * 2 < len(plain.content)


@pytest.mark.parametrize(("who", "url"), POLLS, ids=[url for _, url in POLLS])
def test_a_poll_answers_304_to_its_etag_sent_back_weak(who, url, users, client_for):
    client = client_for(users[who])
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == 200, first.content[:200]
    strong = first["ETag"].removeprefix("W/")
    assert strong.startswith('"') and strong.endswith('"')
    for sent in (strong, "W/" + strong, f'"other", W/{strong}'):
        again = client.get(url, HTTP_IF_NONE_MATCH=sent, HTTP_ACCEPT_ENCODING="gzip")
        assert again.status_code == 304, (sent, again.status_code)
    changed = client.get(url, HTTP_IF_NONE_MATCH='W/"not-this-one"')
    assert changed.status_code == 200


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/html; charset=utf-8", True),
        ("application/json", True),
        ("application/geo+json", True),
        ("application/problem+json; charset=utf-8", True),
        ("text/javascript", True),
        ("application/xml", True),
        ("image/svg+xml", True),
        ("text/csv; charset=utf-8", True),
        ("image/jpeg", False),
        ("audio/webm", False),
        ("application/zip", False),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("application/pdf", False),
        ("application/octet-stream", False),
        ("", False),
    ],
)
def test_only_text_is_compressed(content_type, text, rf):
    from django.http import HttpResponse

    from gridgov.compression import TextGZipMiddleware

    body = b"x" * 5000
    middleware = TextGZipMiddleware(lambda request: HttpResponse(body, content_type=content_type))
    response = middleware(rf.get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert (response.get("Content-Encoding") == "gzip") is text
    assert (gzip.decompress(response.content) if text else response.content) == body
