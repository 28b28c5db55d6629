"""Federation: the pushing job (docs/federation.md). Each run reads the timeline, the change
events and the notices by cursor and queues what the other levels need: facts of changed cases
and nothing personal up (on a district), steps of escalated cases, warnings and notices down (on
the city). Each message is queued once, under its id; the outbox's gateway delivers them in
batches (services/federation_wire.py).
"""

from django.db import connection, transaction

from gridgov.accounts.system import EXCHANGE, system_user
from gridgov.cases.models import Case, CaseEvent
from gridgov.exchange.models import (
    ChangeEvent,
    FederationCursor,
    FederationLink,
    FederationMember,
    FederationMessage,
)
from gridgov.exchange.models.federation import Direction, LinkRole
from gridgov.exchange.services import federation_files
from gridgov.exchange.services.federation_receive import FACT_MEASURES
from gridgov.exchange.services.federation_wire import (
    DOWN_PATH,
    UP_PATH,
    members_under,
    parent_config,
    send_later,
)
from gridgov.notify.models import Priority

BATCH = 2000
LOOKBACK = 200


def _lookback() -> int:
    """Ids behind the cursor read again each run: on PostgreSQL an id may commit after a larger
    one, so a row the cursor passed may appear later; reading it again is harmless (each message
    is queued once, by its key)."""
    return 0 if connection.vendor == "sqlite" else LOOKBACK


def _cursor(name: str) -> FederationCursor:
    cursor, _created = FederationCursor.objects.select_for_update().get_or_create(name=name)
    return cursor


@transaction.atomic
def push_facts(limit: int = BATCH) -> tuple[int, int]:
    """Queue the facts of cases whose timeline grew since the last run for the parent; the
    version is the case's newest timeline id, so the parent keeps the newest whatever arrives
    first. Returns (timeline rows read, messages queued)."""
    config = parent_config()
    if config is None:
        return 0, 0
    from gridgov.assessment.models import CaseFact
    from gridgov.assessment.rollup import rebuild_facts

    cursor = _cursor("facts")
    rows = list(
        CaseEvent.objects.filter(pk__gt=cursor.position - _lookback())
        .order_by("pk")
        .values_list("pk", "case_id")[:limit]
    )
    new = sum(1 for pk, _case in rows if pk > cursor.position)
    if not new:
        return 0, 0
    versions: dict[int, int] = {}
    for pk, case_id in rows:
        versions[case_id] = max(pk, versions.get(case_id, 0))
    rebuild_facts(list(versions))
    statuses = dict(Case.objects.filter(pk__in=list(versions)).values_list("pk", "status"))
    queued = 0
    for fact in CaseFact.objects.filter(case_id__in=list(versions)).order_by("case_id"):
        version = versions[fact.case_id]
        send_later(
            url=config["url"] + UP_PATH,
            msg_id=f"fact:{config['area']}:{fact.case_id}:{version}",
            kind="case.fact",
            data={
                "area_code": fact.area_code,
                "local_id": str(fact.case_id),
                "version": version,
                "month": fact.month,
                "status": statuses.get(fact.case_id, ""),
                "category_code": fact.category_code,
                "measures": {m: getattr(fact, m) for m in FACT_MEASURES},
            },
            peer=config["parent_area"],
            area_code=fact.area_code,
            local_id=str(fact.case_id),
            priority=Priority.BULK,
        )
        queued += 1
    cursor.position = max(cursor.position, rows[-1][0])
    cursor.save(update_fields=["position"])
    return new, queued


