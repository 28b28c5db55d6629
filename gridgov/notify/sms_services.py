"""The SMS platform's operations (docs/sms.md): composed messages (drafts, scheduled, sent,
archived, deleted), templates and their approval, groups, the opt-out list, and warnings to
residents. The only place that changes these rows; each operation takes the acting user, checks
the right and the scope, and runs in one transaction. Every copy of a message is an outbox row,
so the log and the statistics see case steps, warnings and composed messages alike."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import StaffAssignment, User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, get_for_user, has_global_scope, restrict, user_may
from gridgov.audit.services import record_access
from gridgov.notify import segments
from gridgov.notify.models import (
    BatchState,
    GroupKind,
    OptOut,
    Outbox,
    Priority,
    SmsBatch,
    SmsContact,
    SmsGroup,
    SmsTemplate,
    TemplateState,
)
from gridgov.notify.outbox import enqueue_message, enqueue_messages

PHONE = re.compile(r"^\+?\d{5,20}$")
VARIABLE = re.compile(r"\{(\w+)\}")


def unit_code(user: User) -> str:
    """The unit a user sends for: their first scope area ("" for the whole installation)."""
    return "" if has_global_scope(user) else (user.scope_codes[0] if user.scope_codes else "")


def _require(user: User, action: str, code: str) -> None:
    if not code_in_scope(user, code, action):
        raise PermissionDenied(_("You may not do this here."))


def check_phone(phone: str) -> str:
    phone = phone.strip().replace(" ", "").replace("-", "")
    if not PHONE.match(phone):
        raise ValidationError(_("%(phone)s is not a phone number.") % {"phone": phone})
    return phone


# ---------------------------------------------------------------------------------------------
# templates


def render(template: SmsTemplate | None, body: str, variables: dict[str, str]) -> str:
    """The text that goes out: 【signature】 + the template with its variables, or the body."""
    if template is None:
        return body
    missing = sorted(set(VARIABLE.findall(template.body)) - set(variables))
    if missing:
        raise ValidationError(_("Fill in the variables: %(names)s") % {"names": ", ".join(missing)})
    text = VARIABLE.sub(lambda m: str(variables[m.group(1)]), template.body)
    return f"【{template.signature}】{text}"


@transaction.atomic
def save_template(
    acting_user: User, *, name: str, signature: str, body: str, provider_code: str = ""
) -> SmsTemplate:
    code = unit_code(acting_user)
    _require(acting_user, Action.CHANGE, code)
    if not signature.strip() or "【" in signature or "】" in signature:
        raise ValidationError(_("The signature is the unit's name, without brackets."))
    return SmsTemplate.objects.create(
        area_code=code,
        name=name,
        signature=signature.strip(),
        body=body,
        provider_code=provider_code,
        created_by=acting_user,
    )


@transaction.atomic
def decide_template(acting_user: User, template: SmsTemplate, *, approve: bool) -> SmsTemplate:
    """Approval is the level above's: a user whose scope holds the template's unit and more (or
    the whole installation), never its author."""
    above = has_global_scope(acting_user) or any(
        template.area_code.startswith(p) and template.area_code != p
        for p in acting_user.scope_codes
    )
    if not user_may(acting_user, Action.CHANGE) or not above:
        raise PermissionDenied(_("Templates are approved by the level above."))
    if template.created_by_id == acting_user.pk:
        raise PermissionDenied(_("A template is approved by someone other than its author."))
    template.state = TemplateState.APPROVED if approve else TemplateState.REJECTED
    template.decided_by, template.decided_at = acting_user, timezone.now()
    template.save(update_fields=["state", "decided_by", "decided_at"])
    return template


# ---------------------------------------------------------------------------------------------
# groups


@transaction.atomic
def save_group(
    acting_user: User,
    group: SmsGroup | None = None,
    *,
    name: str,
    kind: str,
    users: Sequence[User] = (),
    contacts: Sequence[tuple[str, str]] = (),
    query: dict | None = None,
) -> SmsGroup:
    """Create or change a group. Users must be within the acting user's scope; a smart group's
    query names an area within it."""
    code = group.area_code if group else unit_code(acting_user)
    _require(acting_user, Action.CHANGE, code)
    reachable = set(restrict(User.objects.all(), acting_user).values_list("pk", flat=True))
    if any(u.pk not in reachable for u in users):
        raise ValidationError(_("Some of these users are outside your scope."))
    query = query or {}
    if kind == GroupKind.SMART and not code_in_scope(acting_user, query.get("area") or code):
        raise ValidationError(_("The area is outside your scope."))
    if group is None:
        group = SmsGroup.objects.create(
            area_code=code, name=name, kind=kind, created_by=acting_user
        )
    else:
        group.name, group.kind = name, kind
    group.query = query if kind == GroupKind.SMART else {}
    group.save()
    group.users.set(users if kind == GroupKind.USERS else [])
    group.contacts.all().delete()
    if kind == GroupKind.CONTACTS:
        SmsContact.objects.bulk_create(
            [SmsContact(group=group, name=n[:50], phone=check_phone(p)) for n, p in contacts]
        )
    return group


def smart_members(acting_user: User, query: dict) -> list[User]:
    """A smart group's members now, as the acting user may reach them: staff of an area (by
    role), or its grid forces (by force type)."""
    area = query.get("area") or None
    if query.get("force_type"):
        assignments = restrict(
            StaffAssignment.objects.filter(until__isnull=True, force_type=query["force_type"]),
            acting_user,
            within=area,
        )
        return list(User.objects.filter(pk__in=assignments.values("user_id"), is_active=True))
    users = restrict(User.objects.filter(is_active=True), acting_user, within=area)
    if query.get("role"):
        users = users.filter(role=query["role"])
    return list(users)


# ---------------------------------------------------------------------------------------------
# composed messages


@dataclass
class Recipient:
    phone: str
    user: User | None = None


def resolve(acting_user: User, recipients: dict) -> list[Recipient]:
    """Everyone a composed message goes to, each number once, evaluated now through the acting
    user's scope (a smart group grows and shrinks with the staff)."""
    staff: list[User] = list(
        restrict(User.objects.all(), acting_user).filter(
            pk__in=[int(p) for p in recipients.get("users", [])], is_active=True
        )
    )
    contacts: list[tuple[str, None]] = []
    groups = restrict(SmsGroup.objects.all(), acting_user).filter(
        pk__in=[int(p) for p in recipients.get("groups", [])]
    )
    reachable = restrict(User.objects.filter(is_active=True), acting_user)
    for group in groups:
        if group.kind == GroupKind.USERS:
            staff += list(reachable.filter(pk__in=group.users.values("pk")))
        elif group.kind == GroupKind.CONTACTS:
            contacts += [(c.phone, None) for c in group.contacts.all()]
        else:
            staff += smart_members(acting_user, group.query)
    for code in recipients.get("areas", []):
        staff += smart_members(acting_user, {"area": code})
    for role in recipients.get("roles", []):
        staff += smart_members(acting_user, {"role": role})
    seen: dict[str, Recipient] = {}
    for user in staff:
        if user.phone and user.phone not in seen:
            seen[user.phone] = Recipient(user.phone, user)
    for phone, _none in contacts + [(p, None) for p in recipients.get("numbers", [])]:
        seen.setdefault(phone, Recipient(phone))
    return list(seen.values())


