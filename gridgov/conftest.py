"""Fixtures shared by every part's tests: a small area tree and users of each kind in it."""

import pytest
from django.test import Client

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff, create_user
from gridgov.areas.locator import locator
from gridgov.areas.testing import DISTRICT, STREET_A, STREET_B, build_tree


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GRIDGOV_LOCATOR_REFRESH_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_locator():
    locator.invalidate()
    yield
    locator.invalidate()


@pytest.fixture
def tree(db):
    return build_tree()


def make_user(username: str, role: str, scope: list[str], **extra):
    return create_user(
        actor=None,
        username=username,
        password="pw-" + username,
        role=role,
        scope_codes=scope,
        full_name=username,
        **extra,
    )


@pytest.fixture
def users(tree):
    """admin (global), district operator, leader, street A and B operators, a grid member in A."""
    grid_a = tree.grids[0]
    made = {
        "admin": make_user("admin", Role.ADMIN, [DISTRICT]),
        "district": make_user("district", Role.DISTRICT_OPERATOR, [DISTRICT]),
        "leader": make_user("leader", Role.LEADER, [DISTRICT]),
        "auditor": make_user("auditor", Role.AUDITOR, [DISTRICT]),
        "op_a": make_user("op_a", Role.STREET_OPERATOR, [STREET_A]),
        "op_b": make_user("op_b", Role.STREET_OPERATOR, [STREET_B]),
        "member_a": make_user("member_a", Role.GRID_MEMBER, [grid_a.code]),
    }
    assign_staff(made["member_a"], grid_a, ForceType.GRID_MEMBER, actor=None)
    return made


@pytest.fixture
def client_for():
    """A logged-in Django test client for a user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