@transaction.atomic
def push_steps(limit: int = BATCH) -> tuple[int, int]:
    """Queue, for each member, the new steps of the cases it escalated here."""
    cursor = _cursor("steps")
    top = (
        CaseEvent.objects.filter(pk__gt=cursor.position - _lookback())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(top)
    new = sum(1 for pk in ids if pk > cursor.position)
    if not new:
        return 0, 0
    links = {
        link.case_id: link
        for link in FederationLink.objects.filter(
            role=LinkRole.FROM_MEMBER,
            case_id__in=CaseEvent.objects.filter(pk__in=ids).values("case_id"),
        )
    }
    members = {m.area_code: m for m in FederationMember.objects.select_related("client")}
    queued = 0
    steps = CaseEvent.objects.filter(pk__in=ids, case_id__in=list(links)).order_by("pk")
    for step in steps:
        link = links[step.case_id]
        member = members.get(link.peer)
        if member is None:
            continue
        send_later(
            url=member.url.rstrip("/") + DOWN_PATH,
            msg_id=f"step:{link.peer}:{step.pk}",
            kind="case.step",
            data={
                "area_code": link.peer,
                "local_id": link.remote_id,
                "remote_id": str(step.case_id),
                "seq": step.pk,
                "action": step.action,
                "action_label": step.action_label,
                "status": step.to_status,
                "note": step.note[:500] if step.action != "report" else "",
                "time": step.time.isoformat(),
            },
            peer=link.peer,
            area_code=link.area_code,
            local_id=str(step.case_id),
            member=member,
        )
        queued += 1
    cursor.position = max(cursor.position, ids[-1])
    cursor.save(update_fields=["position"])
    return new, queued


@transaction.atomic
def push_warnings(limit: int = BATCH) -> tuple[int, int]:
    """Queue each newly issued warning for the members whose area it reaches."""
    from gridgov.warnings.models import Target, Warning

    cursor = _cursor("warnings")
    rows = list(
        ChangeEvent.objects.filter(pk__gt=cursor.position - _lookback())
        .order_by("pk")
        .values_list("pk", "type", "object_id")[:limit]
    )
    new = sum(1 for row in rows if row[0] > cursor.position)
    if not new:
        return 0, 0
    wanted = [int(oid) for _pk, kind, oid in rows if kind == "warning.issued" and oid.isdigit()]
    queued = 0
    for warning in Warning.objects.filter(pk__in=wanted).order_by("pk"):
        if warning.external_ref.startswith("federation "):
            continue  # received from above: not sent back down
        codes = list(Target.objects.filter(warning=warning).values_list("code", flat=True))
        for member in members_under(codes):
            send_later(
                url=member.url.rstrip("/") + DOWN_PATH,
                msg_id=f"warning:{member.area_code}:{warning.pk}",
                kind="warning",
                data={
                    "area_code": member.area_code,
                    "local_id": str(warning.pk),
                    "identifier": warning.identifier,
                    "event": warning.event,
                    "colour": warning.colour,
                    "headline": warning.headline,
                    "description": warning.description,
                    "instruction": warning.instruction,
                    "onset": warning.onset.isoformat() if warning.onset else "",
                    "expires": warning.expires.isoformat() if warning.expires else "",
                },
                peer=member.area_code,
                area_code=member.area_code,
                local_id=str(warning.pk),
                member=member,
                priority=Priority.WARNING,
            )
            queued += 1
    cursor.position = max(cursor.position, rows[-1][0])
    cursor.save(update_fields=["position"])
    return new, queued


def push_all() -> dict[str, int]:
    """One run of the job: everything new, up and down (each stream until it is read)."""
    counts = {"facts": 0, "steps": 0, "warnings": 0, "notices": 0}
    streams = (
        ("facts", push_facts),
        ("steps", push_steps),
        ("warnings", push_warnings),
        ("notices", push_notices),
    )
    for name, push in streams:
        while True:
            read, queued = push()
            counts[name] += queued
            if not read:
                break
    return counts


@transaction.atomic
def push_notices(limit: int = BATCH) -> tuple[int, int]:
    """Queue each notice published on this platform for the members its area reaches (a notice
    received from above, published by the exchange account, is not sent down again)."""
    from gridgov.office.models import Notice

    cursor = _cursor("notices")
    rows = list(
        Notice.objects.filter(pk__gt=cursor.position - _lookback())
        .order_by("pk")
        .select_related("published_by")[:limit]
    )
    new = sum(1 for n in rows if n.pk > cursor.position)
    if not new:
        return 0, 0
    exchange = system_user(EXCHANGE)
    queued = 0
    for notice in rows:
        if notice.published_by_id == exchange.pk:
            continue
        attachments = None
        for member in members_under([notice.area_code]):
            msg_id = f"notice:{member.area_code}:{notice.pk}"
            sent = FederationMessage.objects.filter(
                direction=Direction.OUT, peer=member.area_code, msg_id=msg_id
            )
            if sent.exists():
                continue  # read again behind the cursor (PostgreSQL): queued before
            if attachments is None:
                attachments = federation_files.pack(notice)  # read once for all members
            send_later(
                url=member.url.rstrip("/") + DOWN_PATH,
                msg_id=msg_id,
                kind="notice",
                data={
                    "area_code": member.area_code,
                    "local_id": str(notice.pk),
                    "kind": notice.kind,
                    "title": notice.title,
                    "body": notice.body[:20_000],
                    "roles": list(notice.roles or []),
                    "requires_ack": notice.requires_ack,
                    "from": notice.area.name if notice.area_id else "",
                    "attachments": attachments,
                },
                peer=member.area_code,
                area_code=member.area_code,
                local_id=str(notice.pk),
                member=member,
            )
            queued += 1
    cursor.position = max(cursor.position, rows[-1].pk)
    cursor.save(update_fields=["position"])
    return new, queued
