"""Tracks (per member and day, with stops and distance), patrol coverage and the live map.

Reads only: callers pass querysets already narrowed by `restrict(...)`.

Coverage (巡查覆盖) of a grid over a period: the share of the grid's area lying within
COVERAGE_BUFFER_M (30 m) of the track segments in it, a segment joining two consecutive fixes of
one session at most MAX_GAP (2 minutes) apart — a longer gap is not walked and covers nothing, a
lone fix covers nothing. Computed in a local Lambert azimuthal equal-area projection centred on
the grid (pyproj), so areas are true.
"""

import datetime
import functools
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
import shapely
from django.db.models import QuerySet
from django.utils import timezone

from gridgov.patrol.services.tracks import haversine_m

MAX_GAP = datetime.timedelta(minutes=2)
COVERAGE_BUFFER_M = 30.0
STOP_RADIUS_M = 30.0
STOP_MIN = datetime.timedelta(minutes=3)
STALE_AFTER = datetime.timedelta(minutes=10)
CHUNK = 10
POINT_FIELDS = ("session_id", "fix_time", "lat", "lon", "accuracy", "speed", "battery")


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of a day in local time (Asia/Shanghai)."""
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def period_bounds(period: str, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """day: that day; week: Monday to Sunday around it; month: the calendar month (local time)."""
    if period == "week":
        first = day - datetime.timedelta(days=day.weekday())
        return local_day_bounds(first)[0], local_day_bounds(first + datetime.timedelta(days=6))[1]
    if period == "month":
        first = day.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return local_day_bounds(first)[0], local_day_bounds(following)[0]
    return local_day_bounds(day)


@dataclass
class Stop:
    start: datetime.datetime
    end: datetime.datetime
    lat: float
    lon: float

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def segments(points: list[tuple]) -> list[list[tuple]]:
    """Runs of (session, time, lat, lon, …) points with no gap over MAX_GAP inside one session."""
    runs: list[list[tuple]] = []
    for p in points:
        if runs and runs[-1][-1][0] == p[0] and p[1] - runs[-1][-1][1] <= MAX_GAP:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def distance_m(runs: list[list[tuple]]) -> float:
    return sum(
        haversine_m(a[2], a[3], b[2], b[3]) for run in runs for a, b in itertools.pairwise(run)
    )


def stops(points: list[tuple]) -> list[Stop]:
    """Places where the member stayed within STOP_RADIUS_M for at least STOP_MIN."""
    found: list[Stop] = []
    i = 0
    while i < len(points):
        anchor = points[i]
        j = i
        while (
            j + 1 < len(points)
            and points[j + 1][0] == anchor[0]
            and haversine_m(anchor[2], anchor[3], points[j + 1][2], points[j + 1][3])
            <= STOP_RADIUS_M
        ):
            j += 1
        if points[j][1] - anchor[1] >= STOP_MIN:
            group = points[i : j + 1]
            found.append(
                Stop(
                    start=anchor[1],
                    end=points[j][1],
                    lat=sum(p[2] for p in group) / len(group),
                    lon=sum(p[3] for p in group) / len(group),
                )
            )
            i = j + 1
        else:
            i += 1
    return found


def track(positions: QuerySet, day: datetime.date) -> dict:
    """One member's track of one local day: points, walked segments, stops, distance."""
    start, end = local_day_bounds(day)
    points = list(
        positions.filter(fix_time__gte=start, fix_time__lt=end)
        .order_by("fix_time", "id")
        .values_list(*POINT_FIELDS)
    )
    runs = segments(points)
    return {
        "day": day.isoformat(),
        "points": [
            {
                "session": p[0],
                "time": p[1].isoformat(),
                "lat": p[2],
                "lon": p[3],
                "accuracy": p[4],
                "speed": p[5],
                "battery": p[6],
            }
            for p in points
        ],
        "segments": [[[p[3], p[2]] for p in run] for run in runs if len(run) > 1],
        "stops": [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "lat": s.lat,
                "lon": s.lon,
                "minutes": round(s.minutes, 1),
            }
            for s in stops(points)
        ],
        "distance_m": round(distance_m(runs), 1),
        "gaps": sum(1 for a, b in itertools.pairwise(runs) if a[-1][0] == b[0][0]),
    }


