"""The business lines' results as monthly figures per recorded area (the assessment roll-up sums
them up the area tree): mediation success, rectification on time, special-population visits on
time. Months are local months (TIME_ZONE). These are the roll-up's reads, for every area at
once; people read them only through the assessment's scoped queries."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gridgov.lines.models import Dispute, DisputeState, Hazard, HazardState
from gridgov.patrol.models import Task, TaskStatus

Figures = dict[tuple[str, str], dict[str, int]]  # (month, area_code) → measure → count


def _month(value) -> str:
    return value.strftime("%Y-%m")


def _mediation(figures: Figures) -> None:
    """A dispute's mediation ends when its agreement takes effect (successful) or when it is
    closed without one in force (successful only if closed as such); referred disputes end
    unsuccessfully when closed. Counted in the local month it ended."""
    with_agreement = Q(success=True, effective_on__isnull=False)
    for row in (
        Dispute.objects.filter(with_agreement)
        .annotate(m=TruncMonth("effective_on"))
        .values("m", "area_code")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts = figures[(_month(row["m"]), row["area_code"])]
        counts["mediation_ended"] += row["n"]
        counts["mediation_success"] += row["n"]
    for row in (
        Dispute.objects.filter(state=DisputeState.CLOSED, closed_at__isnull=False)
        .exclude(with_agreement)
        .annotate(m=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
        .values("m", "area_code")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(success=True)))
        .order_by()
    ):
        counts = figures[(_month(row["m"]), row["area_code"])]
        counts["mediation_ended"] += row["n"]
        counts["mediation_success"] += row["ok"]


def _rectification(figures: Figures, today: datetime.date) -> None:
    """A hazard counts in the month of its rectification deadline once the deadline has passed
    or it is closed (销号); on time when closed on or before the deadline (local date). An open
    or escalated hazard past its deadline counts as late."""
    rows = (
        Hazard.objects.filter(Q(deadline__lt=today) | Q(state=HazardState.CLOSED))
        .values_list("deadline", "area_code", "state", "closed_at")
        .order_by()
    )
    for deadline, area_code, state, closed_at in rows.iterator(chunk_size=2000):
        counts = figures[(_month(deadline), area_code)]
        counts["rectify_due"] += 1
        if (
            state == HazardState.CLOSED
            and closed_at is not None
            and timezone.localdate(closed_at) <= deadline
        ):
            counts["rectify_on_time"] += 1


def _visits(figures: Figures, now: datetime.datetime) -> None:
    """Special-population visits fall due as visit tasks of the record's responsible member: a
    task counts in the local month of its due time once that time has passed or it is done; on
    time when done by then. Cancelled tasks do not count."""
    for row in (
        Task.objects.filter(special_record__isnull=False)
        .exclude(status=TaskStatus.CANCELLED)
        .filter(Q(due__lt=now) | Q(status=TaskStatus.DONE))
        .annotate(m=TruncMonth("due", tzinfo=timezone.get_current_timezone()))
        .values("m", "area_code")
        .annotate(
            n=Count("id"),
            ok=Count(
                "id",
                filter=Q(
                    status=TaskStatus.DONE,
                    completed_at__isnull=False,
                    completed_at__lte=F("due"),
                ),
            ),
        )
        .order_by()
    ):
        counts = figures[(_month(row["m"]), row["area_code"])]
        counts["special_visits_due"] += row["n"]
        counts["special_visits_on_time"] += row["ok"]


def monthly_figures(now: datetime.datetime | None = None) -> Figures:
    """Every month's figures per recorded area code (grids, mostly)."""
    now = now or timezone.now()
    figures: Figures = defaultdict(lambda: defaultdict(int))
    _mediation(figures)
    _rectification(figures, timezone.localdate(now))
    _visits(figures, now)
    return figures
