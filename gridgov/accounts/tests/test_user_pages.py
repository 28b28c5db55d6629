from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.audit.models import ChangeLog


def test_street_operator_manages_users_of_their_street(tree, users, client_for):
    client = client_for(users["op_a"])
    listing = client.get("/accounts/users/").content.decode()
    assert "member_a" in listing and "op_b" not in listing
    created = client.post(
        "/accounts/users/new/",
        {
            "username": "g_new",
            "full_name": "新网格员",
            "role": Role.GRID_MEMBER,
            "scope": "41010500100102",
            "password": "Gr1d-member-pass",
        },
    )
    assert created.status_code == 302
    user = User.objects.get(username="g_new")
    assert user.scope_codes == ["41010500100102"] and user.check_password("Gr1d-member-pass")
    edited = client.post(
        f"/accounts/users/{user.pk}/",
        {
            "full_name": "改名",
            "role": Role.GRID_MEMBER,
            "scope": "41010500100103",
            "is_active": "on",
        },
    )
    assert edited.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "改名" and user.scope_codes == ["41010500100103"]
    assert (
        ChangeLog.objects.filter(object_type="accounts.user", object_id=str(user.pk)).count() == 2
    )


def test_no_one_grants_above_themselves(tree, users, client_for):
    client = client_for(users["op_a"])
    for role in (Role.ADMIN, Role.AUDITOR, Role.DISTRICT_OPERATOR):
        page = client.post(
            "/accounts/users/new/",
            {
                "username": f"x{role}",
                "full_name": "x",
                "role": role,
                "scope": "410105001",
                "password": "Long-enough-pass-1",
            },
        )
        assert page.status_code == 403
    outside = client.post(
        "/accounts/users/new/",
        {
            "username": "y",
            "full_name": "y",
            "role": Role.GRID_MEMBER,
            "scope": "410105002",
            "password": "Long-enough-pass-1",
        },
    )
    assert "不在您的数据范围内" in outside.content.decode()
    weak = client.post(
        "/accounts/users/new/",
        {
            "username": "z",
            "full_name": "z",
            "role": Role.GRID_MEMBER,
            "scope": "410105001",
            "password": "123",
        },
    )
    assert weak.status_code == 200 and not User.objects.filter(username="z").exists()


def test_grid_members_cannot_manage_users(tree, users, client_for):
    assert client_for(users["member_a"]).get("/accounts/users/").status_code == 403
    assert client_for(users["member_a"]).get("/accounts/users/new/").status_code == 403
