"""Federation: receiving the other level's messages (docs/federation.md).

On the city, `receive_up` applies a member's message (case facts, escalations); on a district,
`receive_down` applies the parent's (steps of escalated cases, warnings, notices with their
attachments, tasks). Each message id is applied once: a repeat is answered "duplicate". A batch
(`{"batch": [...]}`) is applied in one transaction, each message on a savepoint of its own, so a
refused message does not undo the others; the answer names each message's outcome.
"""

import datetime
import json
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.system import EXCHANGE, system_user
from gridgov.areas.models import Area
from gridgov.cases.models import Case
from gridgov.cases.models.case import Channel
from gridgov.exchange.models import (
    ClientKind,
    FederationLink,
    FederationMember,
    FederationMessage,
    FederationTask,
    MemberCaseFact,
)
from gridgov.exchange.models.federation import Direction, LinkRole
from gridgov.exchange.services.clients import authenticate_client, signing_secrets
from gridgov.masking import NAME, mask

MAX_BATCH = 500
Entry = tuple[str, str, dict]  # (message id, kind, data)
FACT_MEASURES = (
    "reports",
    "public_reports",
    "valid",
    "dispatched",
    "handled",
    "closed",
    "escalations",
    "satisfaction_sum",
    "satisfaction_count",
    "close_done",
    "close_on_time",
)


def member_for_key(raw_key: str) -> FederationMember | None:
    """The member platform holding this API key (an active client system of kind federation).
    Its scope is the member's own area: `receive_up` refuses anything outside it."""
    client = authenticate_client(raw_key, kind=ClientKind.FEDERATION)
    if client is None:
        return None
    return FederationMember.objects.select_related("client").filter(client=client).first()


def member_secrets(member: FederationMember) -> list[str]:
    return signing_secrets(member.client)


def _body(raw: bytes) -> tuple[str, dict]:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(_("The message is not JSON.")) from exc
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise ValidationError(_("The message needs a kind and data."))
    kind = body.get("kind")
    if not isinstance(kind, str):
        raise ValidationError(_("The message needs a kind and data."))
    return kind, body["data"]


def batch_of(raw: bytes) -> list[Entry] | None:
    """The messages of a batch body (`{"batch": [{"id", "kind", "data"}, …]}`), or None when
    the body is a single message. ValidationError when it is neither."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(_("The message is not JSON.")) from exc
    if not isinstance(body, dict) or "batch" not in body:
        return None
    items = body["batch"]
    if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
        raise ValidationError(_("A batch holds 1 to %(n)d messages.") % {"n": MAX_BATCH})
    entries: list[Entry] = []
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError(_("A message of the batch needs an id, a kind and data."))
        msg_id, kind, data = item.get("id"), item.get("kind"), item.get("data")
        if not isinstance(msg_id, str) or not 0 < len(msg_id) <= 100:
            raise ValidationError(_("A message of the batch needs an id, a kind and data."))
        if not isinstance(kind, str) or not isinstance(data, dict):
            raise ValidationError(_("A message of the batch needs an id, a kind and data."))
        entries.append((msg_id, kind, data))
    return entries


def _apply_batch(apply: Callable[[str, str, dict], str], entries: list[Entry]) -> dict[str, str]:
    """One transaction for the batch, one savepoint per message (a refused message is logged
    and undoes nothing else); in the batch's order, which is the sender's queue order."""
    results: dict[str, str] = {}
    with transaction.atomic():
        for msg_id, kind, data in entries:
            try:
                results[msg_id] = apply(msg_id, kind, data)
            except ValidationError as exc:
                results[msg_id] = f"refused: {'; '.join(exc.messages)}"[:300]
    return results


def _text(data: dict, name: str, limit: int, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValidationError({name: _("Not a text.")})
    value = str(value)
    if len(value) > limit or (required and not value):
        raise ValidationError({name: _("Missing or too long.")})
    return value


def log_row(peer: str, msg_id: str, kind: str, data: dict, outcome: str) -> FederationMessage:
    """The log entry of a received message (not saved)."""
    return FederationMessage(
        direction=Direction.IN,
        peer=peer,
        msg_id=msg_id,
        kind=kind[:30],
        area_code=str(data.get("area_code", ""))[:20],
        local_id=str(data.get("local_id", ""))[:40],
        outcome=outcome[:200],
    )


def _log_in(peer: str, msg_id: str, kind: str, data: dict, outcome: str) -> bool:
    """Log a received message; False when its id was received before (a repeat)."""
    try:
        with transaction.atomic():
            log_row(peer, msg_id, kind, data, outcome).save(force_insert=True)
        return True
    except IntegrityError:
        return False


def receive_up(member: FederationMember, msg_id: str, raw: bytes) -> str:
    """Apply a member's message (on the city): 'applied' or 'duplicate'; ValidationError when
    refused (logged with the reason)."""
    kind, data = _body(raw)
    return _one_up(member, msg_id, kind, data)


def receive_up_batch(member: FederationMember, entries: list[Entry]) -> dict[str, str]:
    """Apply a member's batch in one transaction: each message's outcome by its id. The case
    facts (most of a catch-up) are applied together, a few statements for the whole batch
    (facts carry their version, so their order does not matter); the other messages one by
    one, in the batch's order."""
    from gridgov.exchange.services.federation_facts import apply_facts

    facts = [e for e in entries if e[1] == "case.fact"]
    with transaction.atomic():
        results = apply_facts(member, facts) if facts else {}
        others = [e for e in entries if e[1] != "case.fact"]
        results.update(_apply_batch(lambda i, k, d: _one_up(member, i, k, d), others))
    return results


