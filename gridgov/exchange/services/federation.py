"""Federation of levels: a city platform and its member district platforms.

Configuration (docs/federation.md):

- On the city, an administrator registers each district with `register_member` (or
  `gridgov federation add-member`): a client system of kind `federation` (API key and signing
  secret, shown once) and the address of the district's platform.
- On a district, the parent is configured in settings or the environment:
  `GRIDGOV_FEDERATION_PARENT_URL` (the city platform's address), `GRIDGOV_FEDERATION_AREA` (this
  district's area code), `GRIDGOV_FEDERATION_KEY` and `GRIDGOV_FEDERATION_SECRET` (what the city
  issued), `GRIDGOV_FEDERATION_PARENT_AREA` (the city's code, for the log).

Every message goes through the one outbox (channel `federation`: retries with backoff, at least
once), signed like a Standard Webhook (`webhook-id`, `webhook-timestamp`, `webhook-signature`
over `id.timestamp.body` with the shared secret); the district also sends its key. Both sides log
each message (`FederationMessage`); a receiver keeps each message id once and answers a repeat
without applying it again. Cases are known by the area code of their district plus their local
id. Up go case facts (numbers only) and escalations; down go the steps of escalated cases and
warnings.
"""

import datetime
import http.client
import json
import os
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.accounts.system import EXCHANGE, system_user
from gridgov.areas.models import Area
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_access, record_change, record_event
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.models.case import Channel
from gridgov.exchange.models import (
    ChangeEvent,
    ClientKind,
    FederationCursor,
    FederationLink,
    FederationMember,
    FederationMessage,
    FederationTask,
    MemberCaseFact,
)
from gridgov.exchange.models.federation import Direction, FederationTaskStatus, LinkRole
from gridgov.exchange.services.clients import (
    authenticate_client,
    issue_client,
    require_manager,
    signing_secrets,
)
from gridgov.exchange.services.webhooks import sign
from gridgov.masking import NAME, PHONE, mask
from gridgov.notify.gateways import GATEWAYS, OutgoingMessage, SendResult
from gridgov.notify.models import Priority
from gridgov.notify.outbox import enqueue_message

CHANNEL = "federation"
UP_PATH = "/api/v1/federation/up"
DOWN_PATH = "/api/v1/federation/down"
REVEAL_PATH = "/api/v1/federation/reveal"
REVEAL_FIELDS = ("reporter_name", "reporter_phone")
# A signed message older (or newer) than this is refused: a replayed capture is useless.
TOLERANCE_SECONDS = 7 * 24 * 3600
BATCH = 2000
LOOKBACK = 200
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


def _setting(name: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, "") or "")


def parent_config() -> dict[str, str] | None:
    """This platform's parent, or None when it is not a member of a level above."""
    url = _setting("GRIDGOV_FEDERATION_PARENT_URL")
    if not url:
        return None
    return {
        "url": url.rstrip("/"),
        "area": _setting("GRIDGOV_FEDERATION_AREA"),
        "key": _setting("GRIDGOV_FEDERATION_KEY"),
        "secret": _setting("GRIDGOV_FEDERATION_SECRET"),
        "parent_area": _setting("GRIDGOV_FEDERATION_PARENT_AREA") or "parent",
    }


# --- members (on the city) -------------------------------------------------------------------


@transaction.atomic
def register_member(
    actor: User, *, name: str, area_code: str, url: str, contact: str = ""
) -> tuple[FederationMember, str]:
    """A district platform as a member: its client system (key returned, shown once; the secret
    is on `member.client.secret`) and its address."""
    require_manager(actor)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Give the http or https address of the platform.")})
    if FederationMember.objects.filter(area_code=area_code).exists():
        raise ValidationError({"area_code": _("This area is a member already.")})
    client, key = issue_client(
        actor,
        name=name,
        kind=ClientKind.FEDERATION,
        area_codes=[area_code],
        data_kinds=["case.*", "warning.*"],
        contact=contact,
    )
    member = FederationMember.objects.create(client=client, area_code=area_code, url=url)
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=member,
        after={"area_code": area_code, "url": url, "client": client.pk},
    )
    return member, key


# --- sending ---------------------------------------------------------------------------------


