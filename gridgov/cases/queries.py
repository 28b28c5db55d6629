"""Reads of cases for a user: queues, one case, the map. Every one starts from restrict()."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import get_for_user, has_global_scope, restrict
from gridgov.audit.services import record_access
from gridgov.cases.models import Case, Status
from gridgov.registry.identity import mask_name, mask_phone

QUEUE_LABELS = {
    "accept": _("To accept"),
    "file": _("To file"),
    "dispatch": _("To dispatch"),
    "handle": _("To handle"),
    "verify": _("To verify"),
    "overdue": _("Overdue"),
    "supervised": _("Supervised"),
    "mine": _("Reported by me"),
    "all": _("All"),
}
QUEUES = list(QUEUE_LABELS)


def cases_for(user, action: str = Action.VIEW) -> QuerySet:
    return restrict(Case.objects.all(), user, action)


def get_case_for_user(user, pk, action: str = Action.VIEW) -> Case:
    return get_for_user(
        Case.objects.select_related("category", "department", "reporter", "assignee"),
        user,
        action,
        pk=pk,
    )


def _levels(user) -> Q:
    """Cases held by this user's command center (or below it)."""
    if has_global_scope(user):
        return Q()
    q = Q(pk__in=[])
    for prefix in user.scope_codes:
        q |= Q(level_code__startswith=prefix)
    return q


def queue(user, name: str) -> QuerySet:
    cases = cases_for(user)
    if name == "accept":
        return cases.filter(_levels(user), status=Status.REPORTED)
    if name == "file":
        return cases.filter(_levels(user), status=Status.ACCEPTED)
    if name == "dispatch":
        return cases.filter(_levels(user), status=Status.FILED)
    if name == "handle":
        handling = cases.filter(status__in=[Status.DISPATCHED, Status.HANDLING])
        if user.role == Role.DEPARTMENT_HANDLER:
            return handling.filter(department_id=user.department_id)
        return handling
    if name == "verify":
        return cases.filter(status=Status.HANDLED)
    if name == "overdue":
        return cases.filter(
            status__in=[
                s
                for s in Status
                if s
                not in (
                    Status.CLOSED,
                    Status.REJECTED,
                    Status.CANCELLED,
                    Status.MERGED,
                    Status.SUSPENDED,
                )
            ],
            stage_deadline__lt=timezone.now(),
        )
    if name == "supervised":
        return cases.filter(supervised=True).open()
    if name == "mine":
        return cases.filter(reporter=user)
    return cases


def default_queue(user) -> str:
    return {
        Role.DEPARTMENT_HANDLER: "handle",
        Role.GRID_MEMBER: "mine",
        Role.LEADER: "overdue",
        Role.AUDITOR: "all",
    }.get(user.role, "accept")


def reporter_shown(user, case: Case, *, full: bool) -> dict | None:
    """The reporter's name and phone as a page shows them: masked, or in full for those who may
    call the reporter back (`full`), which is written to the access log unless the reader is the
    reporter. The one place a case's reporter details are unmasked."""
    if not (case.reporter_name or case.reporter_phone):
        return None
    if not full:
        return {"name": mask_name(case.reporter_name), "phone": mask_phone(case.reporter_phone)}
    if case.reporter_id != user.pk:
        record_access(
            actor=user,
            subject=case,
            fields=[f for f in ("reporter_name", "reporter_phone") if getattr(case, f)],
        )
    return {"name": case.reporter_name, "phone": case.reporter_phone}
