import json

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from ninja import Field, Query, Router, Schema

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.dashboard import queries, queries_federation

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


class NamedCount(Schema):
    code: str
    name: str
    count: int


class OnTimeMonth(Schema):
    month: str
    due: int
    on_time: int
    rate: float | None = Field(description="Done on time of those due; 0–1.")


class LinesFigures(Schema):
    open_disputes: int
    flagged_disputes: int = Field(description="Open disputes whose risk was escalated.")
    mediation_success_rate: float | None = Field(description="Of the closed disputes; 0–1.")
    open_hazards: int
    major_hazards: int
    overdue_rectifications: int
    disputes_by_kind: list[NamedCount] = Field(description="All disputes, every kind.")
    disputes_by_stage: list[NamedCount] = Field(description="All disputes, every state.")
    open_hazards_by_grade: list[NamedCount]
    rectification: list[OnTimeMonth] = Field(
        description="Hazards due for rectification and rectified on time: last month, then "
        "this month (so far)."
    )


class CategoryFigures(Schema):
    code: str
    name: str
    group: str = Field(description="control (服务管控类) or care (民政关爱类).")
    group_name: str
    total: int
    by_risk: list[int] = Field(description="Records at risk level 0, 1, 2 … (index = level).")


class PopulationFigures(Schema):
    total: int = Field(description="Records not closed (under management or lost contact).")
    lost_contact: int
    visits_overdue: int
    categories: list[CategoryFigures]
    visits: list[OnTimeMonth] = Field(description="Last month, then this month (so far).")


class MemberMonth(Schema):
    month: str
    reports: int
    closed: int


class MemberFigures(Schema):
    area_code: str
    name: str = Field(description="The district's name (its area on this platform).")
    reports: int = Field(description="Cases reported this month.")
    closed: int = Field(description="Of this month's cases, closed.")
    open: int = Field(description="Cases open now (any month).")
    closing_rate: float | None = Field(description="Closed of valid, this month's cases; 0–1.")
    on_time_rate: float | None = Field(description="Closed on time of closed; 0–1.")
    satisfaction: float | None = Field(description="Mean rating 1–5.")
    escalated: int = Field(description="Cases escalated to this platform this month.")
    trend: list[MemberMonth]


class FederationPanel(Schema):
    month: str
    members: list[MemberFigures]


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
    populations: PopulationFigures | None = Field(
        description="Counts only; null without the right to view special-population records."
    )
    federation: FederationPanel | None = Field(
        None,
        description="On a city: its member districts' figures from the facts they push (counts"
        " only); null on a platform without members in sight.",
    )


@router.get("/cockpit", response=CockpitOut, summary="Every cockpit figure for one area")
def cockpit(request: HttpRequest, area: str = Query("", max_length=20)):
    """Counts (today, this month, open, overdue), trends by day and month, top classes, the loop
    as a funnel, the areas one level down with map figures, case heat points ([lat, lon]), the
    ranking of the areas below, registry summary, the latest red cards and the business lines
    (disputes and hazards), and special populations by category and risk with the visits done on
    time (only for readers holding the special-population right). `rolled_at` says how
    fresh the rolled-up figures are. Another area's code answers 404."""
    return queries.cockpit(request.user, area.strip())


@router.get(
    "/cockpit/federation",
    response=FederationPanel | None,
    url_name="cockpit_federation",
    summary="The member districts side by side, for the city's cockpit (ETag)",
)
def federation(request: AuthenticatedRequest, area: str = Query("", max_length=20)):
    """The `federation` panel of `/cockpit` alone, for polling: answered 304 while its `ETag`
    (sent back in `If-None-Match`) still holds. `null` without members in sight (a district's
    own platform); another area's code answers 404."""
    found = queries.area_for(request.user, area.strip())
    etag = queries_federation.fingerprint(request.user, found)
    if get_conditional_response(request, etag=etag) is not None:  # weak or strong, listed
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            json.dumps(queries_federation.panel(request.user, found), ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


class NationalityCount(Schema):
    name: str = Field(description="The country's name.")
    count: int


class ForeignFigures(Schema):
    total: int = Field(description="Foreigners staying now (not left).")
    registered_on_time: int = Field(description="Registered with the police within 24 hours.")
    registered_late: int
    unregistered: int = Field(description="Not registered, more than 24 hours after arrival.")
    awaiting: int = Field(description="Not registered yet, still within the 24 hours.")
    expired: int = Field(description="Visa or residence permit expired.")
    expiring: int = Field(description="Visa or residence permit expiring within notice_days.")


class ForeignArea(ForeignFigures):
    code: str
    name: str


class ForeignOut(ForeignFigures):
    area: AreaRef
    breadcrumb: list[AreaRef]
    generated_at: str
    child_level: str
    notice_days: int
    by_nationality: list[NationalityCount]
    areas: list[ForeignArea] = Field(description="The areas one level down.")


@router.get(
    "/cockpit/foreign", response=ForeignOut, summary="The foreign-affairs cockpit for one area"
)
def foreign(request: HttpRequest, area: str = Query("", max_length=20)):
    """Foreigners staying outside hotels in the area (counts only): by nationality, visa or
    permit expired or expiring, police registration (出境入境管理法 art. 39: within 24 hours),
    and per area one level down. Needs the right to view foreigners' records (403); another
    area's code answers 404."""
    return queries.foreign(request.user, area.strip())
