"""Who may run a level's office (publish notices, register and circulate documents), and the
staff a notice or a channel reaches."""

from django.db.models import QuerySet

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import code_in_scope

# The roles that keep an office: they publish notices and run documents for their level.
OFFICE_ROLES = {
    Role.ADMIN,
    Role.DISTRICT_OPERATOR,
    Role.STREET_OPERATOR,
    Role.COMMUNITY_STAFF,
}


def may_run_office(user, area_code: str) -> bool:
    """Whether `user` keeps the office of the level `area_code` (or one above it)."""
    return (getattr(user, "role", None) in OFFICE_ROLES or user.is_superuser) and code_in_scope(
        user, area_code, Action.CHANGE
    )


def staff_within(area_code: str, roles=()) -> QuerySet:
    """Active staff whose scope lies inside the area (its staff, down to the grids)."""
    through = User.scope_areas.through.objects.filter(area__code__startswith=area_code)
    users = User.objects.filter(is_active=True, pk__in=through.values("user_id"))
    if roles:
        users = users.filter(role__in=list(roles))
    return users
