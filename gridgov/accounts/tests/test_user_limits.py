"""A manager edits, resets or deactivates a user only when the whole of that user's scope lies in
their own, and gives only the roles and areas they hold."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts import services
from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.areas.testing import STREET_A, STREET_B
from gridgov.conftest import make_user


@pytest.fixture
def straddler(users):
    """A grid member whose scope spans both streets."""
    return make_user("straddler", Role.GRID_MEMBER, [STREET_A + "001", STREET_B + "001"])


def _form(user, **changes):
    data = {
        "full_name": user.full_name,
        "role": user.role,
        "phone": user.phone,
        "scope": " ".join(user.scope_areas.values_list("code", flat=True)),
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_street_manager_cannot_edit_a_user_reaching_into_another_street(
    users, straddler, client_for
):
    page = client_for(users["op_a"]).post(
        f"/accounts/users/{straddler.pk}/", _form(straddler, scope=STREET_A + "001")
    )
    assert page.status_code == 403
    straddler.refresh_from_db()
    assert sorted(straddler.scope_areas.values_list("code", flat=True)) == [
        STREET_A + "001",
        STREET_B + "001",
    ]
    # Liveness: the district manager holds both streets and may.
    page = client_for(users["district"]).post(
        f"/accounts/users/{straddler.pk}/", _form(straddler, scope=STREET_A + "001")
    )
    assert page.status_code == 302
    assert list(straddler.scope_areas.values_list("code", flat=True)) == [STREET_A + "001"]


@pytest.mark.parametrize(
    "change",
    [
        lambda actor, user: services.update_user(user, actor=actor, is_active=False),
        lambda actor, user: services.set_password(user, "new-password-1", actor=actor),
        lambda actor, user: services.update_user(user, actor=actor, full_name="改名"),
    ],
    ids=["deactivate", "reset", "edit"],
)
def test_deactivate_reset_edit_need_the_whole_scope(users, straddler, change):
    with pytest.raises(PermissionDenied):
        change(users["op_a"], straddler)
    with pytest.raises(PermissionDenied):
        change(users["op_a"], users["district"])  # a wider user
    straddler.refresh_from_db()
    assert straddler.is_active and straddler.full_name == "straddler"
    assert straddler.check_password("pw-straddler")
    change(users["op_a"], users["member_a"])  # inside street A: allowed


def test_roles_and_scopes_given_are_held_by_the_manager(users):
    member = users["member_a"]
    with pytest.raises(PermissionDenied):
        services.update_user(member, actor=users["op_a"], role=Role.DISTRICT_OPERATOR)
    with pytest.raises(ValidationError):
        services.update_user(member, actor=users["op_a"], scope_codes=[STREET_B])
    member.refresh_from_db()
    assert member.role == Role.GRID_MEMBER
    assert User.objects.get(pk=member.pk).scope_codes == [member.scope_codes[0]]
