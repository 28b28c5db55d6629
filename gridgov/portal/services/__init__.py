"""Every write of the public portal: codes by SMS, reports, joining and following, the public
steps and their SMS, rating and "not fixed", moderation and bans. Citizens never hold an account:
the portal's system account (`system_user(PORTAL)`) is the acting user of what they do."""

import datetime
import hmac
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.accounts.system import PORTAL, is_system_account
from gridgov.cases.models import Case, CaseEvent, Channel, Status
from gridgov.cases.photos import CheckedPhoto
from gridgov.cases.services import report_case
from gridgov.cases.services.citizen import rate_for_reporter, reopen_for_verification
from gridgov.cases.services.loop import add_voice_note
from gridgov.cases.voice import CheckedVoiceNote
from gridgov.notify.models import Outbox, Priority
from gridgov.notify.outbox import enqueue_message
from gridgov.notify.sms_services import check_phone
from gridgov.portal.categories import DEFAULT, may_be_public
from gridgov.portal.models import (
    AreaSubscription,
    Citizen,
    DistrictSettings,
    Follower,
    FollowKind,
    Moderation,
    PhoneCode,
    PortalReport,
    PublicCategory,
)
from gridgov.portal.privacy import redact_text, snap

CODE_TTL = datetime.timedelta(minutes=10)
CODE_GAP = datetime.timedelta(seconds=60)
CODES_PER_HOUR = 5
MAX_ATTEMPTS = 5
MAX_TEXT = 1000

# The public steps: a case status → what the public page says (in plain words, see views).
PUBLIC_STATUS: dict[str, str] = {
    Status.REPORTED: "received",
    Status.ACCEPTED: "accepted",
    Status.FILED: "accepted",
    Status.DISPATCHED: "in_hand",
    Status.HANDLING: "in_hand",
    Status.HANDLED: "checking",
    Status.VERIFIED: "checking",
    Status.CLOSED: "closed",
    Status.REJECTED: "not_accepted",
    Status.CANCELLED: "not_accepted",
    Status.MERGED: "merged",
    Status.SUSPENDED: "waiting",
}


def _require_portal(actor: User) -> None:
    if not (is_system_account(actor) and actor.username == PORTAL):
        raise PermissionDenied(_("Only the public portal acts for citizens."))


def _hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), "sha256").hexdigest()


def _index(phone: str) -> str:
    field = Citizen._meta.get_field("phone")
    return field.index_many([phone])[0]