def _send_later(
    *,
    url: str,
    msg_id: str,
    kind: str,
    data: dict,
    peer: str,
    area_code: str,
    local_id: str,
    member: FederationMember | None = None,
    priority: int = Priority.CASE_STEP,
) -> None:
    """Queue one message (inside the caller's transaction) and log it; queued twice, it goes
    once."""
    enqueue_message(
        CHANNEL,
        url,
        payload={
            "msg_id": msg_id,
            "member": member.pk if member else None,
            "body": {"kind": kind, "data": data},
        },
        priority=priority,
        source=f"exchange.federation:{kind}",
        dedupe_key=f"fed:{peer}:{msg_id}",
    )
    try:
        with transaction.atomic():
            FederationMessage.objects.create(
                direction=Direction.OUT,
                peer=peer,
                msg_id=msg_id,
                kind=kind,
                area_code=area_code,
                local_id=local_id,
                outcome="queued",
            )
    except IntegrityError:
        pass


class FederationGateway:
    """Delivers federation messages: signed with the member's secret (down) or this platform's
    own secret for its parent (up, with its key)."""

    name = "federation"

    def send(self, message: OutgoingMessage) -> SendResult:
        payload = message.payload
        member_id = payload.get("member")
        headers = {"Content-Type": "application/json", "User-Agent": "gridgov-federation/1"}
        if member_id:
            member = FederationMember.objects.select_related("client").filter(pk=member_id).first()
            if member is None or member.client.revoked_at is not None:
                return SendResult(ok=False, permanent=True, error="member removed or revoked")
            secrets = [member.client.secret]
        else:
            config = parent_config()
            if config is None:
                return SendResult(ok=False, permanent=True, error="no parent configured")
            secrets = [config["secret"]]
            headers["X-Api-Key"] = config["key"]
        body = json.dumps(payload["body"], ensure_ascii=False, sort_keys=True).encode()
        headers.update(_signature(secrets, payload["msg_id"], body))
        try:
            status, answer = _post(message.destination, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            return SendResult(ok=False, error=str(exc)[:500] or exc.__class__.__name__)
        if 200 <= status < 300:
            return SendResult(ok=True, response=f"HTTP {status} {answer[:200]}")
        permanent = status in (400, 404, 410, 413, 422)
        return SendResult(ok=False, permanent=permanent, error=f"HTTP {status} {answer[:300]}")


def _signature(secrets: list[str], msg_id: str, body: bytes) -> dict[str, str]:
    stamp = int(time.time())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(secrets, msg_id, stamp, body),
    }


