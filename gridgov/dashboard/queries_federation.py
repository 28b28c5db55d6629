"""The cockpit's federation panel: on a city platform, its member districts side by side.

Each district pushes its cases up as facts reduced to numbers (`MemberCaseFact`, one per case,
the newest version; docs/federation.md). This panel reads those facts only — counts, no names or
descriptions of cases — for the members inside the cockpit's area and the reader's scope:
reports, closed, closing rate, on-time closing and satisfaction of this month's cases (cases
count in the month they were reported, as in the assessment), cases open now, cases escalated
to the city this month, and reports and closed cases over the last months. A platform with no
members (a district's own) has no panel: `panel` answers None.

The panel polls `/api/v1/cockpit/federation` with the ETag `fingerprint` gives: two aggregate
queries, so an unchanged panel costs almost nothing.
"""

import datetime
import hashlib
from typing import Any

from django.db.models import Count, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.assessment import periods
from gridgov.assessment.indicators import INDICATORS, shown_value
from gridgov.cases.models.case import FINAL_STATUSES
from gridgov.exchange.models import FederationLink, FederationMember, MemberCaseFact
from gridgov.exchange.models.federation import LinkRole

TREND_MONTHS = 6
MONTH_MEASURES = (
    "reports",
    "valid",
    "closed",
    "close_done",
    "close_on_time",
    "satisfaction_sum",
    "satisfaction_count",
)
RATES = {
    "closing_rate": "closing_rate",
    "on_time_rate": "close_on_time",
    "satisfaction": "satisfaction",
}


def _members(user: User, area: Area) -> list[FederationMember]:
    """The members inside the cockpit's area and the reader's scope, by area code."""
    return list(
        restrict(
            FederationMember.objects.select_related("client"), user, Action.VIEW, within=area.code
        ).order_by("area_code")
    )


def in_sight(user: User, area: Area) -> bool:
    """Whether the cockpit of `area` has a federation panel for `user` (members in sight)."""
    return bool(_members(user, area))


def _facts(user: User, area: Area, members: list[FederationMember]) -> QuerySet:
    return restrict(MemberCaseFact.objects.all(), user, Action.VIEW, within=area.code).filter(
        member__in=members
    )


def _links(user: User, area: Area) -> QuerySet:
    return restrict(
        FederationLink.objects.filter(role=LinkRole.FROM_MEMBER), user, Action.VIEW
    ).filter(peer__startswith=area.code)


def _month_start(month: str) -> datetime.datetime:
    day = periods.month_start(month)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _measure(name: str) -> Coalesce:
    return Coalesce(Sum(Cast(KT(f"measures__{name}"), IntegerField())), 0)


def panel(user: User, area: Area) -> dict[str, Any] | None:
    """The members' figures for the cockpit of `area`; None when no member is in sight (a
    district's platform, or a reader whose scope holds none)."""
    members = _members(user, area)
    if not members:
        return None
    months = periods.last_months(TREND_MONTHS)
    month = months[-1]
    facts = _facts(user, area, members)
    by_month: dict[tuple[int, str], dict[str, int]] = {
        (row.pop("member_id"), row.pop("month")): row
        for row in facts.filter(month__gte=months[0])
        .order_by()
        .values("member_id", "month")
        .annotate(**{name: _measure(name) for name in MONTH_MEASURES})
    }
    open_now = dict(
        facts.exclude(status__in=FINAL_STATUSES)
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    escalated = dict(
        _links(user, area)
        .filter(created_at__gte=_month_start(month))
        .order_by()
        .values("peer")
        .annotate(n=Count("pk"))
        .values_list("peer", "n")
    )
    names = dict(
        Area.objects.filter(code__in=[m.area_code for m in members]).values_list("code", "name")
    )
    empty = dict.fromkeys(MONTH_MEASURES, 0)
    rows = []
    for member in members:
        now = by_month.get((member.pk, month), empty)
        rows.append(
            {
                "area_code": member.area_code,
                "name": names.get(member.area_code) or member.client.name,
                "reports": now["reports"],
                "closed": now["closed"],
                "open": open_now.get(member.pk, 0),
                **{key: shown_value(INDICATORS[code], now) for key, code in RATES.items()},
                "escalated": escalated.get(member.area_code, 0),
                "trend": [
                    {
                        "month": m,
                        "reports": by_month.get((member.pk, m), empty)["reports"],
                        "closed": by_month.get((member.pk, m), empty)["closed"],
                    }
                    for m in months
                ],
            }
        )
    return {"month": month, "members": rows}


def fingerprint(user: User, area: Area) -> str:
    """An ETag for `panel`: it changes when a member's fact arrives or changes, a case is
    escalated, the month turns, or the reader or area differ."""
    members = _members(user, area)
    facts = _facts(user, area, members).order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
    links = (
        _links(user, area)
        .order_by()
        .aggregate(
            n=Count("pk"),
            month=Count("pk", filter=Q(created_at__gte=_month_start(periods.current_month()))),
        )
    )
    seen = (
        area.code,
        periods.current_month(),
        [(m.pk, m.area_code) for m in members],
        facts,
        links,
        user.pk,
        tuple(getattr(user, "scope_codes", ())),
    )
    return '"' + hashlib.sha256(repr(seen).encode()).hexdigest()[:32] + '"'
