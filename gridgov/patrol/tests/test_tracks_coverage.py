"""Coverage on hand-made grids and tracks, and tracks with stops, distance and gaps.

The shapes are drawn in metres on a local plane around (113.62 E, 34.71 N) and turned into
longitude/latitude with an equal-area projection, so the expected shares are plain geometry."""

import datetime
import time

import numpy as np
import pyproj
import pytest
import shapely
from django.utils import timezone

from gridgov.patrol.models.tracks import Position
from gridgov.patrol.services import tracks as services
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
    result = geo.coverage(SQUARE, points)
    # 30 m either side of the line, across the whole 200 m width; the ends lie outside.
    assert result.grid_area_m2 == pytest.approx(40_000, rel=1e-3)
    assert result.covered_area_m2 == pytest.approx(60 * 200, rel=1e-3)
    assert result.share == pytest.approx(0.30, rel=1e-3)


def test_l_shaped_grid_with_two_walks_and_a_gap_between_them():
    # Along the bottom arm (y = 50), then — five minutes later, a gap — up the left arm (x = 50).
    first = walk(7, T0, (-50, 50), (350, 50))
    later = first[-1][1] + datetime.timedelta(minutes=5)
    second = walk(7, later, (50, -50), (50, 350))
    result = geo.coverage(L_SHAPE, first + second)
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
    assert geo.coverage(L_SHAPE, first + second).share > 0.648 + 0.01


def test_lone_fixes_and_other_sessions_are_not_joined():
    inside = [(1, T0, *reversed(lonlat(100, 100)))]  # one fix in the middle
    assert geo.coverage(SQUARE, inside).share == 0
    # Two sessions, each with one fix, a few seconds apart: never a segment between people.
    a = (1, T0, *reversed(lonlat(20, 100)))
    b = (2, T0 + datetime.timedelta(seconds=10), *reversed(lonlat(180, 100)))
    assert geo.coverage(SQUARE, [a, b]).share == 0


def test_periods_are_local_days_weeks_and_months():
    wednesday = datetime.date(2026, 12, 2)
    start, end = geo.period_bounds("week", wednesday)
    assert (start.date(), end.date()) == (datetime.date(2026, 11, 30), datetime.date(2026, 12, 7))
    assert start.utcoffset() == datetime.timedelta(hours=8)
    start, end = geo.period_bounds("month", wednesday)
    assert (start.date(), end.date()) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1))


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


def test_a_whole_duty_day_at_one_post_is_one_stop_found_quickly():
    """8 hours at one post (值守): one stop from the first fix to the last. Each fix's reach was
    extended one fix at a time, ≈ 1.8 million Python steps (2 s) for this day."""
    n = 8 * 240
    points = geo.Points(
        np.full(n, 7), T0.timestamp() + 15.0 * np.arange(n), np.full(n, 34.71), np.full(n, 113.62)
    )
    started = time.perf_counter()
    (stop,) = geo.stops(points)
    assert time.perf_counter() - started < 0.3
    assert (stop.start, stop.minutes) == (T0, (n - 1) * 15 / 60)
    assert (stop.lat, stop.lon) == (pytest.approx(34.71), pytest.approx(113.62))