def cost(text: str, count: int) -> dict:
    counted = segments.count(text)
    return {
        "encoding": counted.encoding,
        "units": counted.units,
        "per_part": counted.per_part,
        "parts": counted.parts,
        "recipients": count,
        "total_parts": counted.parts * count,
    }


def get_batch_for_user(user: User, pk: int) -> SmsBatch:
    return get_for_user(SmsBatch.objects.all(), user, pk=pk)


@transaction.atomic
def save_batch(
    acting_user: User,
    batch: SmsBatch | None = None,
    *,
    body: str,
    template: SmsTemplate | None,
    variables: dict,
    recipients: dict,
    scheduled_at=None,
) -> SmsBatch:
    """Keep a composed message as a draft (a new one, or a draft changed)."""
    if batch is not None and batch.state != BatchState.DRAFT:
        raise ValidationError(_("Only a draft can be changed."))
    batch = batch or SmsBatch(area_code=unit_code(acting_user), author=acting_user)
    _require(acting_user, Action.CHANGE, batch.area_code)
    if template is not None and not restrict(SmsTemplate.objects.all(), acting_user).filter(
        pk=template.pk
    ):
        raise ValidationError(_("Unknown template."))
    recipients = {**recipients, "numbers": [check_phone(p) for p in recipients.get("numbers", [])]}
    batch.body, batch.template, batch.variables = body, template, variables
    batch.recipients, batch.scheduled_at = recipients, scheduled_at
    batch.save()
    return batch


