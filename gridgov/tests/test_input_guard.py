import pytest


@pytest.mark.parametrize(
    ("method", "url", "body", "content_type"),
    [
        ("get", "/api/v1/cases?q=a%00b", None, None),
        (
            "post",
            "/api/v1/auth/token",
            '{"username": "a\\u0000", "password": "x"}',
            "application/json",
        ),
        (
            "post",
            "/accounts/login/",
            "username=a%00&password=x",
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_nul_characters_are_refused_with_a_message(client, db, method, url, body, content_type):
    kwargs = {"data": body, "content_type": content_type} if body else {}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_ordinary_text_passes(client, db):
    response = client.post(
        "/api/v1/auth/token",
        '{"username": "nobody", "password": "x"}',
        content_type="application/json",
    )
    assert response.status_code in (401, 400, 429) and "NUL" not in response.content.decode()
