"""Disputes and mediation (人民调解法): registration, sessions, agreement, fulfilment, court
confirmation, referral, closing; the monthly screening of each grid. Every write is one
transaction with its timeline event and change-log row."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, restrict
from gridgov.areas.models import Area, Level
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.lines.models import (
    AlertCause,
    Dispute,
    DisputeEvent,
    DisputeParty,
    DisputeState,
    FollowUp,
    MediationSession,
    Referral,
    RiskGrade,
    ScreeningState,
    ScreeningTask,
)
from gridgov.lines.services import alerts
from gridgov.registry.models import Organization, Person
from gridgov.warnings.models import Colour

# A dispute with this many parties or more is escalated like a high-risk one.
MANY_PARTIES = 5
COURT_WINDOW_DAYS = 30  # 人民调解法 art. 33: apply together within 30 days of the agreement
OPEN_STATES = (DisputeState.REGISTERED, DisputeState.MEDIATING, DisputeState.AGREEMENT)


@dataclass
class PartyInput:
    name: str
    role: str = "applicant"
    person_id: int | None = None
    organization_id: int | None = None


@dataclass
class DisputeInput:
    kind: str
    title: str
    area_code: str
    risk: str = RiskGrade.LOW
    source: str = "report"
    description: str = ""
    place: str = ""
    mediation_body: str = ""
    mediator_id: int | None = None
    parties: list[PartyInput] = field(default_factory=list)
    client_key: str | None = None  # the phone outbox's key: a replay answers the first dispute


def _check(actor: User, code: str) -> None:
    if not code_in_scope(actor, code, Action.CHANGE):
        raise PermissionDenied(_("This area is outside your scope."))


def _event(actor: User, dispute: Dispute, what: str, note: str = "") -> None:
    DisputeEvent.objects.create(
        dispute=dispute,
        at=timezone.now(),
        actor=actor,
        what=what,
        note=note[:500],
        area_code=dispute.area_code,
    )


def _log(actor: User, dispute: Dispute, before: dict | None, note: str) -> None:
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        instance=dispute,
        before=before,
        after=snapshot(dispute, ["state", "risk", "flagged", "effective_on", "court_result"]),
        note=note,
    )


def _number(prefix: str, model) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    last = model.objects.filter(number__startswith=prefix + stamp).order_by("-number").first()
    serial = int(last.number[-5:]) + 1 if last else 1
    return f"{prefix}{stamp}{serial:05d}"


def needs_escalation(risk: str, party_count: int) -> bool:
    return risk in (RiskGrade.HIGH, RiskGrade.GROUP) or party_count >= MANY_PARTIES


def _raise_alert(dispute: Dispute, parties: int) -> None:
    """The warning to the street and district (once per dispute)."""
    alerts.raise_alert(
        cause=AlertCause.DISPUTE_ESCALATED,
        subject=dispute,
        area_code=dispute.area_code,
        headline=alerts.headline_of(
            AlertCause.DISPUTE_ESCALATED,
            number=dispute.number,
            risk=RiskGrade(dispute.risk).label,
            parties=parties,
            area=alerts.area_name(dispute.area_code),
        ),
        url=reverse("lines:dispute", args=[dispute.pk]),
        colour=Colour.ORANGE if dispute.risk == RiskGrade.GROUP else Colour.YELLOW,
    )


def _check_links(data: DisputeInput, actor: User) -> None:
    """A party linked to a registry person or organization, and the mediator, must be records
    the actor may see: an id alone must not attach someone else's record to a dispute."""
    wanted = {
        "person_id": (Person, {p.person_id for p in data.parties if p.person_id}),
        "organization_id": (
            Organization,
            {p.organization_id for p in data.parties if p.organization_id},
        ),
        "mediator_id": (User, {data.mediator_id} if data.mediator_id else set()),
    }
    for name, (model, ids) in wanted.items():
        if ids and restrict(model._default_manager.filter(pk__in=ids), actor).count() != len(ids):
            raise ValidationError({name: _("No such record in your area.")})


def replayed(actor: User, client_key: str | None) -> Dispute | None:
    """The dispute this actor already registered with this outbox key, if any."""
    if not client_key:
        return None
    return Dispute.objects.filter(client_key=client_key, created_by=actor).first()


