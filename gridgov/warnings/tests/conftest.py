"""Staff on every level of the test tree, each with a phone, for the warning tests."""

import pytest

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import UserSpec, bulk_create_users
from gridgov.accounts.system import SETUP, system_user
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (the seeded case classes)


@pytest.fixture
def staff(tree, users):
    """users + a street A and B operator with phones, a community staff member per community, a
    grid member per grid (phones 1390000xxxx), keyed by username."""
    specs = [
        UserSpec("street_a", Role.STREET_OPERATOR, ["410105001"], "甲街道值班", "13900000001"),
        UserSpec("street_b", Role.STREET_OPERATOR, ["410105002"], "乙街道值班", "13900000002"),
    ]
    for i, c in enumerate(tree.communities):
        specs.append(
            UserSpec(
                f"comm_{c.code}", Role.COMMUNITY_STAFF, [c.code], f"社区{i}", f"1390001{i:04d}"
            )
        )
    for i, g in enumerate(tree.grids):
        specs.append(
            UserSpec(f"grid_{g.code}", Role.GRID_MEMBER, [g.code], f"网格员{i}", f"1390002{i:04d}")
        )
    bulk_create_users(specs, shared_password="pw-shared-123", actor=system_user(SETUP))
    made = {u.username: u for u in User.objects.all()}
    return made