def _local(moment: datetime.datetime) -> str:
    """A time as people read it: local time (Asia/Shanghai), to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def district_settings(area_code: str) -> DistrictSettings:
    found = DistrictSettings.objects.filter(area_code__in=[area_code[:6], ""]).order_by(
        "-area_code"
    )
    return found.first() or DistrictSettings(area_code="")


@transaction.atomic
def put_public_category(
    category,
    *,
    actor: User,
    icon: str,
    label: str,
    keywords: str = "",
    sensitive: bool = False,
    order: int = 0,
) -> PublicCategory:
    """Add a category to the public allow-list (never one about people)."""
    if not user_may(actor, Action.MODERATE_PORTAL):
        raise PermissionDenied(_("You may not change the public categories."))
    if not may_be_public(category):
        raise ValidationError(_("This category is about people: it is never public."))
    entry, _created = PublicCategory.objects.update_or_create(
        category=category,
        defaults={
            "icon": icon,
            "label": label,
            "keywords": keywords,
            "sensitive": sensitive,
            "order": order,
        },
    )
    return entry


def seed_public_categories(*, actor: User) -> int:
    """The default allow-list (for a new installation, the demo and the tests)."""
    from gridgov.cases.models import Category

    found = {c.code: c for c in Category.objects.filter(code__in=[d[0] for d in DEFAULT])}
    n = 0
    for order, (code, icon, label, words, sensitive) in enumerate(DEFAULT):
        if code in found:
            put_public_category(
                found[code],
                actor=actor,
                icon=icon,
                label=label,
                keywords=words,
                sensitive=sensitive,
                order=order,
            )
            n += 1
    return n


# ---------------------------------------------------------------------------------------------
# phone codes


@transaction.atomic
def send_code(phone: str, *, actor: User, now: datetime.datetime | None = None) -> PhoneCode:
    """Send a 6-digit code to the phone through the SMS outbox (at most one a minute and
    five an hour per number; a banned number gets none)."""
    _require_portal(actor)
    phone = check_phone(phone)
    now = now or timezone.now()
    index = _index(phone)
    recent = PhoneCode.objects.filter(
        phone_index=index, created_at__gt=now - datetime.timedelta(hours=1)
    )
    if recent.filter(created_at__gt=now - CODE_GAP).exists():
        raise ValidationError({"phone": _("A code was just sent: wait a minute.")})
    if recent.count() >= CODES_PER_HOUR:
        raise ValidationError({"phone": _("Too many codes for this number: try again later.")})
    if Citizen.objects.filter(phone=phone, banned=True).exists():
        raise PermissionDenied(_("This number may not report on the portal."))
    code = f"{secrets.randbelow(10**6):06d}"
    row = PhoneCode.objects.create(phone_index=index, code_hash=_hash(phone, code), created_at=now)
    enqueue_message(
        "sms",
        phone,
        _("Your portal code is %(code)s (valid for 10 minutes). Do not tell it to anyone.")
        % {"code": code},
        priority=Priority.VERIFICATION,
        source=f"portal.code:{row.pk}",
    )
    return row


@transaction.atomic
def confirm_code(phone: str, code: str, *, actor: User) -> Citizen:
    """The citizen of the phone, once the code sent to it is given back (once, within 10 min)."""
    _require_portal(actor)
    phone = check_phone(phone)
    now = timezone.now()
    row = (
        PhoneCode.objects.select_for_update()
        .filter(phone_index=_index(phone), used=False, created_at__gt=now - CODE_TTL)
        .order_by("-created_at", "-id")
        .first()
    )
    wrong = ValidationError({"code": _("The code is wrong or too old.")})
    if row is None or row.attempts >= MAX_ATTEMPTS:
        raise wrong
    if not hmac.compare_digest(row.code_hash, _hash(phone, (code or "").strip())):
        PhoneCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        raise wrong
    row.used = True
    row.save(update_fields=["used"])
    citizen = Citizen.objects.filter(phone=phone).first()
    if citizen is None:
        citizen = Citizen.objects.create(phone=phone)
    return citizen


# ---------------------------------------------------------------------------------------------
# reports


def _check_limits(citizen: Citizen | None, address: str, area_code: str, now) -> None:
    rules = district_settings(area_code)
    day = now - datetime.timedelta(days=1)
    if citizen is not None:
        if citizen.banned:
            raise PermissionDenied(_("This number may not report on the portal."))
        if (
            PortalReport.objects.filter(citizen=citizen, created_at__gt=day).count()
            >= rules.reports_per_phone_per_day
        ):
            raise ValidationError(_("Too many reports from this number today: try tomorrow."))
    address = address.strip()
    if address and (
        Case.objects.filter(
            channel=Channel.PORTAL, address=address[:200], created_at__gt=day
        ).count()
        >= rules.reports_per_address_per_day
    ):
        raise ValidationError(_("Too many reports for this address today: it is known already."))


def submit_report(
    *,
    actor: User,
    category: PublicCategory,
    description: str,
    citizen: Citizen | None,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    photos: Sequence[CheckedPhoto] = (),
    voice: CheckedVoiceNote | None = None,
    idempotency_key: str | None = None,
    notify: bool = True,
) -> PortalReport:
    """A citizen's report: a case through intake (channel portal) and its public side. Without a
    citizen the report is anonymous (only where the district allows it), never published. New or
    flagged reporters wait in the moderation queue; a known reporter's report is listed at once,
    its text and photos after moderation. A voice note stays with the staff: it is never published
    (a voice tells who is speaking)."""
    _require_portal(actor)
    description = (description or "").strip()
    if len(description) > MAX_TEXT:
        raise ValidationError({"description": _("Keep the description within 1000 characters.")})
    now = timezone.now()
    probe_code = ""
    if lon is not None and lat is not None:
        from gridgov.cases.services.intake import _locate

        probe_code = _locate(lon, lat, "wgs84")[2] or ""
    if citizen is None and not district_settings(probe_code).allow_anonymous:
        raise ValidationError({"phone": _("Confirm your mobile number to report.")})
    _check_limits(citizen, address, probe_code, now)
    if idempotency_key and citizen is not None:
        idempotency_key = f"{citizen.pk}:{idempotency_key}"[:64]
    case, created = report_case(
        actor=actor,
        channel=Channel.PORTAL,
        description=description,
        category=category.category,
        lon=lon,
        lat=lat,
        address=address,
        idempotency_key=idempotency_key,
        reporter_phone=citizen.phone if citizen else "",
        photos=photos,
    )
    if not created:
        return PortalReport.objects.get(case=case)
    with transaction.atomic():
        if voice is not None:
            add_voice_note(case, voice, actor=actor)
        trusted = citizen is not None and citizen.confirmed_reports > 0 and not citizen.flagged
        plon = plat = None
        if case.lon is not None and case.lat is not None:
            plon, plat = snap(case.lon, case.lat, 1000.0 if category.sensitive else 100.0)
        report = PortalReport.objects.create(
            case=case,
            number=case.number,
            citizen=citizen,
            anonymous=citizen is None,
            notify=notify and citizen is not None,
            category=category,
            area_code=case.area_code,
            street_code=case.area_code[:9],
            moderation=Moderation.LISTED if trusted else Moderation.PENDING,
            public_text="" if category.sensitive else redact_text(description)[:500],
            public_lon=plon,
            public_lat=plat,
            public_status="received",
            public_steps=[{"step": "received", "time": _local(case.created_at)}],
            photo_ids=list(case.attachments.values_list("pk", flat=True)),
            created_at=case.created_at,
        )
        if settings.GRIDGOV_ROLE == "public":
            from gridgov.portal.services.relay import queue_relay

            queue_relay(report, actor=actor)
        if citizen is not None:
            Follower.objects.create(
                report=report, citizen=citizen, kind=FollowKind.REPORTER, notify=notify
            )
            if notify:
                _sms(
                    citizen.phone,
                    _("We received your report %(n)s. Follow it on the portal.")
                    % {"n": report.number},
                    report,
                    "received",
                )
    return report


def _sms(phone: str, body: str, report: PortalReport, step: str) -> None:
    enqueue_message(
        "sms",
        phone,
        body,
        priority=Priority.CASE_STEP,
        source=f"portal.report:{report.pk}",
        dedupe_key=f"portal:{report.pk}:{step}:{_index(phone)[:16]}",
        area_code=report.area_code,
    )


@transaction.atomic
def join_report(report: PortalReport, citizen: Citizen, *, actor: User, note: str = "") -> Follower:
    """“Is it one of these?” — yes: the citizen joins the open report instead of a duplicate."""
    _require_portal(actor)
    if citizen.banned:
        raise PermissionDenied(_("This number may not report on the portal."))
    follower, created = Follower.objects.get_or_create(
        report=report,
        citizen=citizen,
        defaults={"kind": FollowKind.CO_REPORTER, "note": redact_text(note)[:500]},
    )
    if not created and follower.kind == FollowKind.SUBSCRIBER:
        follower.kind = FollowKind.CO_REPORTER
        follower.save(update_fields=["kind"])
        created = True
    if created:
        _relay_follow("join", citizen, actor, report=report, note=follower.note)
    return follower


def _relay_follow(kind: str, citizen: Citizen, actor: User, **what) -> None:
    """On a public instance, the core learns of the join or follow (relay_follows.py)."""
    if settings.GRIDGOV_ROLE == "public":
        from gridgov.portal.services.relay_follows import queue_follow

        queue_follow(kind, citizen, actor=actor, **what)


@transaction.atomic
def follow_report(report: PortalReport, citizen: Citizen, *, actor: User) -> Follower:
    _require_portal(actor)
    follower, created = Follower.objects.get_or_create(
        report=report, citizen=citizen, defaults={"kind": FollowKind.SUBSCRIBER}
    )
    if created:
        _relay_follow("follow", citizen, actor, report=report)
    return follower


@transaction.atomic
def subscribe_area(citizen: Citizen, area_code: str, *, actor: User) -> AreaSubscription:
    _require_portal(actor)
    from gridgov.areas.models import Area

    if not Area.objects.filter(code=area_code).exists():
        raise ValidationError({"area": _("Unknown area.")})
    sub, created = AreaSubscription.objects.get_or_create(citizen=citizen, area_code=area_code)
    if created:
        _relay_follow("area", citizen, actor, area_code=area_code)
    return sub


# ---------------------------------------------------------------------------------------------
# the public steps


def sync_report(report: PortalReport, *, actor: User) -> PortalReport:
    """Bring the public side up to date with the case: new public steps (no names, no notes of
    staff), the rating, closed on time; an SMS to the followers who asked, once per step. On a
    public instance the public side is a copy pulled from the core (`relay.pull_status`)."""
    _require_portal(actor)
    if settings.GRIDGOV_ROLE == "public":
        return report
    with transaction.atomic():
        report = PortalReport.objects.select_for_update().get(pk=report.pk)
        case = Case.objects.get(pk=report.case_id)
        events = list(
            CaseEvent.objects.filter(case_id=case.pk, pk__gt=report.last_event_id).order_by("pk")
        )
        steps = list(report.public_steps)
        told = {s["step"] for s in steps}
        for event in events:
            report.last_event_id = event.pk
            step = PUBLIC_STATUS.get(event.to_status)
            if event.action == "reopen":
                step = "reopened"
            if event.action == "rate":
                continue
            if step and (not steps or steps[-1]["step"] != step):
                steps.append({"step": step, "time": _local(event.time)})
                if step not in told or step == "reopened":
                    _tell_followers(report, step, len(steps))
                told.add(step)
        report.public_steps = steps
        report.public_status = PUBLIC_STATUS.get(case.status, "received")
        report.satisfaction = case.satisfaction
        report.closed_at = case.closed_at if case.status == Status.CLOSED else None
        if case.status == Status.CLOSED:
            report.closed_on_time = not CaseEvent.objects.filter(
                case_id=case.pk, on_time=False
            ).exists()
        report.save()
    return report


_STEP_WORDS = {
    "accepted": "accepted",
    "in_hand": "being handled",
    "checking": "being checked",
    "closed": "closed",
    "reopened": "reopened",
    "not_accepted": "not accepted",
}


def _tell_followers(report: PortalReport, step: str, n: int) -> None:
    if step not in _STEP_WORDS or step == "received":
        return
    from gridgov.portal.words import STEP_LABELS

    for follower in report.followers.filter(notify=True).select_related("citizen"):
        _sms(
            follower.citizen.phone,
            _("Report %(n)s: %(step)s.") % {"n": report.number, "step": STEP_LABELS[step]},
            report,
            f"{step}{n}",
        )


def sync_open_reports(*, actor: User, limit: int = 2000) -> int:
    """The periodic job: reports whose case changed since they were last told."""
    if settings.GRIDGOV_ROLE == "public":
        return 0
    done = 0
    rows = PortalReport.objects.exclude(public_status__in=["not_accepted", "merged"]).order_by("pk")
    for report in rows[:limit]:
        newest = (
            CaseEvent.objects.filter(case_id=report.case_id)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if newest and newest > report.last_event_id:
            sync_report(report, actor=actor)
            done += 1
    return done


# ---------------------------------------------------------------------------------------------
# after closing


def _may_reopen_until(report: PortalReport) -> datetime.datetime | None:
    if report.closed_at is None:
        return None
    return report.closed_at + datetime.timedelta(
        days=district_settings(report.area_code).reopen_days
    )


def _own(report: PortalReport, citizen: Citizen) -> None:
    if (
        report.citizen_id != citizen.pk
        and not report.followers.filter(
            citizen=citizen, kind__in=[FollowKind.REPORTER, FollowKind.CO_REPORTER]
        ).exists()
    ):
        raise PermissionDenied(_("Only who reported it may do this."))


def rate_report(
    report: PortalReport, citizen: Citizen, score: int, *, actor: User, note: str = ""
) -> PortalReport:
    """The reporter's rating (1–5) of the closed report. On a public instance it is queued for
    the core (`relay_actions`), which rates its own case."""
    _require_portal(actor)
    if settings.GRIDGOV_ROLE == "public":
        from gridgov.portal.services.relay_actions import queue_action

        queue_action(report, citizen, "rate", actor=actor, score=score, note=note)
        return report
    _own(report, citizen)
    if report.citizen_id != citizen.pk:
        raise PermissionDenied(_("Only who reported it may do this."))
    rate_for_reporter(report.case, score, actor=actor, note=redact_text(note))
    return sync_report(report, actor=actor)


def not_fixed(report: PortalReport, citizen: Citizen, note: str, *, actor: User) -> PortalReport:
    """“Not fixed”, within the district's period after closing: back to verification. On a
    public instance it is queued for the core (`relay_actions`), which reopens its own case."""
    _require_portal(actor)
    if settings.GRIDGOV_ROLE == "public":
        from gridgov.portal.services.relay_actions import queue_action

        queue_action(report, citizen, "not_fixed", actor=actor, note=note)
        return report
    _own(report, citizen)
    report = sync_report(report, actor=actor)
    until = _may_reopen_until(report)
    if until is None or timezone.now() > until:
        raise ValidationError(_("The time to say “not fixed” has passed, or it is not closed."))
    reopen_for_verification(report.case, actor=actor, note=note)
    return sync_report(report, actor=actor)


# ---------------------------------------------------------------------------------------------
# moderation


@transaction.atomic
def moderate(
    report: PortalReport, *, actor: User, publish: bool, public_text: str | None = None
) -> PortalReport:
    """Publish the report's text and photos (the moderator may shorten the text; it is
    redacted again), or keep it out of public view."""
    if not code_in_scope(actor, report.area_code, Action.MODERATE_PORTAL):
        raise PermissionDenied(_("You may not moderate this report."))
    report = PortalReport.objects.select_for_update().get(pk=report.pk)
    if publish and report.anonymous:
        raise ValidationError(_("Anonymous reports are never published."))
    if public_text is not None and report.category and not report.category.sensitive:
        report.public_text = redact_text(public_text.strip())[:500]
    report.moderation = Moderation.PUBLISHED if publish else Moderation.HIDDEN
    report.moderated_by, report.moderated_at = actor, timezone.now()
    report.save()
    if publish and report.citizen_id:
        Citizen.objects.filter(pk=report.citizen_id).update(
            confirmed_reports=F("confirmed_reports") + 1
        )
    return report


@transaction.atomic
def ban_reporter(report: PortalReport, *, actor: User, reason: str) -> Citizen:
    """Put the report's phone on the ban list (no codes, no reports) and hide the report."""
    if not code_in_scope(actor, report.area_code, Action.MODERATE_PORTAL):
        raise PermissionDenied(_("You may not moderate this report."))
    if report.citizen_id is None:
        raise ValidationError(_("An anonymous report has no number to ban."))
    citizen = Citizen.objects.select_for_update().get(pk=report.citizen_id)
    citizen.banned, citizen.ban_reason = True, (reason or "").strip()[:200]
    citizen.save(update_fields=["banned", "ban_reason"])
    PortalReport.objects.filter(citizen=citizen).exclude(moderation=Moderation.HIDDEN).update(
        moderation=Moderation.HIDDEN, moderated_by=actor, moderated_at=timezone.now()
    )
    return citizen


@transaction.atomic
def flag_reporter(report: PortalReport, *, actor: User) -> None:
    if not code_in_scope(actor, report.area_code, Action.MODERATE_PORTAL):
        raise PermissionDenied(_("You may not moderate this report."))
    if report.citizen_id:
        Citizen.objects.filter(pk=report.citizen_id).update(flagged=True)


def codes_sent_to(phone: str) -> list[str]:
    """For tests and the demo: the SMS bodies queued to a phone, newest first."""
    return list(
        Outbox.objects.filter(destination=phone).order_by("-id").values_list("body", flat=True)
    )


__all__ = [
    "ban_reporter",
    "confirm_code",
    "district_settings",
    "flag_reporter",
    "follow_report",
    "join_report",
    "moderate",
    "not_fixed",
    "put_public_category",
    "rate_report",
    "seed_public_categories",
    "send_code",
    "submit_report",
    "subscribe_area",
    "sync_open_reports",
    "sync_report",
]
