import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gridgov.accounts import services
from gridgov.accounts.models import ApiToken, User
from gridgov.accounts.permissions import Role
from gridgov.accounts.system import SETUP, system_user
from gridgov.audit.models import ChangeLog


def test_login_page_in_chinese_and_login_works(tree, users, client):
    page = client.get("/accounts/login/")
    assert "网格化社会治理信息平台" in page.content.decode()
    assert (
        client.post("/accounts/login/", {"username": "leader", "password": "pw-leader"}).status_code
        == 302
    )
    assert client.get("/areas/console/").status_code == 200
    # a role that sees personal data is asked for its second factor first (test_twofactor.py)
    other = Client()
    other.post("/accounts/login/", {"username": "op_a", "password": "pw-op_a"})
    assert other.get("/areas/console/")["Location"].startswith("/accounts/2fa/")


def test_login_page_throttles(tree, users, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        assert (
            "用户名"
            in client.post(
                "/accounts/login/", {"username": "op_a", "password": "x"}
            ).content.decode()
        )
    held = client.post("/accounts/login/", {"username": "op_a", "password": "pw-op_a"})
    assert held.status_code == 200 and "登录失败次数过多" in held.content.decode()


def test_logout_needs_post(tree, users, client_for):
    client = client_for(users["op_a"])
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/areas/console/").status_code == 302


def test_language_switch(tree, users, client_for):
    client = client_for(users["op_a"])
    assert "工作台" in client.get("/areas/console/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/areas/console/"})
    assert "Console" in client.get("/areas/console/").content.decode()


def test_users_are_created_and_changed_with_the_change_log(tree, users):
    user = services.create_user(
        actor=users["admin"],
        username="new",
        password="pw-long-enough",
        role=Role.LEADER,
        scope_codes=["410105001"],
        phone="13800000000",
    )
    log = ChangeLog.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert log.after["phone"] == "***" and log.after["scope"] == ["410105001"]
    services.update_user(
        user, actor=users["admin"], role=Role.STREET_OPERATOR, scope_codes=["410105002"]
    )
    user.refresh_from_db()
    assert user.scope_codes == ["410105002"]
    update = ChangeLog.objects.filter(object_id=str(user.pk), action="update").get()
    assert set(update.changed_fields) == {"role", "scope"}
    with pytest.raises(PermissionDenied):
        services.create_user(actor=users["member_a"], username="x", password=None, role=Role.LEADER)
    with pytest.raises(ValidationError):
        services.create_user(actor=users["admin"], username="y", password=None, role="king")
    with pytest.raises(ValidationError):
        services.create_user(
            actor=users["admin"], username="z", password=None, role=Role.LEADER, scope_codes=["999"]
        )


def test_tokens_are_stored_hashed_and_can_be_revoked(tree, users):
    raw = services.issue_token(users["op_a"])
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert services.user_for_token(raw) == users["op_a"]
    services.revoke_tokens(users["op_a"])
    assert services.user_for_token(raw) is None


def test_bulk_users_share_one_hash(tree):
    made = services.bulk_create_users(
        [
            services.UserSpec(
                "g1",
                Role.GRID_MEMBER,
                ["41010500100101"],
                assignments=[("41010500100101", "grid_member")],
            ),
            services.UserSpec("g2", Role.GRID_MEMBER, ["41010500100102"]),
        ],
        shared_password="shared-secret",
        actor=system_user(SETUP),
    )
    assert len(made) == 2
    assert User.objects.get(username="g1").check_password("shared-secret")
    assert User.objects.get(username="g1").scope_codes == ["41010500100101"]
    assert User.objects.get(username="g1").assignments.count() == 1
