"""API of patrols, positions, tracks, coverage and the live map (docs/field-tracks.md).

- `POST /patrols/start`, `POST /patrols/{id}/end`, `GET /patrols/current`: the member's session.
- `POST /patrols/{id}/positions`: a batch of fixes (at most 500) under the drop rules.
- `GET|POST /patrols/osmand`: the OsmAnd/Traccar Client protocol, `id` = a tracker token.
- `GET /patrols/tracks/{member}/{day}`, `GET /patrols/coverage/{grid}`, `GET /patrols/live`.
"""

import datetime
import hashlib
import json
from typing import Literal

import pydantic_core
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user
from gridgov.areas.models import Area
from gridgov.patrol import queries_tracks as queries
from gridgov.patrol.models.tracks import PatrolSession, SessionKind, TrackerToken
from gridgov.patrol.services import tracks as services
from gridgov.patrol.services import tracks_coverage as covering
from gridgov.patrol.services import tracks_geo as geo

router = Router(tags=["patrol"])

KNOT_MS = 0.514444
UNKNOWN_ID_LIMIT = 20  # unknown tracker ids per client address per 10 minutes before 429


class SessionOut(Schema):
    id: int
    kind: str
    area_code: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    accepted: int
    dropped: dict
    interval_s: int = 15


class StartIn(Schema):
    kind: Literal["patrol", "duty"] = "patrol"


class FixIn(Schema):
    lat: float | None = None
    lon: float | None = None
    time: float | None = Field(None, description="Fix time, Unix seconds or milliseconds")
    accuracy: float | None = None
    speed: float | None = Field(None, description="m/s")
    heading: float | None = None
    altitude: float | None = None
    battery: float | None = Field(None, description="percent")


class BatchIn(Schema):
    positions: list[FixIn] = Field(..., max_length=500)


class IngestOut(Schema):
    accepted: int
    dropped: dict[str, int]


class TokenIn(Schema):
    label: str = Field("", max_length=100)


class TokenOut(Schema):
    id: int
    hint: str
    label: str
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    token: str = ""


# The days a track or coverage may be asked for: outside them a day's neighbours and a
# period's bounds overflow the calendar (year 1, year 9999).
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)


class CoverageQuery(Schema):
    period: Literal["day", "week", "month"] = "week"
    date: datetime.date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    member: int | None = None


class TrackPointsOut(Schema):
    """The day's fixes in fix-time order as arrays of one field each, all `count` long: fix i is
    session[i], t[i], lat[i], lon[i], accuracy[i], speed[i], battery[i]."""

    session: list[int] = Field(..., description="The patrol session of each fix")
    t: list[float] = Field(
        ...,
        description="Fix times in seconds since `day_start` (the local day's midnight in "
        "`time_zone`): whole seconds, or to the millisecond when any fix has a fraction",
    )
    lat: list[float] = Field(..., description="Latitude, WGS-84 degrees, 6 decimals")
    lon: list[float] = Field(..., description="Longitude, WGS-84 degrees, 6 decimals")
    accuracy: list[float | None] = Field(..., description="Metres, 1 decimal; null if unknown")
    speed: list[float | None] = Field(..., description="m/s, 2 decimals; null if unknown")
    battery: list[float | None] = Field(..., description="Percent, 1 decimal; null if unknown")


class TrackStopOut(Schema):
    start: datetime.datetime = Field(..., description="Local time with its offset")
    end: datetime.datetime = Field(..., description="Local time with its offset")
    lat: float
    lon: float
    minutes: float


class TrackOut(Schema):
    member: int
    name: str
    area_code: str
    day: datetime.date = Field(..., description="The local day in `time_zone`")
    day_start: datetime.datetime = Field(
        ..., description="The day's start with its offset, e.g. 2026-12-04T00:00:00+08:00"
    )
    time_zone: str = Field(..., description="The platform's time zone (Asia/Shanghai)")
    count: int = Field(..., description="How many fixes: the length of each points array")
    points: TrackPointsOut
    segments: list[tuple[int, int]] = Field(
        ...,
        description="Walked runs (fixes of one session at most 2 minutes apart, at least two "
        "of them) as index ranges [first, end) into the points arrays",
    )
    stops: list[TrackStopOut] = Field(..., description="Stays within 30 m for 3 minutes or more")
    distance_m: float = Field(..., description="Length of the walked segments (great-circle)")
    gaps: int = Field(..., description="Pauses over 2 minutes within a session")