def _registry_names(data: DisputeInput) -> None:
    """A party linked to the registry without a name (the phone's outbox sends the id only)
    takes the registry's name."""
    people = {p.person_id for p in data.parties if p.person_id and not p.name}
    orgs = {p.organization_id for p in data.parties if p.organization_id and not p.name}
    people_names = dict(Person.objects.filter(pk__in=people).values_list("pk", "name"))
    org_names = dict(Organization.objects.filter(pk__in=orgs).values_list("pk", "name"))
    for p in data.parties:
        if not p.name:
            found = (
                people_names.get(p.person_id)
                if p.person_id
                else org_names.get(p.organization_id or 0)
            )
            p.name = (found or "")[:120]
        if not p.name:
            raise ValidationError({"parties": _("Name each party, or pick one from the registry.")})


@transaction.atomic
def register_dispute(data: DisputeInput, *, actor: User, case=None) -> Dispute:
    _check(actor, data.area_code)
    if not Area.objects.filter(code=data.area_code).exists():
        raise ValidationError({"area_code": _("Unknown area.")})
    if not data.parties:
        raise ValidationError({"parties": _("Name at least one party.")})
    if data.client_key and Dispute.objects.filter(client_key=data.client_key).exists():
        raise ValidationError({"client_key": _("This key was used for another dispute.")})
    _check_links(data, actor)
    _registry_names(data)
    dispute = Dispute.objects.create(
        number=_number("JF", Dispute),
        kind=data.kind,
        title=data.title,
        description=data.description,
        place=data.place,
        area_code=data.area_code,
        risk=data.risk,
        source=data.source,
        mediation_body=data.mediation_body,
        mediator_id=data.mediator_id,
        case=case,
        created_by=actor,
        created_at=timezone.now(),
        client_key=data.client_key or None,
    )
    DisputeParty.objects.bulk_create(
        DisputeParty(
            dispute=dispute,
            role=p.role,
            name=p.name,
            person_id=p.person_id,
            organization_id=p.organization_id,
            area_code=dispute.area_code,
        )
        for p in data.parties
    )
    _event(actor, dispute, "registered", dispute.title)
    if needs_escalation(dispute.risk, len(data.parties)):
        dispute.flagged = True
        dispute.save(update_fields=["flagged"])
        _event(
            actor,
            dispute,
            "escalated",
            _("High risk or many parties: shown to street and district."),
        )
        _raise_alert(dispute, len(data.parties))
    _log(actor, dispute, None, "registered")
    return dispute


@transaction.atomic
def regrade(dispute: Dispute, risk: str, *, actor: User) -> Dispute:
    _check(actor, dispute.area_code)
    before = snapshot(dispute, ["state", "risk", "flagged"])
    dispute.risk = risk
    if needs_escalation(risk, dispute.parties.count()) and not dispute.flagged:
        dispute.flagged = True
        _event(actor, dispute, "escalated", risk)
    dispute.save(update_fields=["risk", "flagged"])
    if dispute.flagged:
        _raise_alert(dispute, dispute.parties.count())
    _event(actor, dispute, "regraded", risk)
    _log(actor, dispute, before, "regraded")
    return dispute


def _open(dispute: Dispute, *states) -> None:
    if dispute.state not in (states or OPEN_STATES):
        raise ValidationError({"state": _("Not possible in this state.")})


@transaction.atomic
def add_session(
    dispute: Dispute,
    *,
    actor: User,
    held_on: datetime.date,
    participants: str,
    record: str,
    agreed: str = "",
    place: str = "",
) -> MediationSession:
    _check(actor, dispute.area_code)
    _open(dispute, DisputeState.REGISTERED, DisputeState.MEDIATING)
    before = snapshot(dispute, ["state"])
    session = MediationSession.objects.create(
        dispute=dispute,
        held_on=held_on,
        place=place,
        participants=participants,
        record=record,
        agreed=agreed,
        recorded_by=actor,
        area_code=dispute.area_code,
    )
    dispute.state = DisputeState.MEDIATING
    dispute.save(update_fields=["state"])
    _event(actor, dispute, "session", f"{held_on}: {record[:200]}")
    _log(actor, dispute, before, "mediation session")
    return session


