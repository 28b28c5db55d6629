import pytest

from gridgov.accounts.permissions import Role
from gridgov.conftest import make_user


@pytest.mark.parametrize(
    ("role", "scope", "landing"),
    [
        (Role.GRID_MEMBER, "41010500100101", "/cases/"),
        (Role.COMMUNITY_STAFF, "410105001001", "/cases/"),
        (Role.DEPARTMENT_HANDLER, "410105001", "/cases/"),
        (Role.LEADER, "410105", "/cockpit/"),
        (Role.AUDITOR, "410105", "/audit/"),
        (Role.STREET_OPERATOR, "410105001", "/areas/console/"),
    ],
)
def test_each_role_lands_on_its_own_home(tree, client_for, role, scope, landing):
    user = make_user(f"u_{role}", role, [scope])
    response = client_for(user).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(landing)


def test_an_anonymous_visitor_gets_the_public_portal_with_a_sign_in_link(db, client):
    response = client.get("/")
    assert response.status_code == 200
    assert "/portal/report/" in response.content.decode()
    assert "/accounts/login/" in response.content.decode()
