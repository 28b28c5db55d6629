"""Federation: the city's assessment of its member districts (docs/federation.md).

Each district pushes its cases up as facts reduced to numbers (`MemberCaseFact`: reports,
valid, closed, on-time closes, satisfaction…, per month; no names, no descriptions). The city
ranks its members over a period from those facts alone, with the items of its active district
scheme whose figures the facts carry (closing rate, on-time closing, satisfaction…), the same
scoring and grades as its own assessment. Only members inside the asker's scope take part.
"""

from typing import Any

from django.db.models import QuerySet

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.assessment import periods
from gridgov.assessment.indicators import INDICATORS, shown_value
from gridgov.assessment.queries import scheme_for
from gridgov.assessment.scoring import grade, score_items
from gridgov.exchange.models import FederationMember, MemberCaseFact
from gridgov.exchange.services.federation_receive import FACT_MEASURES

SHOWN = ("closing_rate", "close_on_time", "satisfaction")


def _carried(code: str) -> bool:
    """Whether the members' facts carry what this indicator is computed from."""
    ind = INDICATORS[code]
    return ind.numerator in FACT_MEASURES and (
        ind.denominator is None or ind.denominator in FACT_MEASURES
    )


def _sums(facts: QuerySet) -> dict[int, dict[str, int]]:
    sums: dict[int, dict[str, int]] = {}
    for member_id, measures in facts.values_list("member_id", "measures").iterator():
        row = sums.setdefault(member_id, dict.fromkeys(FACT_MEASURES, 0))
        for name, value in (measures or {}).items():
            if name in row and isinstance(value, int):
                row[name] += value
    return sums


def district_ranking(user: User, period: str = "") -> dict:
    """The member districts in `user`'s scope ranked by score over `period` (a month, quarter
    or year; ValidationError when malformed), with the period before for comparison."""
    months = periods.months_of(period)
    before_months = periods.months_of(periods.previous(period))
    members = list(
        restrict(FederationMember.objects.select_related("client"), user, Action.VIEW).order_by(
            "area_code"
        )
    )
    facts = restrict(MemberCaseFact.objects.all(), user, Action.VIEW).filter(member__in=members)
    now = _sums(facts.filter(month__in=months))
    before = _sums(facts.filter(month__in=before_months))
    scheme = scheme_for("area", "district")
    items = [i for i in (scheme.items if scheme else []) if _carried(i["indicator"])]
    names = dict(
        Area.objects.filter(code__in=[m.area_code for m in members]).values_list("code", "name")
    )
    empty = dict.fromkeys(FACT_MEASURES, 0)
    rows: list[dict[str, Any]] = []
    for member in members:
        sums = now.get(member.pk, empty)
        score, _parts = score_items(items, sums) if items else (None, [])
        previous_score = score_items(items, before[member.pk])[0] if member.pk in before else None
        rows.append(
            {
                "area_code": member.area_code,
                "name": names.get(member.area_code) or member.client.name,
                "platform": member.client.name,
                "score": score,
                "grade": grade(score),
                "previous_score": previous_score,
                "reports": sums["reports"],
                "closed": sums["closed"],
                **{code: shown_value(INDICATORS[code], sums) for code in SHOWN},
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["area_code"]))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return {
        "period": period or periods.current_month(),
        "previous_period": periods.previous(period),
        "scheme": scheme.name if scheme else "",
        "items": [str(INDICATORS[i["indicator"]].label) for i in items],
        "rows": rows,
    }
