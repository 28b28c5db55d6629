"""Reads of cases for a user: queues, one case, the map. Every one starts from restrict()."""

import datetime
import math

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.audit.services import record_access
from gridgov.cases.models import Case, Status
from gridgov.cases.models.case import CaseQuerySet

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


DUPLICATE_RADIUS_M = 100
DUPLICATE_WINDOW_HOURS = 72


def cases_for(user, action: str = Action.VIEW, within: str | None = None) -> CaseQuerySet:
    return restrict(Case.objects.all(), user, action, within=within)


def caller_cases(user, phone: str, limit: int = 10) -> tuple[int, list[Case]]:
    """A caller's earlier reports for the hotline entry, among the cases this operator may see:
    how many there are, and the open ones first, then the newest. Matched on the phone's blind
    index: the stored numbers stay sealed."""
    from gridgov.cases.services.permissions import COMMAND_ROLES

    if user.role not in COMMAND_ROLES:
        raise PermissionDenied(_("Only command-center staff take calls."))
    cases = cases_for(user).filter(reporter_phone=phone).select_related("category")
    shown = list(cases.open().order_by("-created_at", "-id")[:limit])
    if len(shown) < limit:
        closed = cases.exclude(pk__in=[c.pk for c in shown]).order_by("-created_at", "-id")
        shown += list(closed[: limit - len(shown)])
    return cases.count(), shown


def get_case_for_user(user, pk, action: str = Action.VIEW) -> Case:
    return get_for_user(
        Case.objects.select_related("category", "department", "reporter", "assignee"),
        user,
        action,
        pk=pk,
    )


def _held(cases: QuerySet, user) -> QuerySet:
    """Cases held by this user's command center (or below it): their level in the scope."""
    return restrict(cases, user, field="level_code")


def queue(user, name: str, within: str | None = None) -> QuerySet:
    cases = cases_for(user, within=within)
    if name == "accept":
        return _held(cases, user).filter(status=Status.REPORTED)
    if name == "file":
        return _held(cases, user).filter(status=Status.ACCEPTED)
    if name == "dispatch":
        return _held(cases, user).filter(status=Status.FILED)
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


def duplicates_for(user, case: Case, limit: int = 10) -> QuerySet:
    """Open cases the user may see, of the same class near in space (100 m) and time (72 h):
    the likely duplicates a case may be merged into."""
    if case.lon is None or case.lat is None or case.category_id is None:
        return Case.objects.none()
    dlat = DUPLICATE_RADIUS_M / 111_000
    dlon = dlat / max(math.cos(math.radians(case.lat)), 0.1)
    window = datetime.timedelta(hours=DUPLICATE_WINDOW_HOURS)
    return (
        cases_for(user)
        .open()
        .filter(
            category_id=case.category_id,
            lon__range=(case.lon - dlon, case.lon + dlon),
            lat__range=(case.lat - dlat, case.lat + dlat),
            created_at__range=(case.created_at - window, case.created_at + window),
        )
        .exclude(pk=case.pk)
        .exclude(status=Status.MERGED)[:limit]
    )


def default_queue(user) -> str:
    return {
        Role.DEPARTMENT_HANDLER: "handle",
        Role.GRID_MEMBER: "mine",
        Role.LEADER: "overdue",
        Role.AUDITOR: "all",
    }.get(user.role, "accept")


def reporter_shown(user, case: Case, *, full: bool) -> dict | None:
    """The reporter's name and phone for the case page, with `full`: shown in full to those who
    may call the reporter back, which is written to the access log unless the reader is the
    reporter; otherwise the page masks them (the `mask` filter). The one place a case's reporter
    details are read for a page."""
    if not (case.reporter_name or case.reporter_phone):
        return None
    if not full:
        return {"name": case.reporter_name, "phone": case.reporter_phone, "full": False}
    if case.reporter_id != user.pk:
        record_access(
            actor=user,
            subject=case,
            fields=[f for f in ("reporter_name", "reporter_phone") if getattr(case, f)],
        )
    return {"name": case.reporter_name, "phone": case.reporter_phone, "full": True}
