"""Coverage on hand-made grids and tracks, and tracks with stops, distance and gaps.

The shapes are drawn in metres on a local plane around (113.62 E, 34.71 N) and turned into
longitude/latitude with an equal-area projection, so the expected shares are plain geometry."""

import datetime
import math
import time

import numpy as np
import pyproj
import pytest
import shapely
from django.utils import timezone

from gridgov.patrol.models.tracks import Position
from gridgov.patrol.services import tracks as services
from gridgov.patrol.services import tracks_coverage as covering
from gridgov.patrol.services import tracks_geo as geo
from gridgov.patrol.tests.tracks_helpers import GRID_A_LAT, GRID_A_LON, fixes_along, start_patrol

LOCAL = pyproj.CRS.from_proj4("+proj=laea +lat_0=34.71 +lon_0=113.62 +ellps=WGS84 +units=m")
TO_LONLAT = pyproj.Transformer.from_crs(LOCAL, "EPSG:4326", always_xy=True)
T0 = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def lonlat(x: float, y: float) -> tuple[float, float]:
    return TO_LONLAT.transform(x, y)


def polygon(*corners: tuple[float, float]) -> shapely.Polygon:
    return shapely.Polygon([lonlat(x, y) for x, y in corners])


def walk(session: int, start: datetime.datetime, a, b, *, step_m: float = 10.0, speed=1.0):
    """Fixes every `step_m` metres from a to b at `speed` m/s: (session, time, lat, lon)."""
    (x0, y0), (x1, y1) = a, b
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    n = round(length / step_m)
    points = []
    for i in range(n + 1):
        x, y = x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n
        lon, lat = lonlat(x, y)
        points.append((session, start + datetime.timedelta(seconds=i * step_m / speed), lat, lon))
    return points


SQUARE = polygon((0, 0), (200, 0), (200, 200), (0, 200))
# An L: a 300 × 100 m arm along the bottom and a 100 × 300 m arm up the left side.
L_SHAPE = polygon((0, 0), (300, 0), (300, 100), (100, 100), (100, 300), (0, 300))
L_AREA = 300 * 100 + 100 * 200  # 50,000 m²


def test_a_straight_walk_across_a_square_covers_a_60_m_band():
    points = walk(1, T0, (-50, 100), (250, 100))
    result = covering.coverage(SQUARE, points)
    # 30 m either side of the line, across the whole 200 m width; the ends lie outside.
    assert result.grid_area_m2 == pytest.approx(40_000, rel=1e-3)
    assert result.covered_area_m2 == pytest.approx(60 * 200, rel=1e-3)
    assert result.share == pytest.approx(0.30, rel=1e-3)


def test_l_shaped_grid_with_two_walks_and_a_gap_between_them():
    # Along the bottom arm (y = 50), then — five minutes later, a gap — up the left arm (x = 50).
    first = walk(7, T0, (-50, 50), (350, 50))
    later = first[-1][1] + datetime.timedelta(minutes=5)
    second = walk(7, later, (50, -50), (50, 350))
    result = covering.coverage(L_SHAPE, first + second)
    # Bottom band: 300 m × 60 m; left band: 60 m × 300 m; they overlap in a 60 × 60 m square.
    expected = 300 * 60 + 60 * 300 - 60 * 60  # 32,400 m²
    assert result.grid_area_m2 == pytest.approx(L_AREA, rel=1e-3)
    assert result.covered_area_m2 == pytest.approx(expected, rel=1e-3)
    assert result.share == pytest.approx(expected / L_AREA, rel=1e-3)  # 0.648
    assert result.segments == 2  # the gap is not walked


def test_without_the_gap_the_connecting_leg_would_count():
    first = walk(7, T0, (-50, 50), (350, 50))
    # Only a minute to the start of the second walk: the leg (350, 50) → (50, -50) is walked.
    second = walk(7, first[-1][1] + datetime.timedelta(minutes=1), (50, -50), (50, 350))
    assert covering.coverage(L_SHAPE, first + second).share > 0.648 + 0.01


def test_lone_fixes_and_other_sessions_are_not_joined():
    inside = [(1, T0, *reversed(lonlat(100, 100)))]  # one fix in the middle
    assert covering.coverage(SQUARE, inside).share == 0
    # Two sessions, each with one fix, a few seconds apart: never a segment between people.
    a = (1, T0, *reversed(lonlat(20, 100)))
    b = (2, T0 + datetime.timedelta(seconds=10), *reversed(lonlat(180, 100)))
    assert covering.coverage(SQUARE, [a, b]).share == 0


