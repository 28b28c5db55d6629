"""Send statistics and the log's rows: every SMS the platform sent (composed, case steps,
warnings), read through the scope of the asking user."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.notify.models import Delivery, Outbox, OutboxStatus

MONTHS = 12


def sms_rows(user) -> QuerySet:
    return restrict(Outbox.objects.filter(channel="sms"), user)


def _counts() -> dict:
    return {
        "messages": Count("id"),
        "parts": Sum("parts"),
        "delivered": Count("id", filter=Q(delivery=Delivery.DELIVERED)),
        "failed": Count(
            "id", filter=Q(status=OutboxStatus.FAILED) | Q(delivery=Delivery.UNDELIVERED)
        ),
    }


def figures(user) -> dict:
    rows = sms_rows(user)
    zone = ZoneInfo(settings.TIME_ZONE)
    since = timezone.now().astimezone(zone).replace(day=1) - datetime.timedelta(days=31 * MONTHS)
    by_unit = list(rows.values("area_code").annotate(**_counts()).order_by("area_code"))
    names = dict(
        Area.objects.filter(code__in=[r["area_code"] for r in by_unit]).values_list("code", "name")
    )
    for r in by_unit:
        r["label"] = names.get(r["area_code"], r["area_code"] or _("The whole installation"))
    by_template = list(
        rows.values("template__name").annotate(**_counts()).order_by("-messages")[:20]
    )
    for r in by_template:
        r["label"] = r["template__name"] or _("(no template)")
    by_month = list(
        rows.filter(created_at__gte=since)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(**_counts())
        .order_by("month")
    )
    for r in by_month:
        r["label"] = r["month"].strftime("%Y-%m")
    by_status = list(rows.values("status", "delivery").annotate(n=Count("id")).order_by("-n"))
    status_names = dict(OutboxStatus.choices)
    delivery_names = dict(Delivery.choices)
    for r in by_status:
        r["label"] = " / ".join(
            str(x) for x in (status_names.get(r["status"]), delivery_names.get(r["delivery"])) if x
        )
    totals = rows.aggregate(**_counts())
    return {
        "totals": totals,
        "by_unit": by_unit,
        "by_template": by_template,
        "by_month": by_month,
        "by_status": by_status,
    }
