"""The cockpit's figures for one area, panel by panel. Each panel reads roll-ups (tallies and
snapshots) or a narrow indexed slice of live rows, so the whole cockpit answers in milliseconds
at city scale; `bench/cockpit.py` times every panel."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, get_for_user, restrict, user_may
from gridgov.areas.models import Area, Level
from gridgov.assessment import periods
from gridgov.assessment import queries as assessment
from gridgov.assessment.models import (
    MEASURES,
    AreaSnapshot,
    CaseFact,
    CategoryTally,
    DailyTally,
    LineTally,
    Tally,
    UnitKind,
)
from gridgov.assessment.rollup import rolled_at
from gridgov.assessment.services import CHILD_LEVEL
from gridgov.cases.models import Card, Case, Category
from gridgov.dashboard import queries_federation
from gridgov.lines import queries_cockpit as lines_cockpit
from gridgov.lines.models import DisputeKind, DisputeState, HazardGrade
from gridgov.lines.queries_disputes import board as lines_board

TREND_DAYS = 30
TREND_MONTHS = 12
HEAT_DAYS = 30
HEAT_POINTS = 5000
LARGE_AREA_CODE_LENGTH = 6  # cities and districts


def area_for(user, code: str = "") -> Area:
    """The cockpit's area: the one asked for if the user may see it (404 otherwise)."""
    return get_for_user(Area.objects.all(), user, code=code or assessment.default_area(user))


def breadcrumb(user, area: Area) -> list[dict]:
    chain, node = [], area
    while node is not None and code_in_scope(user, node.code):
        chain.append({"code": node.code, "name": node.name, "level": node.level})
        node = node.parent
    return chain[::-1]


def _month_tally(code: str, month: str) -> dict:
    row = (
        Tally.objects.filter(unit_kind=UnitKind.AREA, unit_key=code, month=month)
        .values(*MEASURES)
        .first()
    )
    return row or dict.fromkeys(MEASURES, 0)


def _daily(area: Area, since: str) -> list[dict]:
    """[{day, reports, closed}] from `since` on. Daily tallies are kept above the grid; a grid's
    few facts are counted directly."""
    if area.level != Level.GRID:
        return list(
            DailyTally.objects.filter(area_code=area.code, day__gte=since).values(
                "day", "reports", "closed"
            )
        )
    facts = CaseFact.objects.filter(area_code=area.code)
    days: dict[str, dict] = {}
    for day, n in facts.filter(day__gte=since).values_list("day").annotate(n=Count("pk")):
        days.setdefault(day, {"day": day, "reports": 0, "closed": 0})["reports"] = n
    for day, n in (
        facts.filter(closed_day__gte=since).values_list("closed_day").annotate(n=Count("pk"))
    ):
        days.setdefault(day, {"day": day, "reports": 0, "closed": 0})["closed"] = n
    return list(days.values())


def counts(area: Area) -> dict:
    today = timezone.localdate()
    month = today.strftime("%Y-%m")
    tally = _month_tally(area.code, month)
    days = _daily(area, f"{month}-01")
    today_row = next((d for d in days if d["day"] == today.isoformat()), None)
    snapshot = AreaSnapshot.objects.filter(area_code=area.code).first()
    return {
        "today_reports": today_row["reports"] if today_row else 0,
        "today_closed": today_row["closed"] if today_row else 0,
        "month_reports": tally["reports"],
        "month_closed": sum(d["closed"] for d in days),
        "open": snapshot.open if snapshot else 0,
        "overdue": snapshot.overdue if snapshot else 0,
        "red_open": snapshot.red_open if snapshot else 0,
    }


def trend_days(area: Area) -> list[dict]:
    today = timezone.localdate()
    days = [(today - datetime.timedelta(days=i)).isoformat() for i in range(TREND_DAYS - 1, -1, -1)]
    found = {d["day"]: d for d in _daily(area, days[0])}
    return [
        {
            "day": d,
            "reports": found.get(d, {}).get("reports", 0),
            "closed": found.get(d, {}).get("closed", 0),
        }
        for d in days
    ]


def trend_months(area: Area) -> list[dict]:
    months = periods.last_months(TREND_MONTHS)
    found = {
        r["month"]: r
        for r in Tally.objects.filter(
            unit_kind=UnitKind.AREA, unit_key=area.code, month__gte=months[0]
        ).values("month", "reports", "closed", "close_on_time", "close_done")
    }
    out = []
    for m in months:
        r = found.get(m, {})
        done = r.get("close_done", 0)
        out.append(
            {
                "month": m,
                "reports": r.get("reports", 0),
                "closed": r.get("closed", 0),
                "on_time_rate": (r.get("close_on_time", 0) / done) if done else None,
            }
        )
    return out


