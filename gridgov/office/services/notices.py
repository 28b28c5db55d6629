"""Notices and work dynamics: publish to a subtree, read, sign for (签收), remind the rest."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.areas.models import Area
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.notify.services import notify
from gridgov.office.files import MAX_FILES, CheckedFile
from gridgov.office.models import Notice, NoticeKind, NoticeReceipt, OfficeFile
from gridgov.office.services.rights import may_run_office, staff_within

MAX_BODY = 20_000


def save_files(files: list[CheckedFile], *, acting_user: User, **owner) -> list[OfficeFile]:
    return [
        OfficeFile.objects.create(
            file=f.content,
            thumbnail=f.thumbnail or "",
            name=f.name,
            content_type=f.content_type,
            size=f.size,
            uploaded_by=acting_user,
            **owner,
        )
        for f in files
    ]


def publish_notice(
    *,
    acting_user: User,
    kind: str,
    title: str,
    body: str,
    area: Area,
    roles: list[str] | None = None,
    requires_ack: bool = False,
    files: Sequence[CheckedFile] = (),
) -> Notice:
    """Publish to every staff member whose scope lies in `area` (of `roles`, when given)."""
    if not may_run_office(acting_user, area.code):
        raise PermissionDenied(_("Only the office of this level or above may publish here."))
    errors = {}
    if kind not in NoticeKind.values:
        errors["kind"] = _("Choose a notice or work dynamics.")
    if not title.strip() or len(title) > 120:
        errors["title"] = _("Give a title of at most 120 characters.")
    if len(body) > MAX_BODY:
        errors["body"] = _("Keep the text within %(n)d characters.") % {"n": MAX_BODY}
    roles = sorted(set(roles or ()))
    if any(r not in Role.values for r in roles):
        errors["roles"] = _("Unknown role.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = Notice.objects.create(
            kind=kind,
            title=title.strip(),
            body=body,
            area=area,
            area_code=area.code,
            roles=roles,
            requires_ack=requires_ack,
            published_by=acting_user,
            published_at=timezone.now(),
        )
        save_files(list(files), acting_user=acting_user, notice=notice)
        readers = list(staff_within(area.code, roles).exclude(pk=acting_user.pk))
        NoticeReceipt.objects.bulk_create(
            [NoticeReceipt(notice=notice, user=u) for u in readers], batch_size=2000
        )
        notice.recipient_count = len(readers)
        notice.save(update_fields=["recipient_count"])
        record_change(
            actor=acting_user,
            action=ChangeAction.CREATE,
            instance=notice,
            after=snapshot(notice, ["kind", "title", "area_code", "roles", "requires_ack"]),
        )
        if requires_ack:
            notify(
                readers,
                _("Notice to sign for: %(t)s") % {"t": notice.title},
                url=f"/office/notices/{notice.pk}/",
                source=f"office.notice:{notice.pk}",
            )
    return notice


def attach_notice_files(
    notice: Notice, files: Sequence[CheckedFile], *, acting_user: User
) -> list[OfficeFile]:
    """Add attachments to a published notice: by the office of its level (or above), at most
    MAX_FILES in all; the change log names the files added."""
    if not may_run_office(acting_user, notice.area_code):
        raise PermissionDenied(_("Only the office of this level or above may change this notice."))
    return attach_files(files, acting_user=acting_user, owner=notice, notice=notice)


def attach_files(
    files: Sequence[CheckedFile], *, acting_user: User, owner, **field
) -> list[OfficeFile]:
    """Save checked files on `owner` (named again as its field: notice=…, document=…) after
    the rights check of the caller, within the attachment limit, with a change-log entry."""
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    with transaction.atomic():
        # the owner's row locked: two uploads at once cannot pass the limit together
        type(owner).objects.select_for_update().filter(pk=owner.pk).first()
        held = OfficeFile.objects.filter(**field).count()
        if held + len(files) > MAX_FILES:
            raise ValidationError({"files": _("Attach at most %(n)d files.") % {"n": MAX_FILES}})
        added = save_files(list(files), acting_user=acting_user, **field)
        record_change(
            actor=acting_user,
            action=ChangeAction.UPDATE,
            instance=owner,
            before={"files": held},
            after={"files": held + len(added), "added": [f.name for f in added]},
        )
    return added


def mark_notice_read(notice: Notice, *, acting_user: User) -> bool:
    """The reader opened the notice (the first time counts)."""
    return bool(
        NoticeReceipt.objects.filter(notice=notice, user=acting_user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def acknowledge_notice(notice: Notice, *, acting_user: User) -> NoticeReceipt:
    """Sign for the notice (签收): an explicit act of a recipient, recorded with its time."""
    if not notice.requires_ack:
        raise ValidationError(_("This notice asks for no signature."))
    with transaction.atomic():
        receipt = (
            NoticeReceipt.objects.select_for_update()
            .filter(notice=notice, user=acting_user)
            .first()
        )
        if receipt is None:
            raise PermissionDenied(_("This notice was not sent to you."))
        if receipt.acked_at is None:
            now = timezone.now()
            receipt.acked_at = now
            receipt.read_at = receipt.read_at or now
            receipt.save(update_fields=["acked_at", "read_at"])
    return receipt


def _remind(notice: Notice, *, sms: bool, now: datetime.datetime | None = None) -> int:
    unsigned = User.objects.filter(
        pk__in=NoticeReceipt.objects.filter(notice=notice, acked_at__isnull=True).values("user_id")
    )
    count = notify(
        unsigned,
        _("Reminder: please sign for the notice %(t)s") % {"t": notice.title},
        url=f"/office/notices/{notice.pk}/",
        sms=sms,
        source=f"office.notice:{notice.pk}",
    )
    Notice.objects.filter(pk=notice.pk).update(reminded_at=now or timezone.now())
    return count


def remind_unsigned(notice: Notice, *, acting_user: User, sms: bool = False) -> int:
    """Remind those who have not signed yet (the button on the notice page)."""
    if not may_run_office(acting_user, notice.area_code):
        raise PermissionDenied(_("Only the office that published the notice may remind."))
    if not notice.requires_ack:
        raise ValidationError(_("This notice asks for no signature."))
    with transaction.atomic():
        return _remind(notice, sms=sms)


def remind_due_notices(now: datetime.datetime | None = None) -> dict:
    """The periodic reminder: notices awaiting signatures for longer than the setting, reminded
    at most once a day each, by SMS as well."""
    now = now or timezone.now()
    hours = settings.GRIDGOV_OFFICE_ACK_REMIND_HOURS
    due = Notice.objects.filter(
        requires_ack=True,
        published_at__lte=now - datetime.timedelta(hours=hours),
        receipts__acked_at__isnull=True,
    ).distinct()
    reminded = people = 0
    for notice in due:
        if notice.reminded_at and notice.reminded_at > now - datetime.timedelta(hours=24):
            continue
        with transaction.atomic():
            people += _remind(notice, sms=True, now=now)
        reminded += 1
    return {"notices": reminded, "people": people}
