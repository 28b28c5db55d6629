"""Transfer requests: a record that an identifier finds in another area than the writer's.

A write never updates, merges, moves or returns a record outside the writer's scope. When the
identifier of a new person or organization (form, API or import) names a record held elsewhere,
the writer learns only that it is held elsewhere, and a transfer request goes to the holder, who
decides within GRIDGOV_TRANSFER_WORKING_DAYS working days; after that the command center of the
area both belong to decides (`escalate_due_transfers`, a periodic job). Every match is written to
the access log and counted against the writer's hourly limit (GRIDGOV_IDENTIFIER_MATCHES_PER_HOUR),
so identifiers cannot be probed in bulk.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import code_in_scope, get_for_user, restrict, user_may
from gridgov.areas.models import Area
from gridgov.audit.models import AccessLog, ChangeAction
from gridgov.audit.services import record_access, record_change, snapshot
from gridgov.cases.models.taxonomy import TimeUnit
from gridgov.cases.worktime import deadline_after
from gridgov.notify.services import notify
from gridgov.registry.models import (
    House,
    Organization,
    Person,
    TransferKind,
    TransferRequest,
    TransferStatus,
)

MATCH_PURPOSE = "match"
DECIDER_ROLES = (Role.DISTRICT_OPERATOR, Role.STREET_OPERATOR, Role.COMMUNITY_STAFF)


class HeldElsewhere(ValidationError):
    """The identifier names a record outside the writer's scope; a transfer request was made."""

    def __init__(self, field: str, request: TransferRequest | None):
        self.transfer = request
        message = (
            _(
                "This identifier belongs to a record held by another area. A transfer request "
                "(No. %(n)d) was sent to its holder."
            )
            % {"n": request.pk}
            if request is not None
            else _("This identifier belongs to a record held by another area.")
        )
        super().__init__({field: [message]})


class MatchLimitReached(PermissionDenied):
    """Too many identifiers matched records held elsewhere within the hour."""


def check_match_rate(actor: User, count: int = 1) -> None:
    """Refuse when `count` more matches would pass the writer's hourly limit."""
    limit = settings.GRIDGOV_IDENTIFIER_MATCHES_PER_HOUR
    since = timezone.now() - datetime.timedelta(hours=1)
    done = (
        AccessLog.objects.filter(actor_id=actor.pk, purpose=MATCH_PURPOSE, time__gte=since)
        .aggregate(n=models.Sum("record_count"))
        .get("n")
        or 0
    )
    if done + count > limit:
        raise MatchLimitReached(
            _(
                "Too many identifiers of records held by other areas in the last hour (limit "
                "%(n)d). Try again later or ask the command center."
            )
            % {"n": limit}
        )


def log_matches(actor: User, records: Sequence[models.Model], *, source: str) -> None:
    """One access-log row per record found elsewhere: who looked for whom, from where."""
    check_match_rate(actor, len(records))
    for record in records:
        field = "id_number" if isinstance(record, Person) else "credit_code"
        record_access(
            actor=actor,
            subject=record,
            fields=[field],
            purpose=MATCH_PURPOSE,
            reason=_("Identifier matched by a write from another area (%(s)s)") % {"s": source},
        )


