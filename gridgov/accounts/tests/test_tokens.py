"""API authentication order (401 before CSRF and before the body) and tokens: revoked at once,
listed and revoked by their owner and by a user manager of the owner's scope."""

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from gridgov.accounts import services
from gridgov.accounts.models import ApiToken
from gridgov.conftest import mark_verified

WRITES = [
    ("post", "/api/v1/cases"),
    ("post", "/api/v1/areas"),
    ("patch", "/api/v1/areas/410105001"),
    ("put", "/api/v1/areas/410105001/boundary"),
    ("post", "/api/v1/people"),
    ("post", "/api/v1/locate"),
]
BAD_BODIES = ["{", "[]", '{"title": 5}', "x" * 100, ""]


def call(client: Client, method: str, url: str, body: str, **headers):
    return getattr(client, method)(url, body, content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "url"), WRITES)
def test_no_credentials_answers_401_not_a_csrf_refusal(method, url, tree):
    client = Client(enforce_csrf_checks=True)
    for body in BAD_BODIES:
        answer = call(client, method, url, body)
        assert answer.status_code == 401, (url, body, answer.content[:200])
        assert json.loads(answer.content)["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "url"), WRITES)
def test_a_bad_token_answers_401_before_the_body_is_read(method, url, tree):
    client = Client(enforce_csrf_checks=True)
    for token in ("ggv_not-a-token", "nonsense", ""):
        for body in BAD_BODIES:
            answer = call(client, method, url, body, HTTP_AUTHORIZATION=f"Bearer {token}")
            assert answer.status_code == 401, (url, token, body, answer.content[:200])
            assert json.loads(answer.content)["code"] == "unauthenticated"


def test_a_session_still_needs_the_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["op_a"])
    mark_verified(client, users["op_a"])  # past two-factor sign-in: a full session
    answer = call(client, "post", "/api/v1/cases", "{}")
    assert answer.status_code == 403


def test_a_changed_password_revokes_tokens_at_once(users):
    raw = services.issue_token(users["op_a"])
    assert services.user_for_token(raw) == users["op_a"]  # seen once (cached before the fix)
    services.set_password(users["op_a"], "New-Passw0rd!", actor=users["op_a"])
    assert services.user_for_token(raw) is None
    assert ApiToken.objects.get().revoked_at is not None


def test_deactivation_stops_tokens_at_once(users):
    raw = services.issue_token(users["member_a"])
    assert services.user_for_token(raw) == users["member_a"]
    services.update_user(users["member_a"], actor=users["op_a"], is_active=False)
    assert services.user_for_token(raw) is None
    assert ApiToken.objects.get().revoked_at is not None


def test_an_expired_token_stops_and_use_is_noted_at_most_every_five_minutes(users):
    raw = services.issue_token(users["op_a"], days=1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        user = services.user_for_token(raw)
        assert user == users["op_a"] and user.scope_codes == users["op_a"].scope_codes
        first = ApiToken.objects.get().last_used_at
        assert first == timezone.now()
        clock.shift(datetime.timedelta(minutes=4))
        assert services.user_for_token(raw) == users["op_a"]
        assert ApiToken.objects.get().last_used_at == first  # no write on every request
        clock.shift(datetime.timedelta(minutes=2))
        assert services.user_for_token(raw) == users["op_a"]
        assert ApiToken.objects.get().last_used_at == timezone.now()
        clock.shift(datetime.timedelta(days=1))
        assert services.user_for_token(raw) is None


def test_a_revoked_token_stops_at_once_over_http(users, client):
    raw = services.issue_token(users["op_a"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    token = ApiToken.objects.get()
    listed = json.loads(client.get("/api/v1/auth/tokens", **auth).content)
    assert [t["id"] for t in listed] == [token.pk] and listed[0]["revoked_at"] is None
    assert "key_hash" not in listed[0]
    revoked = client.post(f"/api/v1/auth/tokens/{token.pk}/revoke", **auth)
    assert revoked.status_code == 200 and json.loads(revoked.content)["revoked_at"]
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_a_user_manager_lists_and_revokes_tokens_in_scope_only(users, client_for):
    services.issue_token(users["member_a"], name="phone")
    token = ApiToken.objects.get()
    op_a, op_b = client_for(users["op_a"]), client_for(users["op_b"])
    url = f"/api/v1/users/{users['member_a'].pk}/tokens"
    assert [t["name"] for t in json.loads(op_a.get(url).content)] == ["phone"]
    assert op_b.get(url).status_code == 404
    assert client_for(users["leader"]).get(url).status_code == 404  # not a user manager
    assert op_b.post(f"/api/v1/auth/tokens/{token.pk}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert op_a.post(f"/api/v1/auth/tokens/{token.pk}/revoke").status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_pages(users, client_for):
    services.issue_token(users["member_a"], name="手机")
    token = ApiToken.objects.get()
    member = client_for(users["member_a"])
    own = member.get("/accounts/account/").content.decode()
    assert "手机" in own and f"/accounts/tokens/{token.pk}/revoke/" in own
    manager = client_for(users["op_a"]).get(f"/accounts/users/{users['member_a'].pk}/")
    assert f"/accounts/tokens/{token.pk}/revoke/" in manager.content.decode()
    assert client_for(users["op_b"]).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    back = f"/accounts/users/{users['member_a'].pk}/"
    done = client_for(users["op_a"]).post(f"/accounts/tokens/{token.pk}/revoke/", {"next": back})
    assert done.status_code == 302 and done["Location"] == back
    token.refresh_from_db()
    assert token.revoked_at is not None
    # A revoke link elsewhere never redirects off the site.
    services.issue_token(users["member_a"])
    other = ApiToken.objects.filter(revoked_at__isnull=True).get()
    away = member.post(f"/accounts/tokens/{other.pk}/revoke/", {"next": "https://evil.example/"})
    assert away["Location"] == "/accounts/account/"
