"""Reporter details of long-finished cases are blanked after the district's period.

A case that was closed, rejected, cancelled or merged more than
`GRIDGOV_CASE_REPORTER_ANONYMISE_DAYS` days ago keeps what it was about, where, who handled it
and how well (the timeline, cards, rating and every figure built from them), but no longer who
reported it:

- the case's reporter name and phone (and the phone's blind index, so the phone cannot be found
  again by search);
- the portal's link from the public report to the citizen (the citizen's phone), the reporter's
  own "follow" of it, the retry key of the report (it holds the citizen's id), and the phone
  numbers of the portal SMS sent about that report (to the reporter and to followers);
- the 12345 work order as the hotline sent it (its payload names the caller);
- the camera data (EXIF: GPS, device, owner) of the photos the reporter sent from outside (a
  photo uploaded by a channel's system account): the original becomes the copy without metadata
  that public pages already show. Photos taken by staff stay as they were.

The reporter's staff account (`Case.reporter`, a grid member who reported in the field) is kept:
the assessment counts a member's reports. The timeline never held reporter details, and the
change log holds personal fields only masked (`gridgov.audit.services.snapshot`, HIDDEN).

The work goes in batches of case ids, one transaction per batch, each with a change-log entry
that gives counts and never values. A case once blanked no longer matches, so a run cut short
is simply run again and ends the same way.
"""

import contextlib
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.system import PREFIX as SYSTEM_PREFIX
from gridgov.accounts.system import is_system_account
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_event
from gridgov.cases.models import Attachment, AttachmentKind, Case
from gridgov.cases.models.case import FINAL_STATUSES, Channel

BATCH = 1000


@dataclass
class Result:
    cases: int = 0
    portal_links: int = 0
    sms_numbers: int = 0
    hotline_orders: int = 0
    photos: int = 0
    batches: int = 0
    cutoff: str = ""

    def as_dict(self) -> dict:
        return {
            "cases": self.cases,
            "portal_links": self.portal_links,
            "sms_numbers": self.sms_numbers,
            "hotline_orders": self.hotline_orders,
            "photos": self.photos,
            "batches": self.batches,
            "cutoff": self.cutoff,
        }


