from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gridgov.assessment import filters, queries
from gridgov.assessment.models import UnitKind

router = Router(tags=["assessment"])


class IndicatorOut(Schema):
    code: str
    label: str
    value: float | None
    numerator: int | float
    denominator: int | float | None
    previous: float | None
    is_rate: bool


class UnitReportOut(Schema):
    unit_kind: str
    unit_key: str
    name: str
    period: str
    months: list[str]
    score: float | None
    grade: str
    previous_score: float | None
    scheme: str | None
    indicators: list[IndicatorOut]


@router.get(
    "/assessment/indicators", response=UnitReportOut, summary="Indicators and score of one unit"
)
def indicators(
    request: HttpRequest,
    kind: UnitKind = UnitKind.AREA,
    unit: str = Query(..., max_length=32, description="Area code, department id or user id"),
    period: str = Query(
        "", max_length=10, description="2026-11, 2026-Q4 or 2026; default this month"
    ),
):
    report = queries.unit_report(request.user, kind, unit, period)
    return {**report, "scheme": report["scheme"].name if report["scheme"] else None}


class RankingRow(Schema):
    rank: int
    key: str
    name: str
    score: float | None
    grade: str
    previous_score: float | None
    previous_rank: int | None
    rank_change: int | None
    score_change: float | None
    reports: int
    closing_rate: float | None
    close_on_time: float | None
    red_cards: int
    yellow_cards: int
    mediation_success_rate: float | None = None
    rectify_on_time: float | None = None
    special_visits_on_time: float | None = None


class RankingOut(Schema):
    unit_kind: str
    level: str
    period: str
    previous_period: str
    scheme: str
    sort: str
    rows: list[RankingRow]


@router.get("/assessment/rankings", response=RankingOut, summary="Units ranked by score")
def rankings(
    request: HttpRequest,
    kind: UnitKind = UnitKind.AREA,
    level: str = Query(
        "",
        max_length=32,
        description="street, community or grid (default street); a role for staff (default "
        "grid member)",
    ),
    period: str = Query("", max_length=10, description="Default: the last complete month"),
    parent: str = Query("", max_length=20, description="Only units inside this area"),
    sort: Literal[
        "score", "mediation_success_rate", "rectify_on_time", "special_visits_on_time"
    ] = Query("score", description="Areas: by score, or by a business line's rate"),
):
    result = filters.RankingFilter(request.GET, request.user).rows()
    return {**result, "scheme": result["scheme"].name}


class CaseRef(Schema):
    id: int
    number: str
    title: str
    status: str


class DrillOut(Schema):
    count: int
    items: list[CaseRef]


@router.get(
    "/assessment/cases", response=DrillOut, summary="The cases behind an indicator's figure"
)
def cases_behind(
    request: HttpRequest,
    indicator: str = Query(..., max_length=40),
    unit: str = Query(..., max_length=32),
    kind: UnitKind = UnitKind.AREA,
    part: Literal["numerator", "denominator"] = "numerator",
    period: str = Query("", max_length=10, description="Default: the last complete month"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
):
    cases = filters.DrillFilter(request.GET, request.user).rows()
    page = cases[offset : offset + limit]
    return {
        "count": cases.count(),
        "items": [
            {"id": c.pk, "number": c.number, "title": c.title, "status": c.status} for c in page
        ],
    }


class CardCount(Schema):
    name: str
    red: int
    yellow: int


class CardBoardOut(Schema):
    period: str
    totals: dict
    areas: list[CardCount]
    departments: list[CardCount]


@router.get("/assessment/cards", response=CardBoardOut, summary="Red and yellow card counts")
def cards(
    request: HttpRequest,
    period: str = Query("", max_length=10, description="Default: the last complete month"),
    area: str = Query("", max_length=20),
):
    board = filters.CardFilter(request.GET, request.user).rows()
    return {k: v for k, v in board.items() if k != "latest"}
