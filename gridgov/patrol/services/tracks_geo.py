"""Tracks (per member and day, with stops and distance), periods and the live map; patrol
coverage is in `tracks_coverage`.

Reads only: callers pass querysets already narrowed by `restrict(...)`.
"""

import datetime
import itertools
import math
from dataclasses import dataclass

import numpy as np
from django.db.models import FloatField, Func, QuerySet
from django.db.models.sql.constants import CURSOR
from django.utils import timezone

from gridgov.patrol.services.tracks import EARTH_RADIUS_M

MAX_GAP = datetime.timedelta(minutes=2)
STOP_RADIUS_M = 30.0
STOP_MIN = datetime.timedelta(minutes=3)
STALE_AFTER = datetime.timedelta(minutes=10)


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


class Epoch(Func):
    """A datetime column as float seconds since 1970 (read without per-row conversion)."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
        return self.as_sql(compiler, connection, template=template, **extra)


@dataclass
class Points:
    """Fixes in session-and-time order as arrays: session, time (epoch s), lat, lon."""

    session: np.ndarray
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple]) -> "Points":
        if not rows:
            empty = np.empty(0)
            return cls(empty.astype(np.int64), empty, empty, empty)
        session, t, lat, lon = zip(*rows, strict=True)
        if isinstance(t[0], datetime.datetime):
            t = tuple(when.timestamp() for when in t)
        return cls(
            np.array(session, dtype=np.int64),
            np.array(t, dtype=float),
            np.array(lat, dtype=float),
            np.array(lon, dtype=float),
        )

    def joined(self) -> np.ndarray:
        """For each pair of consecutive fixes: True when walked (same session, ≤ MAX_GAP)."""
        return (self.session[1:] == self.session[:-1]) & (
            np.diff(self.t) <= MAX_GAP.total_seconds() + 1e-6
        )

    def runs(self) -> list[tuple[int, int]]:
        """(start, stop) index ranges of the walked runs (lone fixes included)."""
        if not len(self.t):
            return []
        cuts = np.flatnonzero(~self.joined()) + 1
        return list(itertools.pairwise([0, *cuts.tolist(), len(self.t)]))


def haversine_steps(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distances (m) between consecutive points."""
    p, dl = np.radians(lat), np.radians(np.diff(lon))
    a = np.sin(np.diff(p) / 2) ** 2 + np.cos(p[:-1]) * np.cos(p[1:]) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _reach(x: np.ndarray, y: np.ndarray, session: np.ndarray, window: int = 64) -> np.ndarray:
    """For each fix i, the last index j ≤ i + `window` such that fixes i..j are of one session
    and all within STOP_RADIUS_M of fix i (vectorised over the window; `_reach_on` goes on past
    it for the fixes that need it)."""
    n = len(x)
    radius2 = STOP_RADIUS_M**2
    index = np.arange(n)
    inside = np.ones(n, dtype=bool)
    lead = np.zeros(n, dtype=np.int64)
    for k in range(1, min(window, n - 1) + 1):
        ahead = np.minimum(index + k, n - 1)
        inside &= (
            (index + k < n)
            & (session[ahead] == session)
            & ((x[ahead] - x) ** 2 + (y[ahead] - y) ** 2 <= radius2)
        )
        lead += inside
        if not inside.any():
            break
    return index + lead


def _reach_on(i: int, j: int, x: np.ndarray, y: np.ndarray, session: np.ndarray) -> int:
    """Fix i's reach from j on (a stay longer than the window), a block of fixes at a time."""
    radius2 = STOP_RADIUS_M**2
    n = len(x)
    while j + 1 < n:
        block = slice(j + 1, min(n, j + 1 + 512))
        near = (session[block] == session[i]) & (
            (x[block] - x[i]) ** 2 + (y[block] - y[i]) ** 2 <= radius2
        )
        away = np.flatnonzero(~near)
        if away.size:
            return j + int(away[0])
        j = block.stop - 1
    return j


def stops(points: Points, window: int = 64) -> list[Stop]:
    """Places where the member stayed within STOP_RADIUS_M of the first fix for at least
    STOP_MIN (distances in a local plane: at 30 m the same as great-circle to a millimetre).
    A fix's reach past the window is looked for only when the walk gets to it: a stop skips
    the fixes it holds, so a whole day at one post costs one look, not one per fix."""
    n = len(points.t)
    if n < 2:
        return []
    scale = math.radians(1) * EARTH_RADIUS_M
    y = points.lat * scale
    x = points.lon * scale * math.cos(math.radians(float(points.lat.mean())))
    reach = _reach(x, y, points.session, window)
    capped = (reach - np.arange(n) == window).tolist()
    reach_list = reach.tolist()
    t = points.t.tolist()
    lat_sum = np.concatenate([[0.0], np.cumsum(points.lat)]).tolist()
    lon_sum = np.concatenate([[0.0], np.cumsum(points.lon)]).tolist()
    least = STOP_MIN.total_seconds() - 1e-6
    found: list[Stop] = []
    i = 0
    while i < n:
        j = reach_list[i]
        if capped[i]:
            j = _reach_on(i, j, x, y, points.session)
        if t[j] - t[i] >= least:
            count = j + 1 - i
            found.append(
                Stop(
                    start=_when(t[i]),
                    end=_when(t[j]),
                    lat=(lat_sum[j + 1] - lat_sum[i]) / count,
                    lon=(lon_sum[j + 1] - lon_sum[i]) / count,
                )
            )
            i = j + 1
        else:
            i += 1
    return found


