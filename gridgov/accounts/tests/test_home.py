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


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("role", "scope", "headers", "landing"),
    [
        (Role.GRID_MEMBER, "41010500100101", {"HTTP_USER_AGENT": IPHONE}, "/m/"),
        (Role.GRID_MEMBER, "41010500100101", {"HTTP_USER_AGENT": ANDROID}, "/m/"),
        (Role.GRID_MEMBER, "41010500100101", {"HTTP_SEC_CH_UA_MOBILE": "?1"}, "/m/"),
        (
            Role.GRID_MEMBER,
            "41010500100101",
            {"HTTP_USER_AGENT": DESKTOP, "HTTP_SEC_CH_UA_MOBILE": "?0"},
            "/cases/",
        ),
        (Role.COMMUNITY_STAFF, "410105001001", {"HTTP_USER_AGENT": ANDROID}, "/m/"),
        (Role.LEADER, "410105", {"HTTP_USER_AGENT": IPHONE}, "/m/"),
        (Role.LEADER, "410105", {"HTTP_USER_AGENT": DESKTOP}, "/cockpit/"),
        # Desk roles have no phone pages: their home stays.
        (Role.STREET_OPERATOR, "410105001", {"HTTP_USER_AGENT": IPHONE}, "/areas/console/"),
        (Role.AUDITOR, "410105", {"HTTP_USER_AGENT": ANDROID}, "/audit/"),
    ],
)
def test_field_roles_on_a_phone_land_on_the_phone_app(
    tree, client_for, role, scope, headers, landing
):
    """A grid member who opens the platform's address in the phone's browser (not the installed
    app, which starts at /m/) gets the phone app, not the desk's case queue."""
    user = make_user(f"u_{role}", role, [scope])
    response = client_for(user).get("/", **headers)
    assert response.status_code == 302
    assert response["Location"].startswith(landing)