def _one_up(member: FederationMember, msg_id: str, kind: str, data: dict) -> str:
    try:
        with transaction.atomic():
            if not _log_in(member.area_code, msg_id, kind, data, "applied"):
                return "duplicate"
            area = _text(data, "area_code", 20, required=True)
            if not area.startswith(member.area_code):
                raise ValidationError(_("The case lies outside the member's area."))
            if kind == "case.fact":
                _apply_fact(member, data)
            elif kind == "case.escalate":
                _apply_escalation(member, data)
            else:
                raise ValidationError(_("Unknown kind of message."))
    except ValidationError as exc:
        _log_in(member.area_code, msg_id, kind, data, f"refused: {'; '.join(exc.messages)}")
        raise
    return "applied"


def fact_values(data: dict) -> dict:
    """A case fact's checked values (ValidationError when malformed)."""
    local_id = _text(data, "local_id", 40, required=True)
    version = data.get("version")
    measures = data.get("measures")
    if not isinstance(version, int) or isinstance(version, bool) or not isinstance(measures, dict):
        raise ValidationError(_("A case fact needs a version and measures."))
    clean = {
        k: int(v)
        for k, v in measures.items()
        if k in FACT_MEASURES and isinstance(v, int) and not isinstance(v, bool)
    }
    return {
        "local_id": local_id,
        "version": version,
        "area_code": _text(data, "area_code", 20),
        "month": _text(data, "month", 7),
        "status": _text(data, "status", 16),
        "category_code": _text(data, "category_code", 10),
        "measures": clean,
    }


def _apply_fact(member: FederationMember, data: dict) -> None:
    values = fact_values(data)
    local_id, version = values.pop("local_id"), values["version"]
    fact = MemberCaseFact.objects.select_for_update().filter(member=member, local_id=local_id)
    current = fact.first()
    if current is not None and current.version >= version:
        return  # an older version arriving late changes nothing
    if current is None:
        try:
            with transaction.atomic():  # two versions of a new case may arrive at once
                MemberCaseFact.objects.create(member=member, local_id=local_id, **values)
            return
        except IntegrityError:
            current = fact.first()  # the other one committed: locked now, compare with it
            if current is None or current.version >= version:
                return
    fact.update(updated_at=timezone.now(), **values)