def _when(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(round(epoch, 3), tz=datetime.UTC)


TRACK_FIELDS = ("session_id", "epoch", "lat", "lon", "accuracy", "speed", "battery")
# Decimals in a track's answer: ≈ 0.1 m for coordinates (far below a fix's accuracy), 0.1 m of
# accuracy, 0.01 m/s of speed, 0.1 percent of battery: short JSON, quick to write and read.
TRACK_DECIMALS = {"lat": 6, "lon": 6, "accuracy": 1, "speed": 2, "battery": 1}


def _numbers(values: np.ndarray, decimals: int) -> list:
    """A column rounded to `decimals`, a missing value (NaN) as None."""
    rounded = np.round(values, decimals)
    missing = np.isnan(rounded)
    if not missing.any():
        return rounded.tolist()
    kept = rounded.astype(object)
    kept[missing] = None
    return kept.tolist()


def _seconds(t: np.ndarray) -> list:
    """Seconds as whole numbers, or to the millisecond when there are any fractions."""
    ms = np.round(t * 1000).astype(np.int64)
    return (ms / 1000).tolist() if (ms % 1000).any() else (ms // 1000).tolist()


def plain_rows(positions: QuerySet, fields: tuple[str, ...]) -> list[tuple]:
    """The rows of `positions` (a queryset already restricted by the caller) as the database
    driver gives them: `fields` are columns or annotations of plain numbers, so Django's
    per-row conversion (≈ 7 µs a row, most of a track's time) is skipped."""
    compiler = positions.values(*fields).query.get_compiler(using=positions.db)
    cursor = compiler.execute_sql(CURSOR)
    try:
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    order = [names.index(name) for name in fields]
    if order == list(range(len(names))):
        return rows
    return [tuple(row[i] for i in order) for row in rows]


def track(positions: QuerySet, day: datetime.date) -> dict:
    """One member's track of one local day: points as per-field arrays (`t` in seconds since the
    day's start), walked segments as index ranges into them, stops, distance and gaps."""
    start, end = local_day_bounds(day)
    rows = plain_rows(
        positions.filter(fix_time__gte=start, fix_time__lt=end)
        .annotate(epoch=Epoch("fix_time"))
        .order_by("fix_time", "id"),
        TRACK_FIELDS,
    )
    columns = [np.array(c, dtype=float) for c in zip(*rows, strict=True)] or [
        np.empty(0) for _ in TRACK_FIELDS
    ]
    session, t, lat, lon, accuracy, speed, battery = columns
    points = Points(session.astype(np.int64), t, lat, lon)
    joined = points.joined()
    steps = haversine_steps(points.lat, points.lon)
    same_session = points.session[1:] == points.session[:-1]
    return {
        "day": day.isoformat(),
        "day_start": start.isoformat(),
        "time_zone": str(start.tzinfo),
        "count": len(rows),
        "points": {
            "session": points.session.tolist(),
            "t": _seconds(t - start.timestamp()),
            "lat": _numbers(lat, TRACK_DECIMALS["lat"]),
            "lon": _numbers(lon, TRACK_DECIMALS["lon"]),
            "accuracy": _numbers(accuracy, TRACK_DECIMALS["accuracy"]),
            "speed": _numbers(speed, TRACK_DECIMALS["speed"]),
            "battery": _numbers(battery, TRACK_DECIMALS["battery"]),
        },
        "segments": [[a, b] for a, b in points.runs() if b - a > 1],
        "stops": [  # in local time: the desk shows their clock times as they are written
            {
                "start": s.start.astimezone(start.tzinfo).isoformat(),
                "end": s.end.astimezone(start.tzinfo).isoformat(),
                "lat": s.lat,
                "lon": s.lon,
                "minutes": round(s.minutes, 1),
            }
            for s in stops(points)
        ],
        "distance_m": round(float(steps[joined].sum()), 1),
        "gaps": int((same_session & ~joined).sum()),
    }


# ---------------------------------------------------------------------------------------------
# live map


def live(sessions: QuerySet, now: datetime.datetime | None = None) -> list[dict]:
    """The open sessions' last positions with their age (stale after 10 minutes)."""
    now = now or timezone.now()
    stale = STALE_AFTER.total_seconds()
    rows = []
    for s in (
        sessions.filter(ended_at__isnull=True)
        .order_by("area_code", "id")
        .values(
            "pk",
            "user_id",
            "user__full_name",
            "user__username",
            "kind",
            "area_code",
            "last_lat",
            "last_lon",
            "last_fix_at",
        )
    ):
        last = s["last_fix_at"]
        age = (now - last).total_seconds() if last else None
        rows.append(
            {
                "session": s["pk"],
                "user": s["user_id"],
                "name": s["user__full_name"] or s["user__username"],
                "kind": s["kind"],
                "area_code": s["area_code"],
                "lat": s["last_lat"],
                "lon": s["last_lon"],
                "fix_time": last.isoformat() if last else None,
                "age_s": round(age) if age is not None else None,
                "stale": age is None or age > stale,
            }
        )
    return rows