def test_a_hole_in_the_grid_is_not_covered():
    # A 40.8 m square hole whose edges fall inside the 2 m cells (the cells it cuts count by
    # the share of them outside it).
    hole = polygon((80.3, 80.3), (121.1, 80.3), (121.1, 121.1), (80.3, 121.1))
    holed = shapely.Polygon(SQUARE.exterior.coords, [hole.exterior.coords])
    result = covering.coverage(holed, walk(1, T0, (-50, 100), (250, 100)))
    assert result.grid_area_m2 == pytest.approx(40_000 - 40.8**2, rel=1e-3)
    assert result.covered_area_m2 == pytest.approx(60 * 200 - 40.8**2, rel=1e-3)


def test_a_wandering_week_matches_the_union_of_the_30_m_bands():
    """A random walk folded into the square, 7 days of 400 fixes: the raster's area against the
    exact area of the united 30 m bands (64 segments a quarter circle), within 0.1 %."""
    rng = np.random.default_rng(3)
    rows = []
    for day in range(7):
        xy = np.abs(np.mod(rng.uniform(-9, 9, (400, 2)).cumsum(axis=0) + 100, 400) - 200)
        for i, (x, y) in enumerate(xy):
            lon, lat = lonlat(x, y)
            rows.append((day, T0 + datetime.timedelta(days=day, seconds=15 * i), lat, lon))
    result = covering.coverage(SQUARE, rows)
    forward = pyproj.Transformer.from_crs("EPSG:4326", LOCAL, always_xy=True)
    grid = shapely.transform(SQUARE, lambda c: np.column_stack(forward.transform(c[:, 0], c[:, 1])))
    lines = []
    for day in range(7):
        xy = [forward.transform(lon, lat) for _, _, lat, lon in rows[day * 400 : (day + 1) * 400]]
        lines.append(shapely.LineString(xy))
    exact = shapely.intersection(
        grid, shapely.buffer(shapely.MultiLineString(lines), 30, quad_segs=64)
    )
    assert 0.3 < exact.area / grid.area < 0.97  # neither empty nor everything
    assert result.covered_area_m2 == pytest.approx(exact.area, rel=1e-3)
    # The map's outline of the covered part: inside the grid and about as large.
    assert result.covered.within(SQUARE.buffer(1e-7))
    drawn = shapely.transform(
        result.covered, lambda c: np.column_stack(forward.transform(c[:, 0], c[:, 1]))
    )
    assert drawn.area == pytest.approx(exact.area, rel=0.03)


def test_periods_are_local_days_weeks_and_months():
    wednesday = datetime.date(2026, 12, 2)
    start, end = geo.period_bounds("week", wednesday)
    assert (start.date(), end.date()) == (datetime.date(2026, 11, 30), datetime.date(2026, 12, 7))
    assert start.utcoffset() == datetime.timedelta(hours=8)
    start, end = geo.period_bounds("month", wednesday)
    assert (start.date(), end.date()) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1))


