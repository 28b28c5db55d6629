"""SMS to citizens who follow an area: the new public reports there, at most one message a day
per followed area, through the SMS outbox as bulk (so it waits for the send window and skips
numbers on the opt-out list)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.notify.models import Priority
from gridgov.notify.outbox import enqueue_message
from gridgov.portal.models import AreaSubscription, Citizen, Moderation, PortalReport
from gridgov.portal.services import _index, _require_portal

# A followed area is told at most once in this many hours, however many reports arrive.
DIGEST_HOURS = 24
# Reports named in the message; the rest are counted.
NAMED = 2


def _public_reports(area_code: str, since: datetime.datetime, until: datetime.datetime):
    return PortalReport.objects.filter(
        area_code__startswith=area_code,
        moderation__in=[Moderation.PUBLISHED, Moderation.LISTED],
        created_at__gt=since,
        created_at__lte=until,
    ).order_by("created_at", "pk")


def _body(area_name: str, area_code: str, reports: list[PortalReport], total: int) -> str:
    """In the district's language (citizens have no language setting)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _body_text(area_name, area_code, reports, total)


def _body_text(area_name: str, area_code: str, reports: list[PortalReport], total: int) -> str:
    named = "；".join(
        (r.public_text or r.number)[:20] for r in reports[:NAMED] if r.moderation == "published"
    )
    text = _("%(n)d new public reports in %(area)s you follow") % {"n": total, "area": area_name}
    if named:
        text += _(", e.g. %(named)s") % {"named": named}
    base = settings.GRIDGOV_PORTAL_BASE_URL
    if base:
        street = area_code[:9]
        text += _(". See %(url)s") % {"url": f"{base}{reverse('portal:reports')}?street={street}"}
    return text + _(". Reply TD to stop.")


def tell_area_subscribers(*, actor: User, now: datetime.datetime | None = None) -> int:
    """The hourly job: every followed area with new public reports whose last message is a day
    old or more gets one SMS. Returns how many were queued. Each subscription is its own
    transaction, and its dedupe key (the newest report told) makes a rerun send nothing twice."""
    _require_portal(actor)
    now = now or timezone.now()
    due_before = now - datetime.timedelta(hours=DIGEST_HOURS)
    subs = (
        AreaSubscription.objects.filter(citizen__banned=False)
        .exclude(last_told_at__gt=due_before)
        .select_related("citizen")
        .order_by("pk")
    )
    names = dict(
        Area.objects.filter(code__in={s.area_code for s in subs}).values_list("code", "name")
    )
    queued = 0
    for sub in subs:
        since = max(filter(None, [sub.last_told_at, sub.created_at]))
        reports = list(_public_reports(sub.area_code, since, now)[:50])
        if not reports:
            continue
        total = _public_reports(sub.area_code, since, now).count()
        with transaction.atomic():
            enqueue_message(
                "sms",
                sub.citizen.phone,
                _body(names.get(sub.area_code, sub.area_code), sub.area_code, reports, total),
                priority=Priority.BULK,
                source=f"portal.area:{sub.pk}",
                dedupe_key=f"portal:area:{sub.pk}:{reports[-1].pk}:{_index(sub.citizen.phone)[:8]}",
                area_code=sub.area_code,
            )
            AreaSubscription.objects.filter(pk=sub.pk).update(last_told_at=now)
        queued += 1
    return queued


@transaction.atomic
def unsubscribe_area(citizen: Citizen, area_code: str, *, actor: User) -> None:
    _require_portal(actor)
    gone, _kinds = AreaSubscription.objects.filter(citizen=citizen, area_code=area_code).delete()
    if not gone:
        raise ValidationError({"area": _("You do not follow this area.")})
    if settings.GRIDGOV_ROLE == "public":  # the core tells area followers: it must know
        from gridgov.portal.services.relay_follows import queue_follow

        queue_follow("area_stop", citizen, actor=actor, area_code=area_code)
