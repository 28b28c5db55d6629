"""A reporter's rating and "not fixed" on a public instance (docs/portal.md, "Public instance").

On the public instance the case is the core's: `queue_action` checks what the public side knows
(the reporter, the copied status and closing time, the district's period) and queues the action
in `RelayAction` with a UUID, in one transaction. `push_actions` (part of the relay's push) sends
the due ones once their report has reached the core; the core acts through the portal's own
`rate_report` / `not_fixed` once per UUID (`receive_action`) and answers with the report's
public side, copied at once, so the status page shows the result. A failure waits and is tried
again like a report; a refusal (the period passed on the core, say) is kept as *refused*.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.exchange.models import ClientKind, ClientSystem
from gridgov.portal.models import (
    Citizen,
    PortalReport,
    RelayAction,
    RelayActionKind,
    RelayedAction,
    RelayedReport,
    RelayState,
)
from gridgov.portal.privacy import redact_text
from gridgov.portal.services import relay

MAX_NOTE = 500


# ---------------------------------------------------------------------------------------------
# the public instance


def _period_open(report: PortalReport, now: datetime.datetime) -> bool:
    from gridgov.portal.services import _may_reopen_until

    until = _may_reopen_until(report)
    return until is not None and now <= until


def queue_action(
    report: PortalReport,
    citizen: Citizen,
    kind: str,
    *,
    actor: User,
    score: int | None = None,
    note: str = "",
) -> RelayAction:
    """(Public) the reporter rates the closed report or says "not fixed" (within the district's
    period): queued for the core. A rating still waiting is replaced by a newer one; a second
    "not fixed" while one waits is the same one."""
    relay._require_portal(actor)
    if kind not in RelayActionKind.values:
        raise ValidationError({"action": _("Unknown action.")})
    if report.citizen_id != citizen.pk:
        raise PermissionDenied(_("Only who reported it may do this."))
    if not hasattr(report, "relay"):
        raise ValidationError(_("This report was not made here."))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("Keep the note within 500 characters.")})
    now = timezone.now()
    if report.public_status != "closed":
        raise ValidationError(_("Only a closed report can be rated or reopened."))
    if kind == RelayActionKind.RATE:
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ValidationError({"score": _("A rating is a whole number from 1 to 5.")})
    else:
        score = None
        if not note:
            raise ValidationError({"note": _("Give a note: why, or what was done.")})
        if not _period_open(report, now):
            raise ValidationError(_("The time to say “not fixed” has passed, or it is not closed."))
    with transaction.atomic():
        waiting = (
            RelayAction.objects.select_for_update()
            .filter(report=report, kind=kind, state=RelayState.PENDING, attempts=0)
            .first()
        )
        if waiting is not None:
            if kind == RelayActionKind.RATE:
                waiting.score, waiting.note = score, redact_text(note)
                waiting.save(update_fields=["score", "note"])
            return waiting
        return RelayAction.objects.create(
            report=report,
            kind=kind,
            score=score,
            note=redact_text(note) if kind == RelayActionKind.RATE else note,
            next_attempt_at=now,
            area_code=report.area_code,
        )


def waiting_actions(report: PortalReport) -> list[RelayAction]:
    """(Public) the report's actions not yet done on the core (waiting or refused), newest first:
    what its status page says is on its way."""
    rows = RelayAction.objects.filter(report=report).exclude(state=RelayState.SENT)
    return list(rows.order_by("-pk")[:5])


def body_of(row: RelayAction) -> dict:
    """What the core needs to do the action: its UUID and its report's relay UUID."""
    return {
        "uuid": str(row.uuid),
        "report": str(row.report.relay.uuid),
        "kind": row.kind,
        "score": row.score,
        "note": row.note,
    }


def push_actions(result: "relay.PushResult", *, now: datetime.datetime) -> None:
    """(Public) send the due actions whose report the core already has (oldest first)."""
    from gridgov.accounts.system import PORTAL, system_user

    due = list(
        RelayAction.objects.filter(
            state=RelayState.PENDING, next_attempt_at__lte=now, report__relay__state="sent"
        )
        .select_related("report__relay")
        .order_by("next_attempt_at", "pk")[: relay.PUSH_BATCH]
    )
    for row in due:
        body = body_of(row)
        answer = relay.send(row, "/api/v1/portal/relay/actions", body, result)
        if answer is None:
            continue
        with transaction.atomic():
            RelayAction.objects.filter(pk=row.pk).update(
                state=RelayState.SENT,
                attempts=row.attempts + 1,
                sent_at=timezone.now(),
                last_error="",
            )
            if isinstance(answer, dict) and answer.get("uuid") == body["report"]:
                relay.apply_status(row.report, answer, actor=system_user(PORTAL))
        result.sent += 1


# ---------------------------------------------------------------------------------------------
# the core


def receive_action(
    client: ClientSystem,
    *,
    key: str,
    report_key: str,
    kind: str,
    score: int | None,
    note: str,
    actor: User,
) -> dict:
    """(Core) a rating or "not fixed" a public instance relayed, on a report *this client*
    relayed: done through the portal's own services (the report's reporter, the district's
    period), once per UUID; the report's public side after it."""
    from gridgov.portal.services import not_fixed, rate_report

    relay._require_portal(actor)
    if client.kind != ClientKind.PUBLIC_PORTAL or not client.active:
        raise PermissionDenied(_("This client may not relay reports."))
    action_key, relayed_key = relay._uuid(key), relay._uuid(report_key)
    if kind not in RelayActionKind.values:
        raise ValidationError({"kind": _("Unknown action.")})
    with transaction.atomic():
        relayed = (
            RelayedReport.objects.filter(client=client, uuid=relayed_key)
            .select_related("report")
            .first()
        )
        if relayed is None:
            raise LookupError(report_key)
        done = RelayedAction.objects.filter(client=client, uuid=action_key).first()
        if done is None:
            report = relayed.report
            citizen = report.citizen
            if citizen is None:
                raise PermissionDenied(_("Only who reported it may do this."))
            if kind == RelayActionKind.RATE:
                if not isinstance(score, int):
                    raise ValidationError({"score": _("A rating is a whole number from 1 to 5.")})
                rate_report(report, citizen, score, actor=actor, note=note)
            else:
                not_fixed(report, citizen, note, actor=actor)
            RelayedAction.objects.create(
                client=client, uuid=action_key, report=report, kind=kind, area_code=report.area_code
            )
    report = PortalReport.objects.get(pk=relayed.report.pk)
    return relay.status_item(relayed_key, report)


__all__ = ["body_of", "push_actions", "queue_action", "receive_action", "waiting_actions"]
