from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gridgov.dashboard import queries

router = Router(tags=["cockpit"])


class AreaRef(Schema):
    code: str
    name: str
    level: str


class Counts(Schema):
    today_reports: int
    today_closed: int
    month_reports: int
    month_closed: int
    open: int
    overdue: int
    red_open: int


class DayFigures(Schema):
    day: str
    reports: int
    closed: int


class MonthFigures(Schema):
    month: str
    reports: int
    closed: int
    on_time_rate: float | None


class ClassCount(Schema):
    code: str
    name: str
    count: int


class FunnelStep(Schema):
    step: str
    label: str
    count: int


class ChildArea(Schema):
    code: str
    name: str
    open: int
    overdue: int
    people: int
    reports: int
    overdue_rate: float
    per_1000: float | None


class Children(Schema):
    level: str
    areas: list[ChildArea]


class RankedArea(Schema):
    rank: int
    key: str
    name: str
    score: float | None
    grade: str
    rank_change: int | None
    reports: int


class RegistrySummary(Schema):
    people: int
    registered: int
    floating: int
    overseas: int
    male: int
    female: int
    elderly: int
    houses: int
    rented: int
    vacant: int
    organizations: int


class RedCard(Schema):
    case: int
    number: str
    title: str
    stage: str
    department: str
    raised_at: str


class LinesFigures(Schema):
    open_disputes: int
    flagged_disputes: int = Field(description="Open disputes whose risk was escalated.")
    mediation_success_rate: float | None = Field(description="Of the closed disputes; 0–1.")
    open_hazards: int
    major_hazards: int
    overdue_rectifications: int


class CockpitOut(Schema):
    area: AreaRef
    breadcrumb: list[AreaRef]
    rolled_at: str | None
    generated_at: str
    month: str
    counts: Counts
    trend_days: list[DayFigures]
    trend_months: list[MonthFigures]
    top_classes: list[ClassCount]
    funnel: list[FunnelStep]
    children: Children
    heat: list[list[float]]
    ranking: list[RankedArea]
    registry: RegistrySummary
    red_cards: list[RedCard]
    lines: LinesFigures


@router.get("/cockpit", response=CockpitOut, summary="Every cockpit figure for one area")
def cockpit(request: HttpRequest, area: str = Query("", max_length=20)):
    """Counts (today, this month, open, overdue), trends by day and month, top classes, the loop
    as a funnel, the areas one level down with map figures, case heat points ([lat, lon]), the
    ranking of the areas below, registry summary, the latest red cards and the business lines
    (disputes and hazards). `rolled_at` says how
    fresh the rolled-up figures are. Another area's code answers 404."""
    return queries.cockpit(request.user, area.strip())
