import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.cards import Fact, provider
from gridgov.cases.models.case import OPEN_STATUSES
from gridgov.cases.queries import cases_for


def _local_month_start():
    """Midnight in local time on the first of this month (not UTC midnight)."""
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, 1))


@provider
def case_facts(area, user) -> list[Fact]:
    counts = cases_for(user, within=area.code).aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, stage_deadline__lt=timezone.now())),
        month=Count(
            "id",
            filter=Q(created_at__gte=_local_month_start()),
        ),
    )
    return [
        Fact(_("Open cases"), counts["open"], "open_cases"),
        Fact(_("Overdue cases"), counts["overdue"], "overdue_cases"),
        Fact(_("Reported this month"), counts["month"], "cases_this_month"),
    ]
