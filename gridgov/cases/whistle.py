"""吹哨报到: a street's command center "blows the whistle" on a case to summon named departments to
the site; each must report (报到) there within a time limit. The whistle, every arrival (on time
or late) and the joint handling notes are timeline entries, so assessment counts response times
from the timeline like every other step."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Role
from gridgov.cases import services
from gridgov.cases.models import Case, Status, WhistleCall
from gridgov.cases.routing import dispatch_choices
from gridgov.notify.services import notify

MAX_DEPARTMENTS = 10
OPEN_FOR_WHISTLE = {Status.ACCEPTED, Status.FILED, Status.DISPATCHED, Status.HANDLING}


def may_blow(user, case: Case) -> bool:
    """The command center holding the case at a street (or the district) may summon."""
    return (
        case.status in OPEN_FOR_WHISTLE
        and len(case.level_code) in (6, 9)
        and services.may_command(user, case)
    )


def open_call_for(user, case: Case) -> WhistleCall | None:
    """The summons of the user's department on this case that still waits for its arrival."""
    if not user.is_authenticated or user.role != Role.DEPARTMENT_HANDLER or not user.department_id:
        return None
    return (
        WhistleCall.objects.filter(case=case, department_id=user.department_id, reported_at=None)
        .order_by("called_at")
        .first()
    )


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


@transaction.atomic
def blow_whistle(
    case: Case,
    *,
    acting_user: User,
    departments: list[Department],
    minutes: int,
    note: str,
) -> list[WhistleCall]:
    """Summon departments to the case's site, each to report within `minutes` (natural time:
    a whistle is for problems on the ground now)."""
    case = _locked(case)
    if not may_blow(acting_user, case):
        raise PermissionDenied(
            _("Only the command center holding an open case at a street may blow the whistle.")
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what the departments are summoned for.")})
    if not 10 <= minutes <= 72 * 60:
        raise ValidationError(
            {"minutes": _("Give a time to report between 10 minutes and 72 hours.")}
        )
    chosen = {d.pk: d for d in departments}
    if not chosen or len(chosen) > MAX_DEPARTMENTS:
        raise ValidationError({"departments": _("Summon one to ten departments.")})
    allowed = set(dispatch_choices(case).filter(pk__in=chosen).values_list("pk", flat=True))
    if set(chosen) - allowed:
        raise ValidationError(
            {"departments": _("Summon departments of this level or the levels above.")}
        )
    now = timezone.now()
    due = now + datetime.timedelta(minutes=minutes)
    calls = [
        WhistleCall(
            case=case, department=d, called_by=acting_user, called_at=now, due_at=due, note=note
        )
        for d in chosen.values()
    ]
    WhistleCall.objects.bulk_create(calls)
    services.record_step(
        case,
        acting_user,
        "whistle",
        note,
        now=now,
        data={"departments": sorted(d.code for d in chosen.values()), "due": due.isoformat()},
    )
    for d in chosen.values():
        notify(
            services.department_members(d),
            _("Summoned to a case on site (吹哨报到): %(t)s") % {"t": case.title},
            _("Report on site by %(time)s. %(address)s")
            % {"time": timezone.localtime(due).strftime("%m-%d %H:%M"), "address": case.address},
            services.case_url(case),
            sms=True,
            source=f"cases.case:{case.pk}",
        )
    return calls


@transaction.atomic
def report_in(case: Case, *, acting_user: User, note: str = "") -> WhistleCall:
    """The summoned department reports on site (报到); on time when by its time limit."""
    case = _locked(case)
    call = open_call_for(acting_user, case)
    if call is None:
        raise PermissionDenied(_("Your department has no summons on this case to answer."))
    now = timezone.now()
    call.reported_at, call.reported_by = now, acting_user
    call.save(update_fields=["reported_at", "reported_by"])
    services.record_step(
        case,
        acting_user,
        "report_in",
        (note or "").strip(),
        now=now,
        department=call.department,
        deadline=call.due_at,
        on_time=now <= call.due_at,
        data={
            "department": call.department.code,
            "minutes": round((now - call.called_at).total_seconds() / 60),
        },
    )
    return call
