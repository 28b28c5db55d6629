"""Official documents (公文): receive, sign for, register, assign, circulate, remind, reply, close.
Every step checks the table in machine.py and writes a DocumentEvent in its transaction."""

import datetime
import re
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, has_global_scope, user_may
from gridgov.areas.models import Area
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.cases.models import TimeUnit
from gridgov.cases.worktime import deadline_after
from gridgov.notify.services import notify
from gridgov.office import machine
from gridgov.office.files import CheckedFile
from gridgov.office.models import (
    DocStatus,
    Document,
    DocumentEvent,
    DocumentReader,
    DocumentRecipient,
    OfficeFile,
    RecipientKind,
    Secrecy,
    Urgency,
)
from gridgov.office.services.messages import reachable_users
from gridgov.office.services.notices import attach_files, save_files
from gridgov.office.services.rights import OFFICE_ROLES, may_run_office

# Classified levels: refused, never stored (国家秘密 belongs on a classified network).
CLASSIFIED = {
    "secret": gettext_lazy("Secret"),  # 秘密
    "confidential": gettext_lazy("Confidential"),  # 机密
    "top_secret": gettext_lazy("Top secret"),  # 绝密
}
# A classification mark in a title or number, e.g. 机密★1年.
MARK = re.compile(r"(秘密|机密|绝密)\s*★")
MAX_DAYS = 120
# The fields the change log keeps of a document (the timeline holds every step).
LOGGED = ["number", "title", "issuing_unit", "urgency", "secrecy", "status", "lead_code",
          "lead_department_id", "deadline", "register_number"]  # fmt: skip
MAX_NOTE = 2000


def classified_refusal() -> str:
    return _(
        "This platform does not store classified documents (秘密, 机密, 绝密). Handle them on "
        "the classified network and by paper; register here only unclassified (非密) or internal "
        "(内部) documents."
    )


def _check_fields(number: str, title: str, issuing_unit: str, urgency: str, secrecy: str) -> None:
    if secrecy in CLASSIFIED or MARK.search(title) or MARK.search(number):
        raise ValidationError({"secrecy": classified_refusal()})
    errors = {}
    if secrecy not in Secrecy.values:
        errors["secrecy"] = _("Choose 非密 (not classified) or 内部 (internal).")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose an urgency.")
    if not number.strip() or len(number) > 60:
        errors["number"] = _("Give the document number (at most 60 characters).")
    if not title.strip() or len(title) > 200:
        errors["title"] = _("Give a title of at most 200 characters.")
    if not issuing_unit.strip() or len(issuing_unit) > 100:
        errors["issuing_unit"] = _("Give the issuing unit (at most 100 characters).")
    if errors:
        raise ValidationError(errors)


def _event(doc: Document, action: str, actor: User, before: str, note: str = "") -> None:
    DocumentEvent.objects.create(
        document=doc,
        time=timezone.now(),
        actor=actor,
        actor_name=actor.display_name,
        action=action,
        from_status=before,
        to_status=doc.status,
        note=note[:MAX_NOTE],
    )


def _recipient_rows(doc: Document, units: Iterable, kind: str) -> list[DocumentRecipient]:
    rows = []
    for unit in units:
        if isinstance(unit, Department):
            rows.append(DocumentRecipient(document=doc, kind=kind, department=unit))
        else:
            rows.append(DocumentRecipient(document=doc, kind=kind, area=unit, area_code=unit.code))
    return rows


def receive_document(
    *,
    acting_user: User,
    area: Area,
    number: str,
    title: str,
    issuing_unit: str,
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NONE,
    summary: str = "",
    main: Iterable = (),
    copies: Iterable = (),
    files: Sequence[CheckedFile] = (),
    received_at: datetime.datetime | None = None,
) -> Document:
    """Enter an incoming document at the office of `area`, addressed to `main` and `copies`
    (areas or departments in that office's scope). Classified documents are refused."""
    _check_fields(number, title, issuing_unit, urgency, secrecy)
    if not may_run_office(acting_user, area.code):
        raise PermissionDenied(_("Only the office of this level may receive documents here."))
    main, copies = list(main), list(copies)
    if not main:
        raise ValidationError({"main": _("Name at least one main recipient.")})
    for unit in main + copies:
        code = unit.area_code if isinstance(unit, Department) else unit.code
        if not code_in_scope(acting_user, code):
            raise ValidationError({"main": _("A recipient lies outside your scope.")})
    with transaction.atomic():
        doc = Document.objects.create(
            number=number.strip(),
            title=title.strip(),
            issuing_unit=issuing_unit.strip(),
            urgency=urgency,
            secrecy=secrecy,
            summary=summary[:MAX_NOTE],
            area=area,
            area_code=area.code,
            received_at=received_at or timezone.now(),
            created_by=acting_user,
        )
        DocumentRecipient.objects.bulk_create(
            _recipient_rows(doc, main, RecipientKind.MAIN)
            + _recipient_rows(doc, copies, RecipientKind.COPY)
        )
        save_files(list(files), acting_user=acting_user, document=doc)
        _event(doc, "receive", acting_user, "")
        record_change(
            actor=acting_user,
            action=ChangeAction.CREATE,
            instance=doc,
            after=snapshot(doc, LOGGED),
        )
        notify(
            _unit_staff(doc.recipients.all()),
            _("Document to sign for: %(n)s %(t)s") % {"n": doc.number, "t": doc.title},
            url=f"/office/documents/{doc.pk}/",
            source=f"office.document:{doc.pk}",
        )
    return doc


