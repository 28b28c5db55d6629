"""Reading assessments: totals of a unit for a period, rankings with the change against the
period before, the cases behind a figure and the card boards — all through the scope."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, get_for_user, restrict
from gridgov.areas.models import Area, Level
from gridgov.assessment import periods
from gridgov.assessment.indicators import INDICATORS, codes_for, indicator_table
from gridgov.assessment.models import (
    FIELD_WORK_MEASURES,
    LINE_MEASURES,
    MEASURES,
    STAGES,
    CaseFact,
    LineTally,
    Scheme,
    Tally,
    UnitKind,
)
from gridgov.assessment.rollup import month_bounds
from gridgov.assessment.scoring import grade, score_items
from gridgov.cases.models import Card, Case, CaseEvent

RANKABLE_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
STAGE_MEASURES = {f"{s}_{p}" for s in STAGES for p in ("done", "on_time")}


def _sum_measures(queryset) -> dict:
    row = queryset.aggregate(**{m: Sum(m) for m in MEASURES})
    return {m: row[m] or 0 for m in MEASURES}


def unit_for_user(user, unit_kind: str, unit_key: str):
    """The unit (Area, Department or User) if the user may see it; 404 otherwise."""
    if unit_kind == UnitKind.AREA:
        return get_for_user(Area.objects.all(), user, code=unit_key)
    if unit_kind == UnitKind.DEPARTMENT:
        return get_for_user(Department.objects.all(), user, pk=unit_key)
    if unit_kind == UnitKind.STAFF:
        return get_for_user(User.objects.all(), user, pk=unit_key)
    raise Http404


def unit_name(unit) -> str:
    return getattr(unit, "full_name", "") or getattr(unit, "name", "") or str(unit)


def _zero_lines() -> dict:
    return dict.fromkeys(LINE_MEASURES, 0)


def totals(user, unit_kind: str, unit_key: str, months: list[str]) -> dict:
    """The unit's measures over the months; an area's include the business lines' figures."""
    unit_for_user(user, unit_kind, unit_key)
    sums = _sum_measures(
        Tally.objects.filter(unit_kind=unit_kind, unit_key=str(unit_key), month__in=months)
    )
    if unit_kind != UnitKind.AREA:
        return {**sums, **_zero_lines()}
    lines = restrict(LineTally.objects.all(), user).filter(
        area_code=str(unit_key), month__in=months
    )
    row = lines.aggregate(**{m: Sum(m) for m in LINE_MEASURES})
    return {**sums, **{m: row[m] or 0 for m in LINE_MEASURES}}


def scheme_for(unit_kind: str, level: str) -> Scheme | None:
    for scheme in Scheme.objects.filter(unit_kind=unit_kind, active=True):
        levels = [lv.strip() for lv in scheme.levels.split(",") if lv.strip()]
        if not levels or level in levels:
            return scheme
    return None


def unit_report(user, unit_kind: str, unit_key: str, period: str) -> dict:
    """Indicators and composite score of one unit, with the period before for comparison."""
    unit = unit_for_user(user, unit_kind, unit_key)
    months = periods.months_of(period)
    now = totals(user, unit_kind, unit_key, months)
    before = totals(user, unit_kind, unit_key, periods.months_of(periods.previous(period)))
    level = getattr(unit, "level", "") or getattr(unit, "role", "")
    scheme = scheme_for(unit_kind, level)
    # A period with nothing counted has no score (the rankings leave such units out too);
    # otherwise a count scored by bands would mark an empty month 0.
    score, parts = score_items(scheme.items, now) if scheme and any(now.values()) else (None, [])
    previous_score = (
        score_items(scheme.items, before)[0] if scheme and any(before.values()) else None
    )
    codes = codes_for(unit_kind)
    rows = indicator_table(now, codes)
    before_rows = {r["code"]: r["value"] for r in indicator_table(before, codes)}
    for row in rows:
        row["previous"] = before_rows.get(row["code"])
    return {
        "unit": unit,
        "unit_kind": unit_kind,
        "unit_key": str(unit_key),
        "name": unit_name(unit),
        "period": period or periods.current_month(),
        "months": months,
        "totals": now,
        "indicators": rows,
        "lines": [r for r in rows if r["code"] in LINE_SORTS],
        "scheme": scheme,
        "score": score,
        "grade": grade(score),
        "parts": parts,
        "previous_score": previous_score,
    }