def _post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    """POST to a configured peer (an administrator's address; redirects are not followed)."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection_ = kind(parts.hostname or "", parts.port, timeout=10)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection_.request("POST", path, body=body, headers=headers)
        response = connection_.getresponse()
        return response.status, response.read(2000).decode("utf-8", "replace")
    finally:
        connection_.close()


def register_gateway() -> None:
    GATEWAYS[CHANNEL] = FederationGateway


# --- receiving -------------------------------------------------------------------------------


class Refused(Exception):
    """A message that is not signed or not sent by whom it claims (answered 401)."""


def verify(secrets: list[str], headers, body: bytes) -> str:
    """The message id of a correctly signed message, else Refused."""
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    given = set(headers.get("webhook-signature", "").split())
    if not msg_id or len(msg_id) > 100 or not stamp.isdigit() or not given:
        raise Refused("unsigned")
    if abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
        raise Refused("too old")
    for secret in secrets:
        if secret and sign([secret], msg_id, int(stamp), body) in given:
            return msg_id
    raise Refused("bad signature")


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


def _log_in(peer: str, msg_id: str, kind: str, data: dict, outcome: str) -> bool:
    """Log a received message; False when its id was received before (a repeat)."""
    area = str(data.get("area_code", ""))[:20]
    try:
        with transaction.atomic():
            FederationMessage.objects.create(
                direction=Direction.IN,
                peer=peer,
                msg_id=msg_id,
                kind=kind[:30],
                area_code=area,
                local_id=str(data.get("local_id", ""))[:40],
                outcome=outcome[:200],
            )
        return True
    except IntegrityError:
        return False


def receive_up(member: FederationMember, msg_id: str, raw: bytes) -> str:
    """Apply a member's message (on the city): 'applied' or 'duplicate'; ValidationError when
    refused (logged with the reason)."""
    kind, data = _body(raw)
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


def _apply_fact(member: FederationMember, data: dict) -> None:
    local_id = _text(data, "local_id", 40, required=True)
    version = data.get("version")
    measures = data.get("measures")
    if not isinstance(version, int) or not isinstance(measures, dict):
        raise ValidationError(_("A case fact needs a version and measures."))
    clean = {k: int(v) for k, v in measures.items() if k in FACT_MEASURES and isinstance(v, int)}
    fact = MemberCaseFact.objects.select_for_update().filter(member=member, local_id=local_id)
    current = fact.first()
    if current is not None and current.version >= version:
        return  # an older version arriving late changes nothing
    values = {
        "version": version,
        "area_code": _text(data, "area_code", 20),
        "month": _text(data, "month", 7),
        "status": _text(data, "status", 16),
        "category_code": _text(data, "category_code", 10),
        "measures": clean,
    }
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
    from gridgov.office.models import NoticeKind
    from gridgov.office.services.notices import publish_notice

    own = Area.objects.filter(code=config["area"]).first()
    if own is None:
        raise ValidationError(_("This platform's own area is not configured."))
    kind = _text(data, "kind", 8) or NoticeKind.NOTICE
    roles = data.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ValidationError({"roles": _("Not a text.")})
    sender = _text(data, "from", 100) or config["parent_area"]
    publish_notice(
        acting_user=system_user(EXCHANGE),
        kind=kind,
        title=_text(data, "title", 120, required=True),
        body=_text(data, "body", 20_000)
        + "\n\n"
        + _("Notice of the level above (%(sender)s)") % {"sender": sender},
        area=own,
        roles=roles,
        requires_ack=bool(data.get("requires_ack")),
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


# --- notices and tasks down (on the city) -----------------------------------------------------


def _members_under(codes: list[str]) -> list[FederationMember]:
    """The members a message for these areas reaches: a member inside one of them, or one of
    them inside a member."""
    return [
        m
        for m in FederationMember.objects.select_related("client").order_by("area_code")
        if m.client.revoked_at is None
        and any(m.area_code.startswith(c) or c.startswith(m.area_code) for c in codes)
    ]


@transaction.atomic
def send_task_down(
    actor: User,
    *,
    area_codes: list[str],
    kind: str,
    title: str,
    due: datetime.datetime,
    description: str = "",
) -> int:
    """On the city: a field task for the member districts under `area_codes` (each in the
    actor's scope); it waits in each district's task list for its command center to assign.
    Returns the number of members it goes to."""
    from gridgov.patrol.models.work import TaskKind

    if not user_may(actor, Action.ASSIGN_TASKS):
        raise PermissionDenied(_("You may not assign tasks."))
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("Unknown task kind.")})
    if not title.strip() or len(title) > 120 or len(description) > 4000:
        raise ValidationError({"title": _("Missing or too long.")})
    if not area_codes or any(not code_in_scope(actor, c, Action.ASSIGN_TASKS) for c in area_codes):
        raise PermissionDenied(_("You may not assign tasks here."))
    members = _members_under(area_codes)
    if not members:
        raise ValidationError({"area_codes": _("No member platform lies in these areas.")})
    batch = uuid.uuid4().hex
    for member in members:
        _send_later(
            url=member.url.rstrip("/") + DOWN_PATH,
            msg_id=f"task:{member.area_code}:{batch}",
            kind="task",
            data={
                "area_code": member.area_code,
                "local_id": batch,
                "kind": kind,
                "title": title.strip(),
                "description": description,
                "due": due.isoformat(),
            },
            peer=member.area_code,
            area_code=member.area_code,
            local_id=batch,
            member=member,
        )
    record_event(
        actor=actor,
        object_type="exchange.federationtask",
        object_repr=title[:200],
        after={"members": [m.area_code for m in members], "batch": batch, "kind": kind},
        note="task sent to member platforms",
        action=ChangeAction.CREATE,
    )
    return len(members)


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
        for member in _members_under([notice.area_code]):
            msg_id = f"notice:{member.area_code}:{notice.pk}"
            sent = FederationMessage.objects.filter(
                direction=Direction.OUT, peer=member.area_code, msg_id=msg_id
            )
            if sent.exists():
                continue  # read again behind the cursor (PostgreSQL): queued before
            _send_later(
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


# --- tasks from above (on a district) ---------------------------------------------------------


@transaction.atomic
def assign_task_from_above(actor: User, task: FederationTask, *, area_code: str) -> int:
    """The district's command center assigns a task of the level above to the members working
    the grids under `area_code` (patrol tasks, one batch); once. Returns the tasks made."""
    from gridgov.patrol.services.work import TaskInput, assign_to_area

    task = FederationTask.objects.select_for_update().get(pk=task.pk)
    if task.status != FederationTaskStatus.WAITING:
        raise ValidationError({"status": _("This task has been assigned already.")})
    if not area_code.startswith(task.area_code):
        raise ValidationError({"area_code": _("Choose an area of this platform.")})
    made = assign_to_area(
        actor,
        TaskInput(kind=task.kind, title=task.title, due=task.due, description=task.description),
        area_code,
    )
    task.status = FederationTaskStatus.ASSIGNED
    task.batch = made[0].batch
    task.assigned_area = area_code
    task.save(update_fields=["status", "batch", "assigned_area"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=task,
        after={"status": task.status, "area_code": area_code, "tasks": len(made)},
    )
    return len(made)


# --- escalation (on a district) ---------------------------------------------------------------


@transaction.atomic
def escalate_to_parent(
    actor: User, case: Case, *, department: str = "", note: str = ""
) -> FederationLink:
    """Send a case up to a department of the level above (吹哨); once per case."""
    from gridgov.cases.services.timeline import record_step

    config = parent_config()
    if config is None:
        raise ValidationError(_("This platform has no level above configured."))
    if not code_in_scope(actor, case.area_code, Action.CHANGE):
        raise PermissionDenied(_("You may not escalate this case."))
    if len(department) > 100 or len(note) > 500:
        raise ValidationError(
            _("Keep the department within 100 and the note within 500 characters.")
        )
    link = FederationLink.objects.filter(case=case).first()
    if link is not None:
        return link
    link = FederationLink.objects.create(
        case=case, role=LinkRole.SENT_UP, peer=config["parent_area"], area_code=case.area_code
    )
    record_step(
        case,
        actor,
        "federation_up",
        _("Escalated to the level above")
        + (f": {department}" if department else "")
        + (f" — {note}" if note else ""),
        now=timezone.now(),
        data={"department": department},
    )
    _send_later(
        url=config["url"] + UP_PATH,
        msg_id=f"esc:{config['area']}:{case.pk}",
        kind="case.escalate",
        data={
            "area_code": case.area_code,
            "local_id": str(case.pk),
            "title": case.title,
            "description": case.description[:4000],
            "address": case.address,
            "category_code": case.category.code if case.category is not None else "",
            "department": department,
            "note": note,
            # the reporter travels masked; a reveal stays on the district, in its log
            "reporter_name": mask(case.reporter_name, NAME) if case.reporter_name else "",
            "reporter_phone": mask(case.reporter_phone, PHONE) if case.reporter_phone else "",
        },
        peer=config["parent_area"],
        area_code=case.area_code,
        local_id=str(case.pk),
    )
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=case,
        after={"escalated to": config["parent_area"], "department": department},
    )
    return link


# --- the logged reveal of an escalated case's reporter ----------------------------------------


def reveal_reporter(actor: User, case: Case, *, reason: str) -> dict[str, str]:
    """On the city: the reporter of a case a member escalated here, which arrived masked. Asked
    of the member with a signed request naming who asks and why; the member logs it in its access
    log and answers; logged here in the access log too. The values are returned to be shown
    once and are never stored on this platform."""
    from gridgov.cases.services.permissions import may_command

    if not user_may(actor, Action.VIEW_PERSONAL) or not may_command(actor, case):
        raise PermissionDenied(_("You may not see this case's reporter."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError({"reason": _("Say why you need the reporter's details.")})
    link = FederationLink.objects.filter(case=case, role=LinkRole.FROM_MEMBER).first()
    if link is None or not link.remote_id:
        raise ValidationError(_("This case did not come from a member platform."))
    member = FederationMember.objects.select_related("client").filter(area_code=link.peer).first()
    if member is None or member.client.revoked_at is not None:
        raise ValidationError(_("The member platform is no longer registered."))
    msg_id = f"reveal:{link.peer}:{case.pk}:{uuid.uuid4().hex[:16]}"
    body = json.dumps(
        {
            "kind": "reporter.reveal",
            "data": {
                "area_code": case.area_code,
                "local_id": link.remote_id,
                "remote_id": str(case.pk),
                "asked_by": actor.username,
                "asked_by_name": actor.display_name,
                "reason": reason,
            },
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "gridgov-federation/1"}
    headers.update(_signature([member.client.secret], msg_id, body))
    try:
        status, answer = _post(member.url.rstrip("/") + REVEAL_PATH, headers, body)
    except (OSError, http.client.HTTPException) as exc:
        status, answer = 0, str(exc) or exc.__class__.__name__
    values = None
    if status == 200:
        try:
            found = json.loads(answer)
            values = {f: str(found.get(f) or "")[:100] for f in REVEAL_FIELDS}
        except (ValueError, AttributeError):
            values = None
    outcome = "answered" if values is not None else f"not answered: {status} {answer[:150]}"
    with transaction.atomic():
        FederationMessage.objects.create(
            direction=Direction.OUT,
            peer=link.peer,
            msg_id=msg_id,
            kind="reporter.reveal",
            area_code=case.area_code,
            local_id=str(case.pk),
            outcome=outcome[:200],
        )
        if values is not None:
            record_access(
                actor=actor,
                subject=case,
                fields=[f for f in REVEAL_FIELDS if values[f]] or list(REVEAL_FIELDS),
                reason=reason,
            )
    if values is None:
        raise ValidationError(_("The member platform did not give the reporter's details."))
    return values


def answer_reveal(config: dict[str, str], msg_id: str, raw: bytes) -> dict[str, str]:
    """On a district: the parent asks for the reporter of a case this platform escalated. Logged
    in this platform's access log (who above asked, why, which case) and in the message log;
    refused for a case not escalated from here (ValidationError, logged)."""
    kind, data = _body(raw)
    peer = config["parent_area"]
    try:
        with transaction.atomic():
            if not _log_in(peer, msg_id, kind, data, "answered"):
                raise ValidationError(_("This request was answered before."))
            if kind != "reporter.reveal":
                raise ValidationError(_("Unknown kind of message."))
            local_id = _text(data, "local_id", 40, required=True)
            reason = _text(data, "reason", 500, required=True)
            asked_by = _text(data, "asked_by", 150, required=True)
            asked_name = _text(data, "asked_by_name", 150)
            link = (
                FederationLink.objects.select_related("case")
                .filter(role=LinkRole.SENT_UP, case_id=int(local_id) if local_id.isdigit() else -1)
                .first()
            )
            if link is None or link.case.area_code != _text(data, "area_code", 20):
                raise ValidationError(_("No case of this platform was escalated under this id."))
            case = link.case
            record_access(
                actor=system_user(EXCHANGE),
                subject=case,
                fields=[f for f in REVEAL_FIELDS if getattr(case, f)] or list(REVEAL_FIELDS),
                purpose="federation",
                reason=(
                    f"{peer} {asked_name or asked_by} ({asked_by}) "
                    f"#{_text(data, 'remote_id', 40)}: {reason}"
                ),
            )
            return {f: getattr(case, f) or "" for f in REVEAL_FIELDS}
    except ValidationError as exc:
        _log_in(peer, msg_id, kind, data, f"refused: {'; '.join(exc.messages)}")
        raise


# --- the pushing job -------------------------------------------------------------------------


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
        _send_later(
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
        _send_later(
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
    members = list(FederationMember.objects.select_related("client"))
    queued = 0
    for warning in Warning.objects.filter(pk__in=wanted).order_by("pk"):
        if warning.external_ref.startswith("federation "):
            continue  # received from above: not sent back down
        codes = list(Target.objects.filter(warning=warning).values_list("code", flat=True))
        for member in members:
            if not any(
                c.startswith(member.area_code) or member.area_code.startswith(c) for c in codes
            ):
                continue
            _send_later(
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


# --- figures (the city's page) ----------------------------------------------------------------


def member_figures(members, facts) -> list[dict]:
    """Per member: cases counted once (by local id), closed, open, escalations received."""
    rows = []
    for member in members:
        mine = facts.filter(member=member)
        total = mine.count()
        closed = mine.filter(status="closed").count()
        rows.append(
            {
                "member": member,
                "cases": total,
                "closed": closed,
                "open": total - closed,
                "escalated": FederationLink.objects.filter(
                    role=LinkRole.FROM_MEMBER, peer=member.area_code
                ).count(),
                "last": mine.aggregate(last=Max("updated_at"))["last"],
            }
        )
    return rows