def attach_document_files(
    doc: Document, files: Sequence[CheckedFile], *, acting_user: User
) -> list[OfficeFile]:
    """Add attachments to a document not yet closed: by the office holding it (or above), at
    most MAX_FILES in all; logged in its events and the change log."""
    if not may_run_office(acting_user, doc.area_code):
        raise PermissionDenied(_("Only the office holding this document may add files to it."))
    if doc.status == DocStatus.CLOSED:
        raise ValidationError({"files": _("This document is closed.")})
    return attach_files(files, acting_user=acting_user, owner=doc, document=doc)


def _unit_staff(recipients) -> list[User]:
    """The office staff of the units named (their level's office roles, or the department)."""
    users: dict[int, User] = {}
    for r in recipients:
        if r.department_id:
            found = User.objects.filter(department_id=r.department_id, is_active=True)
        else:
            found = User.objects.filter(
                is_active=True, role__in=OFFICE_ROLES, scope_areas__code=r.area_code
            )
        users.update({u.pk: u for u in found})
    return list(users.values())


def _in_unit(user: User, code: str, department_id: int | None) -> bool:
    """Whether `user` works for the unit itself: its department, or the office of that very area
    (a level above signs or replies for a unit only through that unit's own staff)."""
    if department_id:
        return user.department_id == department_id
    if not code or not user_may(user, Action.CHANGE):
        return False
    return has_global_scope(user) or (
        user.role in OFFICE_ROLES and code in getattr(user, "scope_codes", ())
    )


def unsigned_for(doc: Document, user: User) -> list[DocumentRecipient]:
    """The recipient rows `user` may sign for (their unit's, not signed yet)."""
    return [
        r
        for r in doc.recipients.filter(signed_at__isnull=True)
        if _in_unit(user, r.area_code, r.department_id)
    ]


def may_take(doc: Document, step: machine.Step, user: User) -> bool:
    if doc.status not in step.sources:
        return False
    if step.who == machine.OFFICE:
        return may_run_office(user, doc.area_code)
    if step.who == machine.RECIPIENT:
        return bool(unsigned_for(doc, user))
    if step.who == machine.LEAD:
        return _in_unit(user, doc.lead_code, doc.lead_department_id)
    return doc.readers.filter(user=user, read_at__isnull=True).exists()


def allowed_steps(doc: Document, user: User) -> list[machine.Step]:
    return [s for s in machine.STEPS.values() if may_take(doc, s, user)]


def perform(
    doc: Document,
    action: str,
    *,
    acting_user: User,
    note: str = "",
    lead_area: Area | None = None,
    lead_department: Department | None = None,
    days: int | None = None,
    readers: Iterable[User] = (),
    sms: bool = False,
) -> Document:
    """Take one step of the document's circulation, or raise (nothing changes then)."""
    step = machine.STEPS.get(action)
    if step is None:
        raise ValidationError(_("Unknown step: %(a)s") % {"a": action[:30]})
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("Keep the note within %(n)d characters.") % {"n": MAX_NOTE}}
        )
    with transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=doc.pk)
        if doc.status not in step.sources:
            raise ValidationError(
                _("“%(step)s” is not possible while the document is “%(status)s”.")
                % {"step": step.label, "status": doc.get_status_display()}
            )
        if not may_take(doc, step, acting_user):
            raise PermissionDenied(_("You may not take this step on this document."))
        before = doc.status
        logged = snapshot(doc, LOGGED)
        note = (
            _STEP_FUNCTIONS[action](
                doc,
                acting_user,
                note=note,
                lead_area=lead_area,
                lead_department=lead_department,
                days=days,
                readers=list(readers),
                sms=sms,
            )
            or note
        )
        if step.target is not None:
            doc.status = step.target
        doc.save()
        _event(doc, action, acting_user, before, note)
        if snapshot(doc, LOGGED) != logged:
            record_change(
                actor=acting_user,
                action=ChangeAction.UPDATE,
                instance=doc,
                before=logged,
                after=snapshot(doc, LOGGED),
                note=machine.label_of(action),
            )
    return doc


def _sign(doc: Document, user: User, **kw) -> str:
    now = timezone.now()
    rows = unsigned_for(doc, user)
    DocumentRecipient.objects.filter(pk__in=[r.pk for r in rows]).update(
        signed_at=now, signed_by=user
    )
    if (
        doc.status == DocStatus.RECEIVED
        and not doc.recipients.filter(kind=RecipientKind.MAIN, signed_at__isnull=True).exists()
    ):
        doc.status = DocStatus.SIGNED
    return ", ".join(r.unit_name for r in rows)