@transaction.atomic
def draft_agreement(dispute: Dispute, text: str, *, actor: User) -> Dispute:
    """The agreement's terms (the PDF is generated from them and the parties): it takes effect
    only once the signed scan is uploaded."""
    _check(actor, dispute.area_code)
    _open(dispute, DisputeState.MEDIATING, DisputeState.AGREEMENT)
    if not text.strip():
        raise ValidationError({"text": _("Write the terms of the agreement.")})
    before = snapshot(dispute, ["state"])
    dispute.agreement_text = text
    dispute.state = DisputeState.AGREEMENT
    dispute.save(update_fields=["agreement_text", "state"])
    _event(actor, dispute, "agreement", text[:200])
    _log(actor, dispute, before, "agreement drafted")
    return dispute


@transaction.atomic
def upload_signed_agreement(
    dispute: Dispute,
    scan: bytes,
    filename: str,
    *,
    actor: User,
    signed_on: datetime.date | None = None,
) -> Dispute:
    _check(actor, dispute.area_code)
    _open(dispute, DisputeState.AGREEMENT)
    if not scan:
        raise ValidationError({"scan": _("Upload the signed scan.")})
    before = snapshot(dispute, ["state"])
    dispute.agreement_scan.save(f"{dispute.number}-{filename[-40:]}", ContentFile(scan), save=False)
    dispute.effective_on = signed_on or timezone.localdate()
    dispute.state = DisputeState.FULFILMENT
    dispute.success = True
    dispute.save(update_fields=["agreement_scan", "effective_on", "state", "success"])
    _event(actor, dispute, "effective", str(dispute.effective_on))
    _log(actor, dispute, before, "agreement signed")
    return dispute


@transaction.atomic
def record_follow_up(
    dispute: Dispute,
    *,
    actor: User,
    visited_on: datetime.date,
    note: str,
    fulfilled: bool = False,
) -> FollowUp:
    """A follow-up visit; once the agreement is carried out the dispute closes."""
    _check(actor, dispute.area_code)
    _open(dispute, DisputeState.FULFILMENT)
    follow = FollowUp.objects.create(
        dispute=dispute,
        visited_on=visited_on,
        note=note,
        fulfilled=fulfilled,
        visited_by=actor,
        area_code=dispute.area_code,
    )
    _event(actor, dispute, "follow_up", note)
    if fulfilled:
        before = snapshot(dispute, ["state"])
        dispute.state = DisputeState.CLOSED
        dispute.closed_at = timezone.now()
        dispute.save(update_fields=["state", "closed_at"])
        _event(actor, dispute, "closed", _("Agreement carried out."))
        _log(actor, dispute, before, "fulfilled")
    return follow


def court_window_ends(dispute: Dispute) -> datetime.date | None:
    if dispute.effective_on is None:
        return None
    return dispute.effective_on + datetime.timedelta(days=COURT_WINDOW_DAYS)


@transaction.atomic
def record_court_confirmation(
    dispute: Dispute, *, actor: User, applied_on: datetime.date, result: str = ""
) -> Dispute:
    """Judicial confirmation: the parties apply within 30 days of the agreement taking effect."""
    _check(actor, dispute.area_code)
    ends = court_window_ends(dispute)
    if ends is None:
        raise ValidationError({"state": _("The agreement is not in force yet.")})
    if applied_on < dispute.effective_on or applied_on > ends:  # type: ignore[operator]
        raise ValidationError(
            {"applied_on": _("Court confirmation must be applied for within 30 days.")}
        )
    before = snapshot(dispute, ["court_result"])
    dispute.court_applied_on = applied_on
    dispute.court_result = result
    dispute.save(update_fields=["court_applied_on", "court_result"])
    _event(actor, dispute, "court", f"{applied_on} {result}")
    _log(actor, dispute, before, "court confirmation")
    return dispute


@transaction.atomic
def refer(
    dispute: Dispute,
    *,
    actor: User,
    body: str,
    body_name: str = "",
    referred_on: datetime.date | None = None,
) -> Referral:
    _check(actor, dispute.area_code)
    _open(dispute)
    before = snapshot(dispute, ["state"])
    referral = Referral.objects.create(
        dispute=dispute,
        body=body,
        body_name=body_name,
        referred_on=referred_on or timezone.localdate(),
        area_code=dispute.area_code,
    )
    dispute.state = DisputeState.REFERRED
    dispute.save(update_fields=["state"])
    _event(actor, dispute, "referred", f"{referral.get_body_display()} {body_name}")
    _log(actor, dispute, before, "referred")
    return referral