def _apply_escalation(member: FederationMember, data: dict) -> Case:
    from gridgov.cases.services.intake import report_case

    local_id = _text(data, "local_id", 40, required=True)
    found = FederationLink.objects.filter(
        role=LinkRole.FROM_MEMBER, peer=member.area_code, remote_id=local_id
    ).first()
    if found is not None:
        return found.case
    area = _text(data, "area_code", 20)
    if not Area.objects.filter(code=area).exists():
        area = member.area_code
    department = _text(data, "department", 100)
    description = _text(data, "description", 4000) or _text(data, "title", 100, required=True)
    if department:
        description = (
            _("Escalated to: %(department)s") % {"department": department} + "\n" + (description)
        )
    case, created = report_case(
        actor=system_user(EXCHANGE),
        channel=Channel.FEDERATION,
        title=_text(data, "title", 100),
        description=description,
        address=_text(data, "address", 200) or member.client.name,
        area_code=area,
        reporter_name=mask(_text(data, "reporter_name", 50), NAME),
        reporter_phone="",
        idempotency_key=f"fed-{member.area_code}-{local_id}"[:64],
    )
    FederationLink.objects.get_or_create(
        case=case,
        defaults={
            "role": LinkRole.FROM_MEMBER,
            "peer": member.area_code,
            "remote_id": local_id,
            "area_code": case.area_code,
        },
    )
    if created and department:
        _dispatch_escalation(case, department)
    return case


def _dispatch_escalation(case: Case, department_name: str) -> bool:
    """An escalation naming a department this platform knows (by name or code, of the case's
    level or above) goes through the normal loop at once — accepted, filed, dispatched to it —
    by the exchange account, instead of waiting in the intake. A step the loop refuses (e.g. a
    rule of this platform) leaves the case in the intake for the operators."""
    from django.db.models import Q

    from gridgov.accounts.models import Department
    from gridgov.cases.services.loop import perform

    found = [
        d
        for d in Department.objects.filter(active=True)
        .filter(Q(name=department_name) | Q(code=department_name))
        .order_by("-area_code", "code")
        if case.level_code.startswith(d.area_code)
    ]
    if not found:
        return False
    actor = system_user(EXCHANGE)
    note = _("Escalated by a member platform to %(department)s") % {"department": found[0].name}
    try:
        with transaction.atomic():
            case = perform(case, "accept", actor=actor)
            case = perform(case, "file", actor=actor)
            perform(case, "dispatch", actor=actor, department=found[0], note=note)
    except (ValidationError, PermissionDenied):
        return False
    return True


def receive_down(config: dict[str, str], msg_id: str, raw: bytes) -> str:
    """Apply the parent's message (on a district)."""
    kind, data = _body(raw)
    return _one_down(config, msg_id, kind, data)


def receive_down_batch(config: dict[str, str], entries: list[Entry]) -> dict[str, str]:
    """Apply the parent's batch in one transaction: each message's outcome by its id."""
    return _apply_batch(lambda i, k, d: _one_down(config, i, k, d), entries)


def _one_down(config: dict[str, str], msg_id: str, kind: str, data: dict) -> str:
    peer = config["parent_area"]
    try:
        with transaction.atomic():
            if not _log_in(peer, msg_id, kind, data, "applied"):
                return "duplicate"
            if kind == "case.step":
                _apply_step(peer, data)
            elif kind == "warning":
                _apply_warning(config, data)
            elif kind == "notice":
                _apply_notice(config, data)
            elif kind == "task":
                _apply_task(config, data)
            else:
                raise ValidationError(_("Unknown kind of message."))
    except ValidationError as exc:
        _log_in(peer, msg_id, kind, data, f"refused: {'; '.join(exc.messages)}")
        raise
    return "applied"


def _apply_step(peer: str, data: dict) -> None:
    from gridgov.cases.services.timeline import record_step

    local_id = _text(data, "local_id", 40, required=True)
    link = (
        FederationLink.objects.select_related("case")
        .filter(role=LinkRole.SENT_UP, case_id=int(local_id) if local_id.isdigit() else -1)
        .first()
    )
    if link is None:
        raise ValidationError(_("No case of this platform was escalated under this id."))
    remote = _text(data, "remote_id", 40)
    if remote and not link.remote_id:
        FederationLink.objects.filter(pk=link.pk).update(remote_id=remote)
    try:
        when = datetime.datetime.fromisoformat(_text(data, "time", 40, required=True))
    except ValueError as exc:
        raise ValidationError({"time": _("Not a time.")}) from exc
    label = _text(data, "action_label", 100) or _text(data, "action", 24)
    note = _text(data, "note", 500)
    record_step(
        link.case,
        system_user(EXCHANGE),
        "federation_step",
        f"{_('Level above')} #{remote or link.remote_id}: {label}" + (f" — {note}" if note else ""),
        now=when,
        data={
            "peer": peer,
            "remote_id": remote,
            "seq": data.get("seq"),
            "action": _text(data, "action", 24),
            "status": _text(data, "status", 16),
        },
    )


