"""Roles and what each may do. One table: services check it, the UI reads it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    DISTRICT_OPERATOR = "district_operator", _("District command-center operator")
    STREET_OPERATOR = "street_operator", _("Street command-center operator")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_MEMBER = "grid_member", _("Grid member")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    LEADER = "leader", _("Leader")
    AUDITOR = "auditor", _("Audit administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")


class Action(models.TextChoices):
    VIEW = "view", _("View")
    CHANGE = "change", _("Change")
    EXPORT = "export", _("Export")
    MANAGE_AREAS = "manage_areas", _("Manage areas")
    MANAGE_USERS = "manage_users", _("Manage users")
    VIEW_PERSONAL = "view_personal", _("View unmasked personal data")
    EXPORT_PERSONAL = "export_personal", _("Export personal data")
    VIEW_KEY_POPULATION = "view_key_population", _("View key service populations")
    READ_AUDIT = "read_audit", _("Read the audit logs")
    REPORT = "report", _("Report cases in the field")
    ASSESS = "assess", _("Publish assessment reports")
    MANAGE_SCHEMES = "manage_schemes", _("Edit assessment schemes")
    MANAGE_SETTINGS = "manage_settings", _("Edit the platform's settings tables")
    ISSUE_WARNING = "issue_warning", _("Draft, issue and forward warnings at one's level")
    APPROVE_WARNING = "approve_warning", _("Approve warnings at one's level")
    VIEW_TRACKS = "view_tracks", _("View other people's patrol tracks")
    ASSIGN_TASKS = "assign_tasks", _("Assign field tasks")
    REVIEW_DIARY = "review_diary", _("Review work diaries")
    VIEW_SPECIAL_POPULATION = "view_special_population", _("View special-population records")
    VIEW_FOREIGN_AFFAIRS = "view_foreign_affairs", _("View foreigners' records")
    MODERATE_PORTAL = "moderate_portal", _("Moderate the public portal")
    MANAGE_CLIENTS = "manage_clients", _("Manage client systems and data exchange")


_ALL = set(Action)
_OPERATOR = {Action.VIEW, Action.CHANGE, Action.EXPORT, Action.VIEW_PERSONAL, Action.REPORT}
_WARNINGS = {Action.ISSUE_WARNING, Action.APPROVE_WARNING}
# Supervising field work: others' tracks, tasks, diaries, sensitive ledgers of the lines.
_SUPERVISE = {
    Action.VIEW_TRACKS,
    Action.ASSIGN_TASKS,
    Action.REVIEW_DIARY,
    Action.VIEW_SPECIAL_POPULATION,
}

ROLE_ACTIONS: dict[str, set[str]] = {
    Role.ADMIN: _ALL - {Action.READ_AUDIT},
    Role.DISTRICT_OPERATOR: _OPERATOR
    | {
        Action.VIEW_KEY_POPULATION,
        Action.EXPORT_PERSONAL,
        Action.MANAGE_AREAS,
        Action.MANAGE_USERS,
        Action.ASSESS,
        Action.VIEW_FOREIGN_AFFAIRS,
        Action.MODERATE_PORTAL,
    }
    | _WARNINGS
    | _SUPERVISE,
    Role.STREET_OPERATOR: _OPERATOR
    | _WARNINGS
    | _SUPERVISE
    | {
        Action.VIEW_KEY_POPULATION,
        Action.MANAGE_AREAS,
        Action.MANAGE_USERS,
        Action.ASSESS,
        Action.VIEW_FOREIGN_AFFAIRS,
        Action.MODERATE_PORTAL,
    },
    Role.COMMUNITY_STAFF: _OPERATOR
    | _SUPERVISE
    | {Action.VIEW_KEY_POPULATION, Action.ISSUE_WARNING},
    Role.GRID_MEMBER: {Action.VIEW, Action.CHANGE, Action.VIEW_PERSONAL, Action.REPORT},
    Role.DEPARTMENT_HANDLER: {Action.VIEW, Action.CHANGE},
    Role.LEADER: {
        Action.VIEW,
        Action.EXPORT,
        Action.ASSESS,
        Action.APPROVE_WARNING,
        Action.VIEW_FOREIGN_AFFAIRS,
    },
    Role.AUDITOR: {Action.VIEW, Action.READ_AUDIT},
    # Accounts, roles, tokens and sign-in security; no desk work, no audit reading.
    Role.SECURITY_ADMIN: {Action.VIEW, Action.MANAGE_USERS},
}

# Roles whose scope is the whole installation whatever their scope codes say.
GLOBAL_ROLES = {Role.ADMIN, Role.SECURITY_ADMIN}

# 三员分立 (GB/T 22239-2019): system, security and audit administrators are separate people.
# Only a security administrator gives these roles, an account never moves from one of them to
# another, and two accounts of one person (the same phone number) never hold two of them.
SEPARATED_ROLES = {Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}


def role_may(role: str, action: str) -> bool:
    return action in ROLE_ACTIONS.get(role, set())


def may_grant(granter_role: str, role: str) -> bool:
    """A role may be given only by one that holds all of its actions (no one grants above self);
    the three administrator roles only by a security administrator."""
    if role in SEPARATED_ROLES:
        return granter_role == Role.SECURITY_ADMIN
    if granter_role in (Role.ADMIN, Role.SECURITY_ADMIN):
        return True
    return ROLE_ACTIONS.get(role, set()) <= ROLE_ACTIONS.get(granter_role, set())