@transaction.atomic
def send_batch(acting_user: User, batch: SmsBatch) -> SmsBatch:
    """Send a draft now, or at its scheduled time: one outbox row per recipient (bulk priority,
    so it waits for the send window), keyed by batch and number so a retry queues nothing twice."""
    _require(acting_user, Action.CHANGE, batch.area_code)
    if batch.state != BatchState.DRAFT or batch.deleted_at:
        raise ValidationError(_("Only a draft can be sent."))
    template = batch.template
    if template is not None and template.state != TemplateState.APPROVED:
        raise ValidationError(_("Only an approved template can be sent."))
    text = render(template, batch.body, batch.variables)
    if not text.strip():
        raise ValidationError(_("The message is empty."))
    recipients = resolve(acting_user, batch.recipients)
    if not recipients:
        raise ValidationError(_("Nobody to send to."))
    payload = {}
    if template is not None:
        payload = {
            "template_code": template.provider_code,
            "signature": template.signature,
            "variables": batch.variables,
        }
    enqueue_messages(
        "sms",
        [
            {
                "destination": r.phone,
                "body": text,
                "payload": payload,
                "priority": Priority.BULK,
                "source": f"notify.smsbatch:{batch.pk}",
                "dedupe_key": f"smsbatch-{batch.pk}-{r.phone}",
                "user": r.user,
                "area_code": batch.area_code,
                "not_before": batch.scheduled_at,
                "batch": batch,
                "template": template,
            }
            for r in recipients
        ],
    )
    batch.state = BatchState.SCHEDULED if batch.scheduled_at else BatchState.SENT
    batch.sent_at = timezone.now()
    batch.recipient_count = len(recipients)
    batch.parts = segments.count(text).parts * len(recipients)
    batch.save()
    return batch


@transaction.atomic
def file_batch(acting_user: User, batch: SmsBatch, action: str) -> SmsBatch:
    """Move a message between folders: archive, unarchive, delete, restore; cancel a scheduled
    send that has not gone yet (it becomes a draft again)."""
    _require(acting_user, Action.CHANGE, batch.area_code)
    if action == "archive":
        batch.archived = True
    elif action == "unarchive":
        batch.archived = False
    elif action == "delete":
        batch.deleted_at = timezone.now()
    elif action == "restore":
        batch.deleted_at = None
    elif action == "cancel" and batch.state == BatchState.SCHEDULED:
        Outbox.objects.filter(batch=batch, status="pending", attempts=0).delete()
        batch.state = BatchState.DRAFT
    else:
        raise ValidationError(_("Unknown action."))
    batch.save()
    return batch


# ---------------------------------------------------------------------------------------------
# opt-out, and warnings to residents


@transaction.atomic
def add_opt_out(acting_user: User, *, phone: str, reason: str = "") -> OptOut:
    code = unit_code(acting_user)
    _require(acting_user, Action.CHANGE, code)
    entry, _created = OptOut.objects.get_or_create(
        phone=check_phone(phone),
        defaults={"area_code": code, "reason": reason, "created_by": acting_user},
    )
    return entry


@transaction.atomic
def remove_opt_out(acting_user: User, entry: OptOut) -> None:
    _require(acting_user, Action.CHANGE, entry.area_code)
    entry.delete()


def warn_resident(
    acting_user: User, person, *, text: str, warning_source: str, dedupe_key: str
) -> Outbox | None:
    """An issued warning to a resident from the registry (个人信息保护法 art. 13(4): an emergency
    basis). The only path that sends to registry phones; each send is in the access log. Call
    inside the transaction that issues the warning."""
    if not warning_source.startswith("warnings."):
        raise PermissionDenied(_("Residents' phones get SMS only for an issued warning."))
    if not person.phone or not code_in_scope(acting_user, person.area_code):
        return None
    record_access(
        actor=acting_user,
        subject=person,
        fields=["phone"],
        purpose="sms",
        reason=f"warning {warning_source}",
    )
    return enqueue_message(
        "sms",
        person.phone,
        text,
        priority=Priority.WARNING,
        source=warning_source,
        dedupe_key=dedupe_key,
        area_code=person.area_code,
    )
