"""三员分立: system, security and audit administrators are separate, and audit records are kept
from the auditor they are about."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts import services
from gridgov.accounts.permissions import SEPARATED_ROLES, Action, Role
from gridgov.accounts.scope import user_may
from gridgov.conftest import make_user
from gridgov.registry import services as registry


@pytest.fixture
def security(users):
    return make_user("security", Role.SECURITY_ADMIN, [])


def new_user(actor, role: str, username: str = "new", phone: str = ""):
    return services.create_user(
        actor=actor,
        username=username,
        password="Long-enough-pass-1",
        role=role,
        scope_codes=["410105"],
        phone=phone,
    )


def test_the_three_roles_exist_and_do_not_overlap():
    assert {Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR} == SEPARATED_ROLES
    from gridgov.accounts.permissions import ROLE_ACTIONS

    assert Action.READ_AUDIT not in ROLE_ACTIONS[Role.ADMIN] | ROLE_ACTIONS[Role.SECURITY_ADMIN]
    assert Action.MANAGE_USERS not in ROLE_ACTIONS[Role.AUDITOR]
    assert ROLE_ACTIONS[Role.SECURITY_ADMIN] == {Action.VIEW, Action.MANAGE_USERS}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_only_a_security_administrator_gives_the_three_roles(role, users, security):
    with pytest.raises(PermissionDenied):
        new_user(users["admin"], role)
    with pytest.raises(PermissionDenied):
        new_user(users["district"], role)
    assert new_user(security, role).role == role


def test_the_system_administrator_still_manages_ordinary_users(users):
    made = new_user(users["admin"], Role.STREET_OPERATOR)
    services.update_user(made, actor=users["admin"], role=Role.LEADER)


def test_an_account_never_moves_between_the_three_roles(users, security):
    with pytest.raises(ValidationError):
        services.update_user(users["auditor"], actor=security, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.update_user(users["admin"], actor=security, role=Role.AUDITOR)
    services.update_user(users["auditor"], actor=security, full_name="审计管理员")


def test_one_person_never_holds_two_of_the_roles_through_two_accounts(users, security):
    new_user(security, Role.AUDITOR, "audit2", phone="13900000001")
    with pytest.raises(ValidationError):
        new_user(security, Role.ADMIN, "sys2", phone="13900000001")
    with pytest.raises(ValidationError):
        new_user(security, Role.SECURITY_ADMIN, "sec2", phone="13900000001")
    new_user(security, Role.AUDITOR, "audit3", phone="13900000001")  # the same role is fine
    other = new_user(security, Role.ADMIN, "sys3", phone="13900000002")
    with pytest.raises(ValidationError):
        services.update_user(other, actor=security, phone="13900000001")


def test_the_system_administrator_cannot_take_over_the_other_two(users, security):
    with pytest.raises(PermissionDenied):
        services.set_password(users["auditor"], "Taken-over-1!", actor=users["admin"])
    with pytest.raises(PermissionDenied):
        services.update_user(users["auditor"], actor=users["admin"], is_active=False)
    with pytest.raises(PermissionDenied):
        services.update_user(security, actor=users["admin"], is_active=False)


def test_nobody_changes_their_own_role(security):
    with pytest.raises(PermissionDenied):
        services.update_user(security, actor=security, role=Role.LEADER)


def test_a_superuser_does_not_read_the_audit_logs(users):
    users["admin"].is_superuser = True
    assert user_may(users["admin"], Action.MANAGE_AREAS)
    assert not user_may(users["admin"], Action.READ_AUDIT)


def test_the_role_menu_offers_only_roles_the_manager_may_give(users, security, client_for):
    def offered(user) -> set[str]:
        html = client_for(user).get("/accounts/users/new/").content.decode()
        menu = html.split('name="role"', 1)[1].split("</select>", 1)[0]
        return {r for r in Role.values if f'value="{r}"' in menu}

    assert offered(security) == set(Role.values)
    assert offered(users["admin"]) == set(Role.values) - SEPARATED_ROLES
    assert offered(users["op_a"]) == {
        Role.STREET_OPERATOR,
        Role.COMMUNITY_STAFF,
        Role.GRID_MEMBER,
        Role.DEPARTMENT_HANDLER,
        Role.LEADER,
    }


def test_the_user_pages_offer_the_security_administrator(users, security, client_for):
    page = client_for(security).post(
        "/accounts/users/new/",
        {
            "username": "auditor2",
            "full_name": "审计员二",
            "role": Role.AUDITOR,
            "scope": "410105",
            "password": "Long-enough-pass-1",
        },
    )
    assert page.status_code == 302
    refused = client_for(users["admin"]).post(
        "/accounts/users/new/",
        {
            "username": "auditor3",
            "full_name": "x",
            "role": Role.AUDITOR,
            "scope": "410105",
            "password": "Long-enough-pass-1",
        },
    )
    assert refused.status_code == 403


def test_an_auditor_does_not_read_the_records_of_their_own_actions(users, security, client_for):
    auditor, other = users["auditor"], new_user(security, Role.AUDITOR, "auditor2")
    # The auditor does something that is logged: a change of their own account, a read.
    services.set_password(auditor, "Audit-Passw0rd!", actor=auditor)
    person, _created = registry.save_person(
        {"name": "王五", "id_number": "410105198001010017", "registration": "registered"},
        actor=users["op_a"],
        area_code="41010500100101",
    )
    registry.reveal_person(person, actor=users["op_a"], reason="核实")
    own = client_for(auditor)
    changes_own = own.get("/audit/changes/?type=accounts.user").context["page"].object_list
    assert all(r.actor_id != auditor.pk for r in changes_own)
    assert all(r.object_id != str(auditor.pk) for r in changes_own)
    # Another auditor does see them (liveness), and both see the operator's read.
    changes_other = client_for(other).get("/audit/changes/?type=accounts.user").context["page"]
    assert any(r.actor_id == auditor.pk for r in changes_other.object_list)
    for client in (own, client_for(other)):
        reads = client.get("/audit/access/").context["page"].object_list
        assert [r.actor_id for r in reads] == [users["op_a"].pk]


def test_the_audit_pages_cannot_change_anything(users, client_for):
    auditor = client_for(users["auditor"])
    for url in ("/audit/changes/", "/audit/access/"):
        assert auditor.post(url).status_code == 405
        assert auditor.delete(url).status_code == 405