def _unit_rows(user, unit_kind: str, level: str, parent: str, months: list[str]) -> dict:
    tallies = restrict(Tally.objects.all(), user, within=parent).filter(
        unit_kind=unit_kind, month__in=months
    )
    if level:
        tallies = tallies.filter(level=level)
    rows = tallies.values("unit_key").annotate(**{m: Sum(m) for m in MEASURES}).order_by()
    found = {r.pop("unit_key"): {m: r[m] or 0 for m in MEASURES} for r in rows}
    for sums in found.values():
        sums.update(_zero_lines())
    if unit_kind != UnitKind.AREA:
        return found
    lines = restrict(LineTally.objects.all(), user, within=parent).filter(month__in=months)
    if level:
        lines = lines.filter(level=level)
    for r in lines.values("area_code").annotate(**{m: Sum(m) for m in LINE_MEASURES}).order_by():
        key = r.pop("area_code")
        sums = found.setdefault(key, {**dict.fromkeys(MEASURES, 0), **_zero_lines()})
        sums.update({m: r[m] or 0 for m in LINE_MEASURES})
    return found


def _names(unit_kind: str, keys: list[str]) -> dict[str, str]:
    if unit_kind == UnitKind.AREA:
        return dict(Area.objects.filter(code__in=keys).values_list("code", "name"))
    ids = [int(k) for k in keys if k.isdigit()]
    if unit_kind == UnitKind.DEPARTMENT:
        return {
            str(pk): name
            for pk, name in Department.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    return {
        str(pk): full or username
        for pk, full, username in User.objects.filter(pk__in=ids).values_list(
            "pk", "full_name", "username"
        )
    }


# The business lines' figures a ranking of areas shows and may be sorted by.
LINE_SORTS = ("mediation_success_rate", "rectify_on_time", "special_visits_on_time")
SORTS = ("score", *LINE_SORTS)


def _counts(code: str, sums: dict) -> tuple[int, int]:
    ind = INDICATORS[code]
    return sums.get(ind.numerator, 0), sums.get(ind.denominator or "", 0)


def ranking(
    user, unit_kind: str, level: str, period: str, parent: str = "", sort: str = "score"
) -> dict:
    """Units of one kind (and level or role) ranked by composite score, with the period before.
    Only units inside the user's scope take part, so a street leader ranks their communities."""
    if unit_kind not in UnitKind.values:
        raise ValidationError({"kind": _("Unknown unit kind.")})
    if unit_kind == UnitKind.AREA and level not in RANKABLE_LEVELS:
        raise ValidationError(
            {"level": _("Areas are ranked by district, street, community or grid.")}
        )
    if parent and not code_in_scope(user, parent):
        raise Http404
    months = periods.months_of(period)
    previous_period = periods.previous(period)
    scheme = scheme_for(unit_kind, level)
    if scheme is None:
        raise ValidationError({"level": _("No active scheme scores this kind of unit.")})
    now = _unit_rows(user, unit_kind, level, parent, months)
    before = _unit_rows(user, unit_kind, level, parent, periods.months_of(previous_period))
    names = _names(unit_kind, list(now))
    rows = []
    for key, sums in now.items():
        score, _parts = score_items(scheme.items, sums)
        rows.append(
            {
                "key": key,
                "name": names.get(key, key),
                "score": score,
                "grade": grade(score),
                "reports": sums["reports"],
                "closing_rate": INDICATORS["closing_rate"].value(sums),
                "close_on_time": INDICATORS["close_on_time"].value(sums),
                "red_cards": sums["red_cards"],
                "yellow_cards": sums["yellow_cards"],
                **{code: INDICATORS[code].value(sums) for code in LINE_SORTS},
                **{f"{code}_counts": _counts(code, sums) for code in LINE_SORTS},
            }
        )
    previous_scores = {k: score_items(scheme.items, v)[0] for k, v in before.items()}
    previous_rank = _ranks(previous_scores)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["key"]))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    if sort in LINE_SORTS:
        # Sorted by a line's figure (best first, areas with nothing due last); the rank stays
        # the rank by score.
        rows.sort(key=lambda r: (r[sort] is None, -(r[sort] or 0), r["rank"]))
    for row in rows:
        position = row["rank"]
        row["previous_score"] = previous_scores.get(row["key"])
        row["previous_rank"] = previous_rank.get(row["key"])
        row["rank_change"] = (
            row["previous_rank"] - position if row["previous_rank"] is not None else None
        )
        row["score_change"] = (
            round(row["score"] - row["previous_score"], 1)
            if row["score"] is not None and row["previous_score"] is not None
            else None
        )
    return {
        "unit_kind": unit_kind,
        "level": level,
        "period": period or periods.current_month(),
        "previous_period": previous_period,
        "scheme": scheme,
        "sort": sort if sort in SORTS else "score",
        "rows": rows,
    }


