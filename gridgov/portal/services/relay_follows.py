"""Joining and following on a public instance, relayed to the core (docs/portal.md, "Public
instance").

A citizen who joins a report made there ("I see it too"), follows it, or follows (or stops
following) an area does so on the public instance first (`join_report`, `follow_report`,
`subscribe_area`, `unsubscribe_area`); on a public instance those services also queue the fact
in `RelayFollow` with a UUID, in the same transaction. `push_follows` (part of the relay's push)
sends the due ones — once their report has reached the core — to the core's
`POST /api/v1/portal/relay/follows` with the follower's phone; the core records them through the
same portal services (so its co-reporters and followers are complete), once per UUID
(`RelayedFollow`), and from then on the core tells that follower by SMS: the public instance
stops telling them itself, and its retention (`portal.relayed`) forgets, after the period, the
numbers of citizens who only followed. A failure waits and is tried again like a report; a
refusal (a banned number, an area outside the client's) is kept as *refused*.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.exchange.models import ClientKind, ClientSystem
from gridgov.notify.sms_services import check_phone
from gridgov.portal.models import (
    AreaSubscription,
    Citizen,
    Follower,
    PortalReport,
    RelayedFollow,
    RelayedReport,
    RelayFollow,
    RelayFollowKind,
    RelayState,
)
from gridgov.portal.services import relay

REPORT_KINDS = (RelayFollowKind.JOIN, RelayFollowKind.FOLLOW)
OPPOSITE: dict[str, str] = {
    RelayFollowKind.AREA: RelayFollowKind.AREA_STOP,
    RelayFollowKind.AREA_STOP: RelayFollowKind.AREA,
}


# ---------------------------------------------------------------------------------------------
# the public instance


def queue_follow(
    kind: str,
    citizen: Citizen,
    *,
    actor: User,
    report: PortalReport | None = None,
    area_code: str = "",
    note: str = "",
) -> RelayFollow | None:
    """(Public) queue a join, a follow or an area subscription (or its end) for the core, in the
    caller's transaction. Nothing for a report not made here or for its own reporter (who is
    told by this instance). The latest of "follow the area" and "stop" waiting wins."""
    relay._require_portal(actor)
    if not relay.is_public():
        return None
    if kind in REPORT_KINDS:
        if report is None or not hasattr(report, "relay") or report.citizen_id == citizen.pk:
            return None
        area_code = report.area_code
    waiting = RelayFollow.objects.filter(
        citizen=citizen, state=RelayState.PENDING, report=report, area_code=area_code
    )
    with transaction.atomic():
        if kind in OPPOSITE:
            waiting.filter(kind=OPPOSITE[kind]).delete()
        same = waiting.filter(kind=kind).first()
        if same is not None:
            return same
        return RelayFollow.objects.create(
            kind=kind,
            report=report,
            citizen=citizen,
            area_code=area_code,
            note=note[:500],
            next_attempt_at=timezone.now(),
        )


def body_of(row: RelayFollow) -> dict:
    """What the core needs: the UUID, the kind, the report's relay UUID or the area, the
    follower's phone (the only personal data; it goes to the core alone, with the client key)."""
    return {
        "uuid": str(row.uuid),
        "kind": row.kind,
        "report": str(row.report.relay.uuid) if row.report is not None else "",
        "area": row.area_code if row.report is None else "",
        "phone": row.citizen.phone if row.citizen is not None else "",
        "note": row.note,
    }


def due(now: datetime.datetime) -> list[RelayFollow]:
    """(Public) the rows to send now: their report (if any) is on the core already."""
    return list(
        RelayFollow.objects.filter(
            state=RelayState.PENDING, next_attempt_at__lte=now, citizen__isnull=False
        )
        .filter(Q(report__isnull=True) | Q(report__relay__state=RelayState.SENT))
        .select_related("report__relay", "citizen")
        .order_by("next_attempt_at", "pk")[: relay.PUSH_BATCH]
    )


def delivered(row: RelayFollow, *, attempts: int, now: datetime.datetime | None = None) -> None:
    """(Public) the core has the follow: it tells that follower from now on, not this side."""
    with transaction.atomic():
        RelayFollow.objects.filter(pk=row.pk).update(
            state=RelayState.SENT, sent_at=now or timezone.now(), last_error="", attempts=attempts
        )
        if row.report_id is not None and row.citizen_id is not None:
            Follower.objects.filter(report_id=row.report_id, citizen_id=row.citizen_id).update(
                notify=False
            )


def push_follows(result: "relay.PushResult", *, now: datetime.datetime) -> None:
    """(Public) send the due joins and follows (oldest first); those of a report the core
    refused are refused with it (the core will never know that report)."""
    RelayFollow.objects.filter(
        state=RelayState.PENDING, report__relay__state=RelayState.REFUSED
    ).update(state=RelayState.REFUSED, last_error=_("The core refused this report."))
    for row in due(now):
        answer = relay.send(row, "/api/v1/portal/relay/follows", body_of(row), result)
        if answer is None:
            continue
        delivered(row, attempts=row.attempts + 1)
        result.sent += 1


# ---------------------------------------------------------------------------------------------
# the core


def receive_follow(client: ClientSystem, body: dict, *, actor: User) -> dict:
    """(Core) a join, follow or area subscription a public instance relayed: recorded through
    the portal's own services (a join makes a co-reporter; the core tells followers by SMS),
    once per UUID. A join or follow only of a report *this client* relayed (else LookupError),
    an area only inside the client's areas."""
    from gridgov.portal.services import follow_report, join_report, subscribe_area
    from gridgov.portal.services.area_digest import unsubscribe_area

    relay._require_portal(actor)
    if client.kind != ClientKind.PUBLIC_PORTAL or not client.active:
        raise PermissionDenied(_("This client may not relay reports."))
    key = relay._uuid(str(body.get("uuid")))
    kind = str(body.get("kind") or "")
    if kind not in RelayFollowKind.values:
        raise ValidationError({"kind": _("Unknown kind of follow.")})
    phone = check_phone(str(body.get("phone") or ""))
    note = str(body.get("note") or "")[:500]
    with transaction.atomic():
        if RelayedFollow.objects.filter(client=client, uuid=key).exists():
            return {"uuid": str(key), "done": True}
        report = None
        if kind in REPORT_KINDS:
            report_key = relay._uuid(str(body.get("report")))
            relayed = (
                RelayedReport.objects.filter(client=client, uuid=report_key)
                .select_related("report")
                .first()
            )
            if relayed is None:
                raise LookupError(body.get("report"))
            report = relayed.report
            area_code = report.area_code
        else:
            area_code = str(body.get("area") or "")[:20]
            if not area_code or not relay._in_client_scope(client, area_code):
                raise PermissionDenied(_("This area lies outside the areas of this client."))
        citizen = relay.citizen_for(phone)
        if kind == RelayFollowKind.JOIN and report is not None:
            join_report(report, citizen, actor=actor, note=note)
        elif kind == RelayFollowKind.FOLLOW and report is not None:
            follow_report(report, citizen, actor=actor)
        elif kind == RelayFollowKind.AREA:
            subscribe_area(citizen, area_code, actor=actor)
        elif AreaSubscription.objects.filter(citizen=citizen, area_code=area_code).exists():
            unsubscribe_area(citizen, area_code, actor=actor)  # (already stopped: nothing to do)
        RelayedFollow.objects.create(
            client=client, uuid=key, kind=kind, report=report, area_code=area_code
        )
    return {"uuid": str(key), "done": True}


__all__ = ["body_of", "delivered", "due", "push_follows", "queue_follow", "receive_follow"]
