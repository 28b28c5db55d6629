"""The deadline sweep: yellow and red cards, the people told, escalation on red."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.cases import machine
from gridgov.cases.models import Card, CardKind, Case
from gridgov.cases.services.loop import level_parent
from gridgov.cases.services.notices import case_url, department_members, level_operators
from gridgov.cases.services.timeline import _event
from gridgov.notify.services import notify


def sweep_deadlines(now: datetime.datetime | None = None, *, actor: User) -> dict:
    """Raise yellow cards for passed deadlines and red cards for deadlines passed by their limit
    again; tell the assignee and the command center; escalate on red when configured."""
    from django.conf import settings

    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "escalated": 0}
    running = list(machine.STAGE_OF_STATUS)
    red_ids = list(
        Case.objects.filter(status__in=running, stage_red_at__lt=now)
        .exclude(stage_card="red")
        .values_list("pk", flat=True)[:2000]
    )
    yellow_ids = list(
        Case.objects.filter(status__in=running, stage_deadline__lt=now, stage_card="")
        .exclude(pk__in=red_ids)
        .values_list("pk", flat=True)[:2000]
    )
    for kind, ids in ((CardKind.RED, red_ids), (CardKind.YELLOW, yellow_ids)):
        for pk in ids:
            with transaction.atomic():
                case = (
                    Case.objects.select_for_update(of=("self",))
                    .select_related("department")
                    .get(pk=pk)
                )
                if case.status not in running or case.stage_deadline is None:
                    continue
                Card.objects.get_or_create(
                    case=case,
                    stage=case.stage,
                    kind=kind,
                    deadline=case.stage_deadline,
                    defaults={
                        "raised_at": now,
                        "area_code": case.area_code,
                        "level_code": case.level_code,
                        "department": case.department,
                    },
                )
                case.stage_card = kind
                _event(
                    case,
                    actor,
                    f"{kind}_card",
                    case.status,
                    _("Deadline passed: %(d)s")
                    % {"d": timezone.localtime(case.stage_deadline).strftime("%Y-%m-%d %H:%M")},
                    now=now,
                    data={"stage": case.stage},
                )
                people = set(department_members(case.department)) | set(
                    level_operators(case.level_code)
                )
                label = _("Yellow card") if kind == CardKind.YELLOW else _("Red card")
                notify(
                    people,
                    f"{label}: {case.title}",
                    case.number,
                    case_url(case),
                    sms=kind == CardKind.RED,
                    source=f"cases.case:{case.pk}",
                )
                counts[kind] += 1
                parent = level_parent(case.level_code)
                if kind == CardKind.RED and settings.GRIDGOV_ESCALATE_ON_RED and parent:
                    before = case.status
                    case.level_code = parent
                    case.escalations += 1
                    Card.objects.filter(case=case, kind=kind, stage=case.stage).update(
                        escalated=True
                    )
                    _event(
                        case,
                        actor,
                        "escalate",
                        before,
                        _("Escalated automatically on a red card."),
                        now=now,
                        data={"auto": True},
                    )
                    notify(
                        level_operators(case.level_code),
                        _("Case escalated to you: %(t)s") % {"t": case.title},
                        case.number,
                        case_url(case),
                        sms=True,
                        source=f"cases.case:{case.pk}",
                    )
                    counts["escalated"] += 1
                case.save()
    return counts