def common_parent_code(a: str, b: str) -> str:
    """The deepest area both codes lie in ("" when none)."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    prefixes = [a[:i] for i in range(1, n + 1)]
    found = Area.objects.filter(code__in=prefixes).values_list("code", flat=True)
    return max(found, key=len, default="")


@transaction.atomic
def request_transfer(
    *,
    actor: User,
    record: Person | Organization,
    target_code: str,
    target_house: House | None = None,
    source: str,
) -> TransferRequest:
    """Log the match and ask the holder to move the record; a request already open for the same
    record from the same writer is reused."""
    log_matches(actor, [record], source=source)
    kind = TransferKind.PERSON if isinstance(record, Person) else TransferKind.ORGANIZATION
    open_request = TransferRequest.objects.filter(
        kind=kind,
        requested_by=actor,
        status__in=[TransferStatus.PENDING, TransferStatus.ESCALATED],
        **{kind: record},
    ).first()
    if open_request is not None:
        return open_request
    now = timezone.now()
    transfer = TransferRequest.objects.create(
        kind=kind,
        person=record if kind == TransferKind.PERSON else None,
        organization=record if kind == TransferKind.ORGANIZATION else None,
        holder_code=record.area_code,
        target_code=target_code,
        target_house=target_house,
        decider_code=record.area_code,
        source=source,
        requested_by=actor,
        requested_at=now,
        due_at=deadline_after(now, settings.GRIDGOV_TRANSFER_WORKING_DAYS, TimeUnit.WORK_DAY),
    )
    record_change(
        actor=actor, action=ChangeAction.CREATE, instance=transfer, after=_facts(transfer)
    )
    _tell_deciders(transfer, _("A record of your area is asked for by another area"))
    return transfer


def _tell_deciders(transfer: TransferRequest, title: str) -> None:
    """The command-center staff of the deciding area (its own level and the level above)."""
    prefixes = [transfer.decider_code[:i] for i in range(1, len(transfer.decider_code) + 1)]
    staff = User.objects.filter(
        is_active=True, role__in=DECIDER_ROLES, scope_areas__code__in=prefixes
    ).distinct()
    notify(
        staff, title, _("Transfer request No. %(n)d") % {"n": transfer.pk}, "/registry/transfers/"
    )


def _facts(transfer: TransferRequest) -> dict:
    return snapshot(
        transfer, ["kind", "holder_code", "target_code", "decider_code", "status", "source"]
    )


def transfers_for(user) -> models.QuerySet:
    """Requests the user decides (in their scope) or made themselves."""
    return restrict(TransferRequest.objects.all(), user, Action.VIEW).select_related(
        "requested_by", "person", "organization", "target_house"
    )


def get_transfer_for_user(user, pk: int) -> TransferRequest:
    return get_for_user(transfers_for(user), user, Action.VIEW, pk=pk)


def may_decide(user, transfer: TransferRequest) -> bool:
    """A user with the right to change records whose scope holds the deciding area (never the
    requester)."""
    return (
        transfer.is_open
        and transfer.requested_by_id != user.pk
        and user_may(user, Action.CHANGE)
        and code_in_scope(user, transfer.decider_code)
    )


def present_transfer(transfer: TransferRequest, user) -> dict:
    """What a user may read of a request: the decider sees the record; the requester only that
    it is held elsewhere and what became of the request."""
    data = {
        "id": transfer.pk,
        "kind": transfer.kind,
        "status": transfer.status,
        "target_code": transfer.target_code,
        "requested_at": transfer.requested_at.isoformat(),
        "due_at": transfer.due_at.isoformat(),
        "decided_at": transfer.decided_at.isoformat() if transfer.decided_at else None,
        "status_label": transfer.get_status_display(),
        "due_label": timezone.localtime(transfer.due_at).strftime("%Y-%m-%d %H:%M"),
        "mine": transfer.requested_by_id == user.pk,
        "may_decide": may_decide(user, transfer),
        "record": None,
    }
    if code_in_scope(user, transfer.decider_code) and transfer.requested_by_id != user.pk:
        record = transfer.person or transfer.organization
        data["holder_code"] = transfer.holder_code
        data["requested_by"] = transfer.requested_by.display_name
        data["record"] = {
            "id": record.pk,
            "name": record.name,
            "area_code": record.area_code,
        }
    return data


@transaction.atomic
def decide_transfer(
    transfer: TransferRequest, *, actor: User, accept: bool, note: str = ""
) -> TransferRequest:
    """The holder (or, after the limit, the common parent area) moves the record or refuses."""
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    if not may_decide(actor, transfer):
        raise PermissionDenied(_("You may not decide this transfer request."))
    before = _facts(transfer)
    now = timezone.now()
    if accept:
        _move(transfer, actor)
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REFUSED
    transfer.decided_by, transfer.decided_at = actor, now
    transfer.decision_note = (note or "").strip()[:500]
    transfer.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=transfer,
        before=before,
        after=_facts(transfer),
        note=transfer.decision_note,
    )
    return transfer


def _move(transfer: TransferRequest, actor: User) -> None:
    from gridgov.registry import services

    if transfer.kind == TransferKind.PERSON:
        person = Person.objects.select_for_update().get(pk=transfer.person_id)
        if transfer.target_house is not None:
            services.place_person(person, transfer.target_house, actor=actor)
        else:
            services.recode_record(person, transfer.target_code, actor=actor)
    else:
        organization = Organization.objects.select_for_update().get(pk=transfer.organization_id)
        services.recode_record(organization, transfer.target_code, actor=actor)


def escalate_due_transfers(now: datetime.datetime | None = None, *, actor: User) -> int:
    """Requests the holder left undecided past the limit go to the common parent area."""
    now = now or timezone.now()
    count = 0
    due = TransferRequest.objects.filter(status=TransferStatus.PENDING, due_at__lt=now)
    for transfer in due.iterator():
        with transaction.atomic():
            before = _facts(transfer)
            transfer.decider_code = (
                common_parent_code(transfer.holder_code, transfer.target_code)
                or transfer.holder_code
            )
            transfer.status = TransferStatus.ESCALATED
            transfer.escalated_at = now
            transfer.save(update_fields=["decider_code", "status", "escalated_at"])
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE,
                instance=transfer,
                before=before,
                after=_facts(transfer),
                note=_("Not decided in time: sent to the common parent area."),
            )
            _tell_deciders(transfer, _("A transfer request was not decided in time"))
            count += 1
    return count