@transaction.atomic
def record_referral_outcome(
    referral: Referral,
    *,
    actor: User,
    accepted_on: datetime.date | None,
    outcome: str = "",
) -> Referral:
    """The receiving body's acceptance; with an outcome the dispute is closed."""
    dispute = referral.dispute
    _check(actor, dispute.area_code)
    referral.accepted_on = accepted_on
    referral.outcome = outcome
    referral.save(update_fields=["accepted_on", "outcome"])
    _event(actor, dispute, "referral_outcome", outcome or str(accepted_on))
    if outcome and dispute.state == DisputeState.REFERRED:
        before = snapshot(dispute, ["state"])
        dispute.state = DisputeState.CLOSED
        dispute.closed_at = timezone.now()
        dispute.save(update_fields=["state", "closed_at"])
        _log(actor, dispute, before, "referral outcome")
    return referral


@transaction.atomic
def close_dispute(dispute: Dispute, *, actor: User, success: bool, note: str) -> Dispute:
    """Close without an agreement (mediation failed, withdrawn) or after one."""
    _check(actor, dispute.area_code)
    if dispute.state == DisputeState.CLOSED:
        raise ValidationError({"state": _("Already closed.")})
    before = snapshot(dispute, ["state"])
    dispute.state = DisputeState.CLOSED
    dispute.success = success
    dispute.closed_at = timezone.now()
    dispute.save(update_fields=["state", "success", "closed_at"])
    _event(actor, dispute, "closed", note)
    _log(actor, dispute, before, "closed")
    return dispute


# ---------------------------------------------------------------------------------------------
# case ↔ dispute


@transaction.atomic
def dispute_from_case(
    case, *, actor: User, kind: str, risk: str, parties: list[PartyInput]
) -> Dispute:
    """A case in the loop becomes a dispute record; the link keeps both histories."""
    _check(actor, case.area_code)
    if Dispute.objects.filter(case=case).exists():
        raise ValidationError({"case": _("This case is already a dispute.")})
    data = DisputeInput(
        kind=kind,
        title=case.title[:100],
        area_code=case.area_code,
        risk=risk,
        source="case",
        description=case.description,
        place=case.address,
        parties=parties,
    )
    dispute = register_dispute(data, actor=actor, case=case)
    _event(actor, dispute, "from_case", str(case.pk))
    return dispute


@transaction.atomic
def case_from_dispute(dispute: Dispute, *, actor: User):
    """Hand the dispute back to the case loop (e.g. a department's matter found in mediation)."""
    from gridgov.cases.models import Channel
    from gridgov.cases.services.intake import report_case

    _check(actor, dispute.area_code)
    if dispute.case_id:
        raise ValidationError({"case": _("This dispute is already linked to a case.")})
    case, _created = report_case(
        actor=actor,
        channel=Channel.GRID_MEMBER,
        title=dispute.title[:100],
        description=dispute.description or dispute.title,
        address=dispute.place or dispute.title,
        area_code=dispute.area_code,
    )
    dispute.case = case
    dispute.save(update_fields=["case"])
    _event(actor, dispute, "to_case", str(case.pk))
    return case


# ---------------------------------------------------------------------------------------------
# monthly screening


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def create_screenings(*, actor: User, month: datetime.date | None = None) -> int:
    """One screening task per grid for the month (again: nothing new)."""
    first = month_start(month or timezone.localdate())
    grids = Area.objects.filter(level=Level.GRID).values_list("code", flat=True)
    have = set(ScreeningTask.objects.filter(month=first).values_list("area_code", flat=True))
    new = [ScreeningTask(area_code=c, month=first) for c in grids if c not in have]
    ScreeningTask.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def complete_screening(
    task: ScreeningTask, *, actor: User, found: bool, note: str = ""
) -> ScreeningTask:
    """The member's answer: disputes found (then registered one by one) or none found."""
    _check(actor, task.area_code)
    before = snapshot(task, ["state"])
    task.state = ScreeningState.FOUND if found else ScreeningState.NONE
    task.note = note
    task.done_by = actor
    task.done_at = timezone.now()
    task.save(update_fields=["state", "note", "done_by", "done_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=task,
        before=before,
        after=snapshot(task, ["state", "note"]),
        note="screening",
    )
    return task