# ---------------------------------------------------------------------------------------------
# coverage


@functools.lru_cache(maxsize=512)
def _projection(lon0: float, lat0: float) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    crs = pyproj.CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +ellps=WGS84 +units=m +no_defs"
    )
    forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    back = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return forward, back


def _project(geom: Any, transformer: pyproj.Transformer) -> Any:
    def move(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, move)


@dataclass
class Coverage:
    share: float  # 0..1
    grid_area_m2: float
    covered_area_m2: float
    segments: int
    covered: Any  # WGS-84 geometry for the map, or None


def coverage(grid: Any, points: list[tuple]) -> Coverage:
    """Share of `grid` (WGS-84 polygon) within 30 m of the walked segments of `points`
    ((session, time, lat, lon, …) in session-and-time order)."""
    centre = grid.centroid
    forward, back = _projection(round(centre.x, 4), round(centre.y, 4))
    area = _project(grid, forward)
    lines = [
        shapely.LineString([(p[3], p[2]) for p in run]) for run in segments(points) if len(run) > 1
    ]
    if not lines or area.area <= 0:
        return Coverage(0.0, area.area, 0.0, 0, None)
    # One buffer of a long, self-crossing walk is very slow in GEOS; buffering pieces of
    # CHUNK segments and taking their union gives the same area many times faster.
    pieces = []
    for line in lines:
        coords = shapely.get_coordinates(_project(line, forward))
        for i in range(0, len(coords) - 1, CHUNK):
            pieces.append(shapely.LineString(coords[i : i + CHUNK + 1]))
    near = shapely.buffer(area, COVERAGE_BUFFER_M)
    pieces = [p for p in pieces if shapely.intersects(p, near)]
    if not pieces:
        return Coverage(0.0, area.area, 0.0, len(lines), None)
    band = shapely.union_all(shapely.buffer(np.array(pieces), COVERAGE_BUFFER_M, quad_segs=8))
    covered = shapely.intersection(area, band)
    share = covered.area / area.area
    return Coverage(
        share=min(1.0, share),
        grid_area_m2=area.area,
        covered_area_m2=covered.area,
        segments=len(lines),
        covered=_project(covered, back) if not covered.is_empty else None,
    )


def coverage_points(positions: QuerySet, grid: Any, start, end) -> list[tuple]:
    """The fixes that can cover the grid: in the period and within its box grown by the
    buffer plus a walked gap's reach, ordered by session and time."""
    minx, miny, maxx, maxy = grid.bounds
    margin = 0.01  # ≈ 1 km: a segment may cross the grid from a fix outside it
    return list(
        positions.filter(
            fix_time__gte=start,
            fix_time__lt=end,
            lon__gte=minx - margin,
            lon__lte=maxx + margin,
            lat__gte=miny - margin,
            lat__lte=maxy + margin,
        )
        .order_by("session_id", "fix_time")
        .values_list("session_id", "fix_time", "lat", "lon")
    )


# ---------------------------------------------------------------------------------------------
# live map


def live(sessions: QuerySet, now: datetime.datetime | None = None) -> list[dict]:
    """The open sessions' last positions with their age (stale after 10 minutes)."""
    now = now or timezone.now()
    rows = []
    for s in (
        sessions.filter(ended_at__isnull=True).select_related("user").order_by("area_code", "id")
    ):
        age = (now - s.last_fix_at).total_seconds() if s.last_fix_at else None
        rows.append(
            {
                "session": s.pk,
                "user": s.user_id,
                "name": s.user.display_name,
                "kind": s.kind,
                "area_code": s.area_code,
                "lat": s.last_lat,
                "lon": s.last_lon,
                "fix_time": s.last_fix_at.isoformat() if s.last_fix_at else None,
                "age_s": round(age) if age is not None else None,
                "stale": age is None or age > STALE_AFTER.total_seconds(),
            }
        )
    return rows
