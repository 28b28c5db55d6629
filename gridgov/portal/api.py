"""The portal part's JSON API under /api/v1/: the public reports (anyone, no sign-in) and the
"is it one of these?" query of the report form. Only `queries.public_dict` fields are answered."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from gridgov.portal import queries
from gridgov.portal.api_relay import router as relay_router
from gridgov.portal.filters import PublicReportFilter

router = Router(tags=["portal"])
router.add_router("", relay_router)


class Step(Schema):
    step: str
    time: str


class PublicReportOut(Schema):
    number: str
    category: str
    icon: str
    status: str
    steps: list[Step]
    street: str
    street_code: str
    lon: float | None
    lat: float | None
    text: str
    photos: list[str]
    satisfaction: int | None
    reported: str


class ReportList(Schema):
    items: list[PublicReportOut]


class NearbyQuery(Schema):
    lon: float
    lat: float
    category: int | None = None


class SuggestQuery(Schema):
    text: str = Field(..., min_length=1, max_length=1000)


class SuggestedCategory(Schema):
    id: int
    label: str
    icon: str


class StreetOut(Schema):
    street: str
    street_code: str
    reports: int
    closed: int
    on_time_percent: int | None
    satisfaction: float | None


@router.get("/portal/reports", auth=None, response=ReportList, summary="Public reports")
def list_public_reports(request: HttpRequest):
    """Public reports (never anonymous or unmoderated ones), newest first; filters: category,
    status (open|closed), street (an area code)."""
    rows = list(PublicReportFilter(request.GET, request.user).rows()[:200])
    names = queries.street_names([r.street_code for r in rows])
    return {"items": [queries.public_dict(r, names) for r in rows]}


@router.get(
    "/portal/reports/{number}", auth=None, response=PublicReportOut, summary="A public report"
)
def get_public_report(request: HttpRequest, number: str):
    if len(number) > 32:
        raise HttpError(404, "Not found")
    found = queries.find_public(number)
    if found is None:
        raise HttpError(404, "Not found")
    return queries.public_dict(found)


@router.get("/portal/nearby", auth=None, response=ReportList, summary="Open reports nearby")
def nearby_reports(request: HttpRequest, q: Query[NearbyQuery]):
    """Open public reports of a category within 300 m (“is it one of these?”)."""
    if not (-180 <= q.lon <= 180 and -90 <= q.lat <= 90):
        raise ValidationError({"lon": "The position is not a valid longitude and latitude."})
    rows = queries.nearby(q.category, q.lon, q.lat)
    names = queries.street_names([r.street_code for r in rows])
    return {"items": [queries.public_dict(r, names) for r in rows]}


@router.get(
    "/portal/suggest",
    auth=None,
    response=list[SuggestedCategory],
    summary="Categories a description may belong to",
)
def suggest_categories(request: HttpRequest, q: Query[SuggestQuery]):
    """For a citizen not sure which category to choose: up to three public categories, most
    likely first, from the description typed so far."""
    return queries.suggest_categories(q.text)


@router.get("/portal/streets", auth=None, response=list[StreetOut], summary="Figures per street")
def street_figures(request: HttpRequest):
    return queries.street_stats()