def period_days() -> int:
    return int(settings.GRIDGOV_CASE_REPORTER_ANONYMISE_DAYS)


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Cases finished before this moment lose their reporter details."""
    return (now or timezone.now()) - datetime.timedelta(days=period_days())


def is_past_period(case: Case, now: datetime.datetime | None = None) -> bool:
    """Whether the case is finished and its period is over (its page then says the reporter
    details were removed, instead of showing blank fields)."""
    return (
        case.status in FINAL_STATUSES
        and case.closed_at is not None
        and case.closed_at < cutoff(now)
        and not (case.reporter_name or case.reporter_phone)
    )


def _portal_models():
    from gridgov.portal.models import PortalReport

    return PortalReport


def _followers():
    from gridgov.portal.models import Follower, FollowKind

    return Follower, FollowKind


def _hotline_model():
    from gridgov.exchange.models import HotlineOrder

    return HotlineOrder


def finished_before(moment: datetime.datetime) -> QuerySet:
    return Case.objects.filter(status__in=FINAL_STATUSES, closed_at__lt=moment)


def still_personal(moment: datetime.datetime) -> QuerySet:
    """Finished cases past the period that still keep a detail of their reporter."""
    PortalReport = _portal_models()
    HotlineOrder = _hotline_model()
    return finished_before(moment).filter(
        ~Q(reporter_name="")
        | Q(reporter_phone_index__isnull=False)
        | Q(channel=Channel.PORTAL, idempotency_key__isnull=False)
        | Q(pk__in=PortalReport.objects.filter(citizen__isnull=False).values("case_id"))
        | Q(pk__in=HotlineOrder.objects.exclude(payload={}).values("case_id"))
        | Q(pk__in=_outside_photos().values("case_id"))
    )


def _outside_photos() -> QuerySet:
    """Report photos sent by the reporter through a channel (not by staff) that still keep the
    original file with its metadata."""
    return (
        Attachment.objects.filter(kind=AttachmentKind.REPORT)
        .filter(Q(uploaded_by__isnull=True) | Q(uploaded_by__username__startswith=SYSTEM_PREFIX))
        .exclude(original=F("public"))
    )


def _strip_photos(ids: list[int]) -> int:
    """Point each outside photo's original at its copy without metadata; the old original files
    are deleted once the batch has committed."""
    rows = list(_outside_photos().filter(case_id__in=ids).values_list("pk", "original"))
    if not rows:
        return 0
    Attachment.objects.filter(pk__in=[pk for pk, _name in rows]).update(original=F("public"))
    names = [name for _pk, name in rows if name]

    def delete_files() -> None:
        storage = Attachment._meta.get_field("original").storage
        for name in names:
            with contextlib.suppress(OSError):  # a file already gone
                storage.delete(name)

    transaction.on_commit(delete_files)
    return len(rows)


def _blank_batch(ids: list[int], now: datetime.datetime) -> dict[str, int]:
    from gridgov.notify.models import Outbox, OutboxStatus

    PortalReport = _portal_models()
    HotlineOrder = _hotline_model()
    Follower, FollowKind = _followers()
    counts = {}
    counts["cases"] = Case.objects.filter(pk__in=ids).update(
        reporter_name="", reporter_phone="", reporter_phone_index=None, updated_at=now
    )
    Case.objects.filter(pk__in=ids, channel=Channel.PORTAL).update(idempotency_key=None)
    reports = list(
        PortalReport.objects.filter(case_id__in=ids, citizen__isnull=False).values_list(
            "pk", flat=True
        )
    )
    counts["portal_links"] = PortalReport.objects.filter(pk__in=reports).update(citizen=None)
    Follower.objects.filter(
        report__case_id__in=ids, kind__in=[FollowKind.REPORTER, FollowKind.CO_REPORTER]
    ).delete()
    all_reports = PortalReport.objects.filter(case_id__in=ids).values_list("pk", flat=True)
    sources = [f"portal.report:{pk}" for pk in all_reports]
    counts["sms_numbers"] = (
        Outbox.objects.filter(channel="sms", source__in=sources)
        .exclude(status=OutboxStatus.PENDING)
        .exclude(destination="", gateway_request="", gateway_response="")
        .update(destination="", gateway_request="", gateway_response="")
        if sources
        else 0
    )
    counts["photos"] = _strip_photos(ids)
    counts["hotline_orders"] = (
        HotlineOrder.objects.filter(case_id__in=ids).exclude(payload={}).update(payload={})
    )
    return counts


def anonymise_reporters(
    *, actor: User, now: datetime.datetime | None = None, batch: int = BATCH, max_batches=None
) -> dict:
    """Blank the reporter details of every case finished before the cutoff (see the module's
    docstring). `max_batches` stops early (tests of a run cut short)."""
    if not is_system_account(actor):
        raise PermissionDenied(_("Only the platform's scheduled job anonymises reporters."))
    now = now or timezone.now()
    moment = cutoff(now)
    result = Result(cutoff=moment.isoformat())
    last = 0
    while max_batches is None or result.batches < max_batches:
        ids = list(
            still_personal(moment)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        with transaction.atomic():
            counts = _blank_batch(ids, now)
            record_event(
                actor=actor,
                object_type="cases.case",
                object_repr=str(_("Reporter details of finished cases")),
                after={**counts, "first_case": ids[0], "last_case": ids[-1]},
                note=str(
                    _("Reporter details removed after %(days)d days") % {"days": period_days()}
                ),
                action=ChangeAction.UPDATE,
            )
        result.batches += 1
        result.cases += counts["cases"]
        result.portal_links += counts["portal_links"]
        result.sms_numbers += counts["sms_numbers"]
        result.hotline_orders += counts["hotline_orders"]
        result.photos += counts["photos"]
        last = ids[-1]
    return result.as_dict()
