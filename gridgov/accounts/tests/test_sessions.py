"""Sessions end when idle, passwords are complex and changed before they grow too old."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from gridgov.accounts import services
from gridgov.accounts.models import ApiToken, User


@pytest.fixture(autouse=True)
def _password_sign_in_only(settings):
    """These tests sign in with the password form; two-factor sign-in has its own tests."""
    settings.GRIDGOV_REQUIRE_2FA = False


@pytest.fixture
def idle_30(settings):
    settings.GRIDGOV_SESSION_IDLE_MINUTES = 30


def logged_in(username: str) -> Client:
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": username, "password": f"pw-{username}"}
        ).status_code
        == 302
    )
    return client


def test_an_idle_session_ends_after_the_setting(idle_30, users):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in("op_a")
        assert client.get("/cases/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/cases/").status_code == 200  # activity keeps it alive
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/cases/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        ended = client.get("/cases/")
        assert ended.status_code == 302 and ended["Location"].startswith("/accounts/login/")
        assert client.get("/api/v1/me").status_code == 401


def test_the_idle_limit_is_a_setting(settings, users):
    settings.GRIDGOV_SESSION_IDLE_MINUTES = 5
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in("op_a")
        client.get("/cases/")
        clock.shift(datetime.timedelta(minutes=6))
        assert client.get("/api/v1/me").status_code == 401


def test_the_default_is_thirty_minutes():
    from gridgov import settings as defaults

    assert defaults.GRIDGOV_SESSION_IDLE_MINUTES == 30


@pytest.mark.parametrize(
    "password", ["abcdefghijkl", "ABCDEFGHIJKL", "abcdefGHIJKL", "Ab1!", "2718281828459"]
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Grid-member-2026", "wangge#Zhongyuan9", "网格员Ab12345"])
def test_complex_passwords_pass(password):
    validate_password(password)


def test_the_kinds_of_character_are_a_setting(settings):
    settings.GRIDGOV_PASSWORD_MIN_CHARACTER_CLASSES = 4
    with pytest.raises(ValidationError):
        validate_password("Grid-member-x")  # three kinds
    validate_password("Grid-member-9")


@pytest.fixture
def expired(users, settings):
    settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=users["op_a"].pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    return users["op_a"]


def test_an_expired_password_is_changed_before_anything_else(expired, client):
    client.post("/accounts/login/", {"username": "op_a", "password": "pw-op_a"})
    for url in ("/cases/", "/registry/people/", "/areas/console/"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"] == "/accounts/account/", url
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and json.loads(api.content)["code"] == "password_expired"
    page = client.get("/accounts/account/")
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    weak = client.post(
        "/accounts/account/",
        {"old_password": "pw-op_a", "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200
    changed = client.post(
        "/accounts/account/",
        {
            "old_password": "pw-op_a",
            "new_password1": "Street-A-2026!",
            "new_password2": "Street-A-2026!",
        },
    )
    assert changed.status_code == 302
    assert client.get("/cases/").status_code == 200  # still signed in, free to work


def test_an_expired_password_gets_no_token(expired, client):
    answer = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "op_a", "password": "pw-op_a"}),
        content_type="application/json",
    )
    assert answer.status_code == 403 and not ApiToken.objects.exists()


def test_a_fresh_password_is_not_expired(users, settings):
    settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS = 90
    assert logged_in("op_a").get("/cases/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=89)):
        assert logged_in("op_a").get("/cases/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91)):
        assert logged_in("op_a").get("/cases/")["Location"] == "/accounts/account/"


def test_changing_the_password_resets_its_age(users):
    before = users["op_a"].password_changed_at
    services.set_password(users["op_a"], "Street-A-2026!", actor=users["op_a"])
    users["op_a"].refresh_from_db()
    assert users["op_a"].password_changed_at > before