def top_classes(area: Area, limit: int = 8) -> list[dict]:
    month = periods.current_month()
    if area.level == Level.GRID:  # class counts are kept above the grid
        tallies = (
            CaseFact.objects.filter(area_code=area.code, month=month)
            .values("major_code")
            .annotate(reports=Count("pk"))
        )
    else:
        tallies = CategoryTally.objects.filter(area_code=area.code, month=month)
    rows = list(tallies.order_by("-reports", "major_code").values("major_code", "reports")[:limit])
    names = dict(
        Category.objects.filter(code__in=[r["major_code"] for r in rows]).values_list(
            "code", "name"
        )
    )
    return [
        {
            "code": r["major_code"],
            "name": names.get(r["major_code"], r["major_code"] or "—"),
            "count": r["reports"],
        }
        for r in rows
    ]


def funnel(area: Area) -> list[dict]:
    from django.utils.translation import gettext as _

    t = _month_tally(area.code, periods.current_month())
    steps = [
        ("reports", _("Reported")),
        ("valid", _("Valid")),
        ("filed", _("Filed")),
        ("dispatched", _("Dispatched")),
        ("handled", _("Handled")),
        ("closed", _("Closed")),
    ]
    return [{"step": key, "label": label, "count": t[key]} for key, label in steps]


def children(area: Area) -> dict:
    """The areas one level down with the figures the map colours them by."""
    level = CHILD_LEVEL.get(area.level)
    if not level:
        return {"level": "", "areas": []}
    kids = list(Area.objects.active().filter(parent=area).values("code", "name"))
    codes = [k["code"] for k in kids]
    snaps = {s.area_code: s for s in AreaSnapshot.objects.filter(area_code__in=codes)}
    month = periods.current_month()
    reports = dict(
        Tally.objects.filter(unit_kind=UnitKind.AREA, month=month, unit_key__in=codes).values_list(
            "unit_key", "reports"
        )
    )
    out = []
    for k in kids:
        s = snaps.get(k["code"])
        people = s.people if s else 0
        open_, overdue = (s.open, s.overdue) if s else (0, 0)
        month_reports = reports.get(k["code"], 0)
        out.append(
            {
                **k,
                "open": open_,
                "overdue": overdue,
                "people": people,
                "reports": month_reports,
                "overdue_rate": overdue / open_ if open_ else 0.0,
                "per_1000": round(month_reports / people * 1000, 2) if people else None,
            }
        )
    return {"level": level, "areas": out}


def _recent_within(queryset, user, area: Area):
    """The user's rows of an area, newest first. For a large area (a city or district holds most
    rows) the area test is written so no index serves it, and the database walks the time index
    instead; a small area is found through its code's index."""
    if len(area.code) > LARGE_AREA_CODE_LENGTH:
        return restrict(queryset, user, within=area.code)
    prefix = Substr("area_code", 1, len(area.code))
    return restrict(queryset, user).annotate(area_prefix=prefix).filter(area_prefix=area.code)


def heat(user, area: Area) -> list[list[float]]:
    since = timezone.now() - datetime.timedelta(days=HEAT_DAYS)
    recent = Case.objects.filter(created_at__gte=since).exclude(lon__isnull=True)
    rows = (
        _recent_within(recent, user, area)
        .order_by("-created_at")
        .values_list("lat", "lon")[:HEAT_POINTS]
    )
    return [[round(lat, 5), round(lon, 5)] for lat, lon in rows]


def ranking(user, area: Area, limit: int = 8) -> list[dict]:
    level = CHILD_LEVEL.get(area.level)
    if not level or assessment.scheme_for(UnitKind.AREA, level) is None:
        return []  # a grid has no areas below; no active scheme scores them: nothing to rank
    rows = assessment.ranking(
        user, UnitKind.AREA, level, periods.current_month(), parent=area.code
    )["rows"]
    return [
        {k: r[k] for k in ("rank", "key", "name", "score", "grade", "rank_change", "reports")}
        for r in rows[:limit]
    ]


def registry(area: Area) -> dict:
    snapshot = AreaSnapshot.objects.filter(area_code=area.code).first()
    figures = snapshot.registry if snapshot else {}
    return {
        "people": figures.get("people", 0),
        "registered": figures.get("reg_registered", 0),
        "floating": figures.get("reg_floating", 0),
        "overseas": figures.get("reg_overseas", 0),
        "male": figures.get("sex_M", 0),
        "female": figures.get("sex_F", 0),
        "elderly": figures.get("elderly", 0),
        "houses": figures.get("houses", 0),
        "rented": figures.get("house_rented", 0),
        "vacant": figures.get("house_vacant", 0),
        "organizations": figures.get("organizations", 0),
    }