def interval_s() -> int:
    return int(getattr(settings, "GRIDGOV_PATROL_INTERVAL_S", 15))


def _session_out(session: PatrolSession) -> dict:
    return {
        "id": session.pk,
        "kind": session.kind,
        "area_code": session.area_code,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "accepted": session.accepted,
        "dropped": session.dropped or {},
        "interval_s": interval_s(),
    }


def _own_session(request: AuthenticatedRequest, session_id: int) -> PatrolSession:
    session = PatrolSession.objects.filter(pk=session_id, user=request.user).first()
    if session is None:
        raise HttpError(404, _("Not found, or not within your scope."))
    return session


@router.post("/patrols/start", response={201: SessionOut}, summary="Start a patrol (or duty)")
def start_patrol(request: AuthenticatedRequest, payload: StartIn):
    session = services.start_session(actor=request.user, kind=SessionKind(payload.kind))
    return Status(201, _session_out(session))


@router.get("/patrols/current", response={200: SessionOut, 204: None}, summary="My open patrol")
def current_patrol(request: AuthenticatedRequest):
    session = services.open_session(request.user)
    return Status(200, _session_out(session)) if session else Status(204, None)


@router.post("/patrols/{session_id}/end", response=SessionOut, summary="End my patrol")
def end_patrol(request: AuthenticatedRequest, session_id: int):
    session = _own_session(request, session_id)
    return _session_out(services.end_session(session, actor=request.user))


@router.post(
    "/patrols/{session_id}/positions", response=IngestOut, summary="Upload a batch of positions"
)
def upload_positions(request: AuthenticatedRequest, session_id: int, payload: BatchIn):
    session = _own_session(request, session_id)
    fixes = [
        services.Fix(
            lat=p.lat,
            lon=p.lon,
            fix_time=p.time,
            accuracy=p.accuracy,
            speed=p.speed,
            heading=p.heading,
            altitude=p.altitude,
            battery=p.battery,
        )
        for p in payload.positions
    ]
    return services.ingest(session, fixes, actor=request.user).as_dict()


# ---------------------------------------------------------------------------------------------
# OsmAnd / Traccar Client


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "-"


def _osmand_fix(request: HttpRequest) -> tuple[str, services.Fix]:
    """The point from query/form parameters (OsmAnd protocol; speed in knots), or from the JSON
    body newer Traccar Client versions send."""
    params = request.GET.copy()
    params.update(request.POST)
    if not params.get("id") and request.content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body[:20000])
            location = body.get("location") or {}
            coords = location.get("coords") or {}
            level = (location.get("battery") or {}).get("level")
            return str(body.get("device_id") or ""), services.Fix(
                lat=coords.get("latitude"),
                lon=coords.get("longitude"),
                fix_time=location.get("timestamp"),
                accuracy=coords.get("accuracy"),
                speed=coords.get("speed"),
                heading=coords.get("heading"),
                altitude=coords.get("altitude"),
                battery=float(level) * 100 if isinstance(level, int | float) else None,
            )
        except (ValueError, AttributeError, TypeError):
            return "", services.Fix(None, None, None)
    speed = services._finite(params.get("speed"))
    return str(params.get("id") or params.get("deviceid") or ""), services.Fix(
        lat=params.get("lat"),
        lon=params.get("lon"),
        fix_time=params.get("timestamp"),
        accuracy=params.get("accuracy") or params.get("hdop"),
        speed=speed * KNOT_MS if speed is not None else None,
        heading=params.get("bearing") or params.get("heading"),
        altitude=params.get("altitude"),
        battery=params.get("batt"),
    )


@router.api_operation(
    ["GET", "POST"],
    "/patrols/osmand",
    auth=None,
    summary="OsmAnd/Traccar Client position (id = tracker token)",
    response={200: IngestOut, 401: dict, 429: dict},
)
def osmand(request: HttpRequest):
    ip = _client_ip(request)
    key = f"patrol:osmand:unknown:{ip}"
    if (cache.get(key) or 0) >= UNKNOWN_ID_LIMIT:
        raise HttpError(429, _("Too many unknown tracker ids. Wait a while and try again."))
    raw, fix = _osmand_fix(request)
    token = services.token_user(raw)
    if token is None:
        cache.set(key, (cache.get(key) or 0) + 1, 600)
        return Status(
            401,
            {
                "code": "unauthenticated",
                "message": _("Unknown or revoked tracker id."),
                "details": None,
            },
        )
    return Status(200, services.ingest_from_tracker(token, fix).as_dict())