def _register(doc: Document, user: User, **kw) -> str:
    now = timezone.now()
    year = timezone.localtime(now).year
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    n = Document.objects.filter(area_code=doc.area_code, registered_at__gte=start).count() + 1
    doc.register_number = _("In〔%(y)d〕No. %(n)d") % {"y": year, "n": n}
    doc.registered_at = now
    return doc.register_number


def _assign(doc: Document, user: User, *, lead_area, lead_department, days, **kw) -> str:
    if (lead_area is None) == (lead_department is None):
        raise ValidationError({"lead": _("Choose one lead unit: an area or a department.")})
    if days is None or not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"days": _("Give the time limit in working days (1 to %(n)d).") % {"n": MAX_DAYS}}
        )
    code = lead_area.code if lead_area else lead_department.area_code
    if not code_in_scope(user, code):
        raise ValidationError({"lead": _("The lead unit lies outside your scope.")})
    doc.lead_area = lead_area
    doc.lead_code = lead_area.code if lead_area else ""
    doc.lead_department = lead_department
    doc.deadline = deadline_after(timezone.now(), days, TimeUnit.WORK_DAY)
    name = lead_area.name if lead_area else lead_department.name
    notify(
        _lead_staff(doc),
        _("Document to handle: %(n)s %(t)s") % {"n": doc.number, "t": doc.title},
        url=f"/office/documents/{doc.pk}/",
        source=f"office.document:{doc.pk}",
    )
    deadline = timezone.localtime(doc.deadline).strftime("%Y-%m-%d %H:%M")
    return _("%(unit)s, by %(deadline)s") % {"unit": name, "deadline": deadline}


def _lead_staff(doc: Document) -> list[User]:
    return _unit_staff(
        [DocumentRecipient(area_code=doc.lead_code, department_id=doc.lead_department_id)]
    )


def _circulate(doc: Document, user: User, *, readers, **kw) -> str:
    if not readers:
        raise ValidationError({"readers": _("Choose at least one reader.")})
    reachable = set(
        reachable_users(user).filter(pk__in=[r.pk for r in readers]).values_list("pk", flat=True)
    )
    if any(r.pk not in reachable for r in readers):
        raise ValidationError({"readers": _("A reader lies outside your scope.")})
    now = timezone.now()
    known = set(doc.readers.values_list("user_id", flat=True))
    new = [r for r in readers if r.pk not in known]
    DocumentReader.objects.bulk_create(
        [DocumentReader(document=doc, user=r, sent_at=now) for r in new]
    )
    notify(
        new,
        _("Document to read: %(n)s %(t)s") % {"n": doc.number, "t": doc.title},
        url=f"/office/documents/{doc.pk}/",
        source=f"office.document:{doc.pk}",
    )
    return ", ".join(r.display_name for r in new)


def _read(doc: Document, user: User, **kw) -> str:
    doc.readers.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    return ""


def _remind(doc: Document, user: User, *, note, sms, **kw) -> str:
    notify(
        _lead_staff(doc),
        _("Reminder (催办): %(n)s %(t)s") % {"n": doc.number, "t": doc.title},
        note,
        url=f"/office/documents/{doc.pk}/",
        sms=sms,
        source=f"office.document:{doc.pk}",
    )
    return note


def _reply(doc: Document, user: User, *, note, **kw) -> str:
    if not note.strip():
        raise ValidationError({"note": _("Write the reply.")})
    doc.reply = note
    doc.replied_at = timezone.now()
    return note


def _return(doc: Document, user: User, *, note, **kw) -> str:
    if not note.strip():
        raise ValidationError({"note": _("Say why the reply is returned.")})
    return note


def _close(doc: Document, user: User, **kw) -> str:
    doc.closed_at = timezone.now()
    return ""


_STEP_FUNCTIONS: dict[str, Callable[..., str]] = {
    "sign": _sign,
    "register": _register,
    "assign": _assign,
    "circulate": _circulate,
    "read": _read,
    "remind": _remind,
    "reply": _reply,
    "return": _return,
    "close": _close,
}


def remind_overdue(*, actor: User, now: datetime.datetime | None = None) -> dict:
    """The periodic 催办: documents past their deadline remind their lead unit once a day; the
    timeline names `actor` (the jobs' system account)."""
    now = now or timezone.now()
    overdue = Document.objects.filter(status=DocStatus.ASSIGNED, deadline__lt=now)
    count = 0
    for doc in overdue:
        since = now - datetime.timedelta(hours=24)
        if doc.events.filter(action="remind", time__gte=since).exists():
            continue
        with transaction.atomic():
            notify(
                _lead_staff(doc),
                _("Overdue document: %(n)s %(t)s") % {"n": doc.number, "t": doc.title},
                url=f"/office/documents/{doc.pk}/",
                sms=True,
                source=f"office.document:{doc.pk}",
            )
            DocumentEvent.objects.create(
                document=doc,
                time=now,
                actor=actor,
                actor_name=actor.display_name,
                action="remind",
                from_status=doc.status,
                to_status=doc.status,
                note=_("Past the deadline: reminded automatically."),
            )
        count += 1
    return {"documents": count}