def red_cards(user, area: Area, limit: int = 8) -> list[dict]:
    since = timezone.now() - datetime.timedelta(days=90)
    recent = Card.objects.filter(kind="red", raised_at__gte=since)
    cards = (
        _recent_within(recent, user, area)
        .select_related("case", "department")
        .order_by("-raised_at")[:limit]
    )
    return [
        {
            "case": c.case_id,
            "number": c.case.number,
            "title": c.case.title,
            "stage": c.stage,
            "department": c.department.name if c.department else "",
            "raised_at": timezone.localtime(c.raised_at).strftime("%m-%d %H:%M"),
        }
        for c in cards
    ]


def _named(choices, counts: dict) -> list[dict]:
    """Every choice in its order, with its name and count (0 when none)."""
    return [{"code": v, "name": str(label), "count": counts.get(v, 0)} for v, label in choices]


def _line_months(user, area: Area, due: str, on_time: str) -> list[dict]:
    """Last month and this month (so far) of one figure of the assessment's line roll-up:
    [{month, due, on_time, rate}]."""
    months = periods.last_months(2)
    found = {
        r["month"]: r
        for r in restrict(
            LineTally.objects.filter(area_code=area.code, month__in=months), user
        ).values("month", due, on_time)
    }
    out = []
    for m in months:
        row = found.get(m, {})
        n_due, n_on_time = row.get(due, 0), row.get(on_time, 0)
        rate = round(n_on_time / n_due, 3) if n_due else None
        out.append({"month": m, "due": n_due, "on_time": n_on_time, "rate": rate})
    return out


def lines(user, area: Area) -> dict:
    """The business lines in the area: disputes open and escalated, by kind and by stage, the
    mediation success rate, open and major hazards, open hazards by grade, rectifications past
    their deadline (the lines board, in brief) and rectifications done on time last month and
    this month (the assessment's roll-up)."""
    figures = lines_board(user, within=area.code, places=False)
    by_grade = figures["open_hazards_by_grade"]
    return {
        "open_disputes": sum(
            n for state, n in figures["disputes_by_state"].items() if state != DisputeState.CLOSED
        ),
        "flagged_disputes": figures["disputes_flagged"],
        "mediation_success_rate": figures["mediation_success_rate"],
        "open_hazards": sum(by_grade.values()),
        "major_hazards": by_grade.get(HazardGrade.MAJOR, 0),
        "overdue_rectifications": figures["overdue_rectifications"],
        "disputes_by_kind": _named(DisputeKind.choices, figures["disputes_by_kind"]),
        "disputes_by_stage": _named(DisputeState.choices, figures["disputes_by_state"]),
        "open_hazards_by_grade": _named(HazardGrade.choices, by_grade),
        "rectification": _line_months(user, area, "rectify_due", "rectify_on_time"),
    }


def populations(user, area: Area) -> dict | None:
    """Special populations by category and risk level, lost contact, visits overdue, and the
    visits done on time of those due this month and last (the assessment's roll-up); only for a
    reader holding the special-population right (None otherwise)."""
    figures = lines_cockpit.populations(user, area.code)
    if figures is None:
        return None
    visits = _line_months(user, area, "special_visits_due", "special_visits_on_time")
    return {**figures, "visits": visits}


def foreign(user, code: str = "") -> dict:
    """The foreign-affairs cockpit of an area: its own right (403 without it), the area in the
    reader's scope (404 otherwise)."""
    if not user_may(user, Action.VIEW_FOREIGN_AFFAIRS):
        raise PermissionDenied
    area = area_for(user, code)
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "breadcrumb": breadcrumb(user, area),
        "generated_at": timezone.localtime().isoformat(),
        "child_level": CHILD_LEVEL.get(area.level, ""),
        **lines_cockpit.foreigners(user, area),
    }


PANELS = {
    "counts": lambda user, area: counts(area),
    "trend_days": lambda user, area: trend_days(area),
    "trend_months": lambda user, area: trend_months(area),
    "top_classes": lambda user, area: top_classes(area),
    "funnel": lambda user, area: funnel(area),
    "children": lambda user, area: children(area),
    "heat": heat,
    "ranking": ranking,
    "registry": lambda user, area: registry(area),
    "red_cards": red_cards,
    "lines": lines,
    "populations": populations,
    "federation": queries_federation.panel,
}


def cockpit(user, code: str = "") -> dict:
    area = area_for(user, code)
    stamp = rolled_at()
    data = {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "breadcrumb": breadcrumb(user, area),
        "rolled_at": timezone.localtime(stamp).isoformat() if stamp else None,
        "generated_at": timezone.localtime().isoformat(),
        "month": periods.current_month(),
    }
    for name, panel in PANELS.items():
        data[name] = panel(user, area)
    return data