def _apply_warning(config: dict[str, str], data: dict) -> None:
    from gridgov.warnings import services as warnings
    from gridgov.warnings.models import Warning

    identifier = _text(data, "identifier", 100, required=True)
    ref = f"federation {config['parent_area']} {identifier}"[:300]
    if Warning.objects.filter(external_ref=ref).exists():
        return
    own = config["area"]
    if not Area.objects.filter(code=own).exists():
        raise ValidationError(_("This platform's own area is not configured."))

    def when(name: str) -> datetime.datetime | None:
        text = _text(data, name, 40)
        try:
            return datetime.datetime.fromisoformat(text) if text else None
        except ValueError as exc:
            raise ValidationError({name: _("Not a time.")}) from exc

    actor = system_user(EXCHANGE)
    draft = warnings.create_draft(
        acting_user=actor,
        area_code=own,
        data=warnings.WarningInput(
            event=_text(data, "event", 100, required=True),
            colour=_text(data, "colour", 8, required=True),
            headline=_text(data, "headline", 160, required=True),
            description=_text(data, "description", 4000),
            instruction=_text(data, "instruction", 4000),
            onset=when("onset"),
            expires=when("expires"),
            target_codes=[own],
        ),
        external_ref=ref,
    )
    warning = warnings.approve(draft, acting_user=actor)
    warnings.issue(warning, acting_user=actor)


def _apply_notice(config: dict[str, str], data: dict) -> None:
    """A notice of the level above enters this platform's office as a notice published from its
    own area by the exchange account; the district forwards it as it forwards its own."""
    from gridgov.exchange.services.federation_files import unpack
    from gridgov.office.models import NoticeKind
    from gridgov.office.services.notices import MAX_BODY as NOTICE_BODY
    from gridgov.office.services.notices import publish_notice

    own = Area.objects.filter(code=config["area"]).first()
    if own is None:
        raise ValidationError(_("This platform's own area is not configured."))
    kind = _text(data, "kind", 8) or NoticeKind.NOTICE
    roles = data.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ValidationError({"roles": _("Not a text.")})
    sender = _text(data, "from", 100) or config["parent_area"]
    files, notes = unpack(data.get("attachments") or [], sender)
    footer = "\n\n" + "\n".join(
        [*notes, _("Notice of the level above (%(sender)s)") % {"sender": sender}]
    )
    publish_notice(
        acting_user=system_user(EXCHANGE),
        kind=kind,
        title=_text(data, "title", 120, required=True),
        body=_text(data, "body", 20_000)[: NOTICE_BODY - len(footer)] + footer,
        area=own,
        roles=roles,
        requires_ack=bool(data.get("requires_ack")),
        files=files,
    )


def _apply_task(config: dict[str, str], data: dict) -> None:
    """A task of the level above waits in this platform's task list for the command center."""
    from gridgov.patrol.models.work import TaskKind

    kind = _text(data, "kind", 10, required=True)
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("Unknown task kind.")})
    try:
        due = datetime.datetime.fromisoformat(_text(data, "due", 40, required=True))
    except ValueError as exc:
        raise ValidationError({"due": _("Not a time.")}) from exc
    FederationTask.objects.get_or_create(
        peer=config["parent_area"],
        remote_id=_text(data, "local_id", 40, required=True),
        defaults={
            "area_code": config["area"],
            "kind": kind,
            "title": _text(data, "title", 120, required=True),
            "description": _text(data, "description", 4000),
            "due": due,
        },
    )