def _ranks(scores: dict[str, float | None]) -> dict[str, int]:
    order = sorted(
        (k for k, v in scores.items() if v is not None), key=lambda k: (-(scores[k] or 0), k)
    )
    return {k: i for i, k in enumerate(order, start=1)}


# Measures counted from other rows than the case facts: no list of cases stands behind them.
NOT_FROM_CASE_FACTS = (
    "registry_updates",
    "visits",
    "whistle_calls",
    "whistle_on_time",
    *FIELD_WORK_MEASURES,
    *LINE_MEASURES,
)


def cases_behind(
    user, unit_kind: str, unit_key: str, period: str, indicator: str, part: str
) -> QuerySet:
    """The cases whose facts make a figure: `part` is numerator or denominator."""
    if indicator not in INDICATORS or part not in ("numerator", "denominator"):
        raise Http404
    unit = unit_for_user(user, unit_kind, unit_key)
    ind = INDICATORS[indicator]
    measure = ind.numerator if part == "numerator" else ind.denominator
    if measure is None or measure in NOT_FROM_CASE_FACTS:
        raise Http404
    months = periods.months_of(period)
    if unit_kind == UnitKind.STAFF and measure in STAGE_MEASURES:
        stage, _sep, which = measure.partition("_")
        events = CaseEvent.objects.filter(
            actor_id=unit.pk, stage=stage, on_time__isnull=False, time__gte=_start(months)
        ).filter(time__lt=_end(months))
        if which == "on_time":
            events = events.filter(on_time=True)
        ids = events.values("case_id")
    else:
        facts = CaseFact.objects.filter(month__in=months, **{f"{measure}__gt": 0})
        if unit_kind == UnitKind.AREA:
            facts = restrict(facts, user, within=unit.code)
        elif unit_kind == UnitKind.DEPARTMENT:
            facts = facts.filter(department_id=unit.pk)
        else:
            facts = facts.filter(reporter_id=unit.pk)
        ids = facts.values("case_id")
    return restrict(Case.objects.all(), user).filter(id__in=ids).select_related("category")


def _start(months: list[str]):
    return month_bounds(months[0])[0]


def _end(months: list[str]):
    return month_bounds(months[-1])[1]


def card_board(user, period: str, area: str = "") -> dict:
    """Red and yellow cards of a period: counts per street and per department, and the cards
    themselves, latest first (a queryset: the page filters and pages it)."""
    months = periods.months_of(period)
    if area and not code_in_scope(user, area):
        raise Http404
    cards = restrict(Card.objects.all(), user, Action.VIEW, within=area).filter(
        raised_at__gte=_start(months), raised_at__lt=_end(months)
    )
    by_area: dict[str, dict[str, int]] = {}
    width = 9 if not area or len(area) < 9 else (12 if len(area) < 12 else len(area) + 2)
    for code, kind in cards.values_list("area_code", "kind"):
        counts = by_area.setdefault(code[:width], {"red": 0, "yellow": 0})
        counts[kind] = counts.get(kind, 0) + 1
    names = dict(Area.objects.filter(code__in=list(by_area)).values_list("code", "name"))
    by_department: dict[int, dict[str, int]] = {}
    for dept, kind in cards.exclude(department__isnull=True).values_list("department_id", "kind"):
        counts = by_department.setdefault(dept, {"red": 0, "yellow": 0})
        counts[kind] = counts.get(kind, 0) + 1
    dept_names = dict(
        Department.objects.filter(pk__in=list(by_department)).values_list("pk", "name")
    )
    return {
        "period": period or periods.current_month(),
        "areas": sorted(
            ({"code": c, "name": names.get(c, c), **v} for c, v in by_area.items()),
            key=lambda r: (-r["red"], -r["yellow"], r["code"]),
        ),
        "departments": sorted(
            ({"id": d, "name": dept_names.get(d, str(d)), **v} for d, v in by_department.items()),
            key=lambda r: (-r["red"], -r["yellow"], r["name"]),
        ),
        "latest": cards.select_related("case", "department").order_by("-raised_at", "-id"),
        "totals": cards.aggregate(
            red=Count("id", filter=Q(kind="red")), yellow=Count("id", filter=Q(kind="yellow"))
        ),
    }


def default_area(user) -> str:
    """The area a user's assessment pages open on: their first scope area, or the district."""
    if user.scope_codes:
        return user.scope_codes[0]
    return (
        Area.objects.active()
        .filter(parent__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
        or ""
    )


def area_choices(user) -> list[Area]:
    """The areas above grids a user may pick on the assessment pages."""
    areas = Area.objects.active().exclude(level=Level.GRID).order_by("code")
    return list(restrict(areas, user).only("code", "name", "level")[:500])
