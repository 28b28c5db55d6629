"""Fixtures of the work tests: the registry's homes and a street A community staff member."""

import datetime

import pytest
from django.utils import timezone

from gridgov.accounts.permissions import Role
from gridgov.conftest import make_user
from gridgov.registry.tests.conftest import homes

__all__ = ["homes", "in_days", "staff"]


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def staff(users):
    """A community staff member of member_a's community (assigns tasks, reviews diaries)."""
    return make_user("comm_a", Role.COMMUNITY_STAFF, ["410105001001"])