@router.post("/patrols/tracker-tokens", response={201: TokenOut}, summary="Issue my tracker id")
def issue_token(request: AuthenticatedRequest, payload: TokenIn):
    token, raw = services.issue_tracker_token(actor=request.user, label=payload.label)
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/patrols/tracker-tokens/{token_id}", response=TokenOut, summary="Revoke it")
def revoke_token(request: AuthenticatedRequest, token_id: int):
    token = TrackerToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise HttpError(404, _("Not found, or not within your scope."))
    return _token_out(services.revoke_tracker_token(token, actor=request.user))


def _token_out(token: TrackerToken) -> dict:
    return {
        "id": token.pk,
        "hint": token.hint,
        "label": token.label,
        "created_at": token.created_at,
        "revoked_at": token.revoked_at,
    }


# ---------------------------------------------------------------------------------------------
# reads


def parse_day(text: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationError(_("Give the day as YYYY-MM-DD.")) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(_("Give a day from 2000 to 2099."))
    return day


@router.get(
    "/patrols/tracks/{member_id}/{day}", response=TrackOut, summary="A member's track of one day"
)
def member_track(request: AuthenticatedRequest, member_id: int, day: str):
    when = parse_day(day)
    member = queries.member_for(request.user, member_id)
    positions = queries.positions_of(request.user, member)
    data = geo.track(positions, when)
    if member.pk != request.user.pk and not data["count"]:
        raise HttpError(404, _("Not found, or not within your scope."))
    area = positions.values_list("area_code", flat=True).first() or ""
    queries.log_track_view(request.user, member, "track", when, area)
    return HttpResponse(
        track_json({"member": member.pk, "name": member.display_name, "area_code": area, **data}),
        content_type="application/json",
    )


def track_json(answer: dict) -> bytes:
    """A track answer (TrackOut) in JSON, written by pydantic-core: ≈ 4 times quicker than
    json.dumps on a day's ≈ 2,000 fixes (their floats are most of the work)."""
    return pydantic_core.to_json(answer)


@router.get("/patrols/coverage/{code}", summary="Patrol coverage of a grid (day/week/month)")
def grid_coverage(request: AuthenticatedRequest, code: str, params: Query[CoverageQuery]):
    return coverage_answer(request.user, code, params.period, params.date, params.member)


def coverage_answer(user, code: str, period: str, day, member_id) -> dict:
    grid = get_for_user(Area.objects.grids(), user, Action.VIEW, code=code)
    if not grid.geometry:
        raise ValidationError(_("This grid has no boundary."))
    import shapely

    shape = shapely.geometry.shape(grid.geometry)
    day = day or timezone.localdate()
    start, end = geo.period_bounds(period, day)
    if member_id is not None:
        member = queries.member_for(user, member_id)
        positions = queries.positions_of(user, member)
    elif queries.may_view_tracks(user):
        member = None
        positions = queries.positions_of_area(user, grid.code)
    else:
        member = user
        positions = queries.positions_of(user, user)
    result = covering.coverage(shape, covering.coverage_points(positions, shape, start, end))
    if member is None or member.pk != user.pk:
        queries.log_coverage_view(user, grid.code, member)
    return {
        "area_code": grid.code,
        "name": grid.name,
        "period": period,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "member": member.pk if member else None,
        "share": round(result.share, 4),
        "grid_area_m2": round(result.grid_area_m2, 1),
        "covered_area_m2": round(result.covered_area_m2, 1),
        "segments": result.segments,
        "grid": grid.geometry,
        "covered": shapely.geometry.mapping(result.covered) if result.covered else None,
    }


@router.get("/patrols/live", summary="On-duty members' last positions (ETag, stale after 10 min)")
def live_positions(request: AuthenticatedRequest):
    if not queries.may_view_tracks(request.user):
        raise PermissionDenied(_("You may not view others' patrol tracks."))
    rows = geo.live(queries.visible_sessions(request.user))
    stamp = [(r["session"], r["fix_time"], r["stale"]) for r in rows]
    etag = '"' + hashlib.sha256(json.dumps(stamp).encode()).hexdigest()[:32] + '"'
    if get_conditional_response(request, etag=etag) is not None:  # weak or strong, listed
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    queries.log_live_view(request.user, rows)
    response = JsonResponse({"items": rows, "stale_after_s": 600})
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