def test_a_whole_duty_at_one_post_is_one_stop_found_at_once():
    """8 hours at one post, a fix every 15 s (a duty session): one stop of 480 minutes. Each fix
    inside a long stay used to extend its own 30 m reach one fix at a time (1.5 s here)."""
    n = 8 * 240
    at_post = geo.Points(
        np.ones(n, dtype=np.int64),
        T0.timestamp() + np.arange(n) * 15.0,
        np.full(n, 34.71),
        np.full(n, 113.62) + np.tile([0.0, 0.00001], n // 2),  # ≈ 1 m of jitter
    )
    started = time.perf_counter()
    (stop,) = geo.stops(at_post)
    assert time.perf_counter() - started < 0.3
    assert stop.minutes == pytest.approx(479.75)
    assert stop.start == T0


def _stops_one_fix_at_a_time(points: geo.Points) -> list[tuple[float, float]]:
    """The rule spelt out: from each fix not inside an earlier stop, how far the member stayed
    within 30 m of it (same session); 3 minutes or more is a stop."""
    scale = math.radians(1) * services.EARTH_RADIUS_M
    y = points.lat * scale
    x = points.lon * scale * math.cos(math.radians(float(points.lat.mean())))
    found, i, n = [], 0, len(points.t)
    while i < n:
        j = i
        while (
            j + 1 < n
            and points.session[j + 1] == points.session[i]
            and (x[j + 1] - x[i]) ** 2 + (y[j + 1] - y[i]) ** 2 <= 30.0**2
        ):
            j += 1
        if points.t[j] - points.t[i] >= 180 - 1e-6:
            found.append((float(points.t[i]), float(points.t[j])))
            i = j + 1
        else:
            i += 1
    return found


@pytest.mark.parametrize("seed", range(6))
def test_stops_match_the_rule_spelt_out_with_any_window(seed):
    """Walks with stays, two sessions and 5–60 s between fixes; a window of 4 fixes makes
    nearly every stay go past it."""
    rng = np.random.default_rng(seed)
    n = 600
    moving = rng.random(n) < np.repeat(rng.random(n // 50) < 0.5, 50)  # stretches of 50 fixes
    step = np.where(moving, 12.0, 1.5)[:, None] * rng.normal(size=(n, 2))
    xy = np.cumsum(step, axis=0)
    where = np.array([lonlat(x, y) for x, y in xy])
    points = geo.Points(
        np.repeat([1, 2], n // 2).astype(np.int64),
        T0.timestamp() + np.cumsum(rng.uniform(5, 60, n)),
        where[:, 1],
        where[:, 0],
    )
    expected = _stops_one_fix_at_a_time(points)
    assert len(expected) >= 2  # the walks do stop
    for window in (4, 64):
        found = [(s.start.timestamp(), s.end.timestamp()) for s in geo.stops(points, window)]
        assert np.allclose(found, expected, atol=1e-3, rtol=0)


@pytest.mark.django_db
def test_track_of_a_day_with_a_stop_a_gap_and_its_distance(users):
    member = users["member_a"]
    session = start_patrol(member)
    start = timezone.now() - datetime.timedelta(minutes=40)
    walked = fixes_along(start, 30)  # 29 steps of 0.0001° latitude ≈ 11.1 m
    end_of_walk = walked[-1].fix_time
    stay = [
        services.Fix(
            lat=walked[-1].lat,
            lon=walked[-1].lon,
            fix_time=end_of_walk + datetime.timedelta(seconds=15 * (i + 1)),
        )
        for i in range(20)  # five minutes in one place
    ]
    resume = fixes_along(stay[-1].fix_time + datetime.timedelta(minutes=5), 5)
    for fix in resume:  # further north, after a 5-minute gap
        fix.lat += 0.01
    services.ingest(session, walked + stay + resume, actor=member)
    data = geo.track(Position.objects.filter(user=member), timezone.localdate())
    step = services.haversine_m(GRID_A_LAT, GRID_A_LON, GRID_A_LAT + 0.0001, GRID_A_LON)
    assert step == pytest.approx(11.12, abs=0.01)
    assert data["count"] == len(data["points"]["t"]) == 55
    assert data["distance_m"] == pytest.approx(29 * step + 4 * step, abs=0.5)  # not the gap
    assert data["gaps"] == 1
    assert data["segments"] == [[0, 50], [50, 55]]  # the walk and the stay, then the resumption
    assert len(data["stops"]) == 1 and data["stops"][0]["minutes"] >= 5


@pytest.mark.django_db
def test_coverage_api_on_the_test_grid(users, client_for, tree):
    member = users["member_a"]
    session = start_patrol(member)
    grid = tree.grids[0]  # lon 113.60–113.61, lat 34.715–34.72
    start = timezone.now() - datetime.timedelta(minutes=50)
    # West to east across the grid's whole width at mid-latitude, 10 s and ≈ 9.1 m per step.
    fixes = [
        services.Fix(
            lat=34.7175,
            lon=113.599 + i * 0.0001,
            fix_time=start + datetime.timedelta(seconds=10 * i),
        )
        for i in range(121)
    ]
    assert services.ingest(session, fixes, actor=member).accepted == 121
    answer = client_for(member).get(f"/api/v1/patrols/coverage/{grid.code}?period=day")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    # A 60 m band across the grid; the grid is 0.005° of latitude high (≈ 554.6 m there).
    height = services.haversine_m(34.715, 113.605, 34.72, 113.605)
    assert data["share"] == pytest.approx(60 / height, rel=0.01)
    assert data["covered"]["type"] in ("Polygon", "MultiPolygon")
