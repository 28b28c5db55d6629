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
import uuid
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.accounts.system import EXCHANGE, system_user
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_access, record_change, record_event
from gridgov.cases.models import Case
from gridgov.exchange.models import (
    ClientKind,
    FederationLink,
    FederationMember,
    FederationMessage,
    FederationTask,
)
from gridgov.exchange.models.federation import (
    Direction,
    FederationTaskStatus,
    LinkRole,
    Signing,
)
from gridgov.exchange.services.clients import issue_client, require_manager
from gridgov.exchange.services.federation_push import (  # noqa: F401 (the job's entry points)
    push_all,
    push_facts,
    push_notices,
    push_steps,
    push_warnings,
)
from gridgov.exchange.services.federation_receive import (  # noqa: F401 (the receivers)
    FACT_MEASURES,
    _body,
    _log_in,
    _text,
    batch_of,
    member_for_key,
    member_secrets,
    receive_down,
    receive_down_batch,
    receive_up,
    receive_up_batch,
)
from gridgov.exchange.services.federation_wire import (  # noqa: F401 (wire and gateway)
    CHANNEL,
    DOWN_PATH,
    REVEAL_PATH,
    UP_PATH,
    Refused,
    members_under,
    parent_config,
    register_gateway,
    send_later,
    signature_headers,
    verify,
)
from gridgov.exchange.services.federation_wire import post as _post
from gridgov.masking import NAME, PHONE, mask

REVEAL_FIELDS = ("reporter_name", "reporter_phone")


# --- members (on the city) -------------------------------------------------------------------


@transaction.atomic
def register_member(
    actor: User,
    *,
    name: str,
    area_code: str,
    url: str,
    contact: str = "",
    signing: str = Signing.HMAC_SHA256,
) -> tuple[FederationMember, str]:
    """A district platform as a member: its client system (key returned, shown once; the secret
    is on `member.client.secret`), its address and how messages with it are signed."""
    require_manager(actor)
    if signing not in Signing.values:
        raise ValidationError({"signing": _("Choose HMAC-SHA256 or HMAC-SM3.")})
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
    member = FederationMember.objects.create(
        client=client, area_code=area_code, url=url, signing=signing
    )
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=member,
        after={"area_code": area_code, "url": url, "client": client.pk, "signing": signing},
    )
    return member, key


@transaction.atomic
def set_member_signing(actor: User, member: FederationMember, signing: str) -> FederationMember:
    """Change how messages with a member are signed (both sides switch together: the member's
    GRIDGOV_FEDERATION_SIGNING must say the same)."""
    require_manager(actor)
    if not code_in_scope(actor, member.area_code, Action.MANAGE_CLIENTS):
        raise PermissionDenied(_("You may not manage this member."))
    if signing not in Signing.values:
        raise ValidationError({"signing": _("Choose HMAC-SHA256 or HMAC-SM3.")})
    before = member.signing
    FederationMember.objects.filter(pk=member.pk).update(signing=signing)
    member.signing = signing
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=member,
        before={"signing": before},
        after={"signing": signing},
    )
    return member


# --- notices and tasks down (on the city) -----------------------------------------------------


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
    members = members_under(area_codes)
    if not members:
        raise ValidationError({"area_codes": _("No member platform lies in these areas.")})
    batch = uuid.uuid4().hex
    for member in members:
        send_later(
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
    send_later(
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
    headers.update(signature_headers([member.client.secret], msg_id, body, member.signing))
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
