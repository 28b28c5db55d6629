"""Whom to tell about a case, and the notifications a loop step queues in its transaction."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Role
from gridgov.cases.models import Case
from gridgov.notify.services import notify


def department_members(department: Department | None) -> QuerySet:
    if department is None:
        return User.objects.none()
    return User.objects.filter(department=department, is_active=True)


def level_operators(level_code: str) -> QuerySet:
    roles = [Role.DISTRICT_OPERATOR, Role.STREET_OPERATOR, Role.COMMUNITY_STAFF]
    return User.objects.filter(
        role__in=roles, scope_areas__code=level_code, is_active=True
    ).distinct()


def case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def _after(case: Case, action: str, actor: User, note: str) -> None:
    """Tell the people who must act next (in the same transaction; SMS leaves after commit)."""
    url = case_url(case)
    if action == "dispatch":
        notify(
            department_members(case.department),
            _("New case dispatched: %(t)s") % {"t": case.title},
            case.address,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )
    elif action in ("verify_fail",):
        notify(
            department_members(case.department),
            _("Rework needed: %(t)s") % {"t": case.title},
            note,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )
    elif action in (
        "return",
        "request_extension",
        "request_suspension",
        "request_cancellation",
        "feedback",
    ):
        notify(
            level_operators(case.level_code),
            _("Case %(n)s needs you: %(t)s") % {"n": case.number, "t": case.title},
            note,
            url,
        )
    elif action == "escalate":
        notify(
            level_operators(case.level_code),
            _("Case escalated to you: %(t)s") % {"t": case.title},
            note,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )
    elif action in ("remind", "supervise"):
        people = (
            list(department_members(case.department))
            if case.department
            else list(level_operators(case.level_code))
        )
        if case.assignee:
            people.append(case.assignee)
        title = (
            _("Reminder (催办): %(t)s")
            if action == "remind"
            else _("Under supervision (督办): %(t)s")
        )
        notify(
            set(people),
            title % {"t": case.title},
            note,
            url,
            sms=True,
            source=f"cases.case:{case.pk}",
        )
