"""Who may act on a case: the command center, the levels above, the department, the verifier,
the reporter, and which loop steps a user may take now."""

from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import code_in_scope, has_global_scope, user_may
from gridgov.cases import machine
from gridgov.cases.models import Case, RequestStatus, WhistleCall

COMMAND_ROLES = {Role.ADMIN, Role.DISTRICT_OPERATOR, Role.STREET_OPERATOR, Role.COMMUNITY_STAFF}


def may_command(user, case: Case) -> bool:
    """The command center holding the case: an operator whose scope contains its level."""
    if not user_may(user, Action.CHANGE) or user.role not in COMMAND_ROLES:
        return False
    return code_in_scope(user, case.level_code)


def may_supervise(user, case: Case) -> bool:
    """A level above the holder (or a leader over the case) may supervise and remind."""
    if not user.is_authenticated or not user.is_active:
        return False
    if has_global_scope(user):
        return True
    if user.role == Role.LEADER:
        return code_in_scope(user, case.area_code)
    if user.role not in COMMAND_ROLES:
        return False
    return code_in_scope(user, case.level_code) and case.level_code not in user.scope_codes


def is_department(user, case: Case) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.DEPARTMENT_HANDLER
        and case.department_id is not None
        and user.department_id == case.department_id
    )


def is_summoned(user, case: Case) -> bool:
    """A handler of a department summoned to this case (吹哨报到): it joins the handling notes."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.DEPARTMENT_HANDLER
        and user.department_id
        and WhistleCall.objects.filter(case=case, department_id=user.department_id).exists()
    )


def may_verify(user, case: Case) -> bool:
    if may_command(user, case):
        return True
    return (
        user.is_authenticated
        and user.role == Role.GRID_MEMBER
        and code_in_scope(user, case.area_code)
    )


def _actor_may(kind: str, user, case: Case) -> bool:
    if kind == machine.COMMAND:
        return may_command(user, case)
    if kind == machine.DEPARTMENT:
        return is_department(user, case)
    if kind == machine.VERIFIER:
        return may_verify(user, case) or is_department(user, case)
    if kind == machine.REPORTER:
        return (
            user.is_authenticated and case.reporter_id == user.pk and user.role == Role.GRID_MEMBER
        )
    if kind == machine.SUPERVISOR:
        return may_supervise(user, case)
    return False


def allowed_actions(case: Case, user) -> list[machine.Transition]:
    """The actions this user may take on this case now (what the page shows as buttons)."""
    result = []
    for t in machine.TRANSITIONS.values():
        if t.action == "comment" and case.status in t.sources and is_summoned(user, case):
            result.append(t)
            continue
        if case.status not in t.sources or not _actor_may(t.actor, user, case):
            continue
        if t.action == "request_suspension" and may_command(user, case):
            result.append(t)
            continue
        if t.action == "decide" and not case.requests.filter(status=RequestStatus.PENDING).exists():
            continue
        if t.action == "locate" and not case.needs_locating:
            continue
        if t.action == "escalate" and len(case.level_code) <= 6:
            continue
        result.append(t)
    return result
