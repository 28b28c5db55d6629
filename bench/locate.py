"""Which grid holds each point, at city scale: ~20,000 grids and 1,000,000 points.

Builds the 郑州市 demo tree (`load_demo --scale city`), then measures
- the bulk path (`locator.locate_codes`), against a plain Shapely STRtree query in the same process
  as the baseline, checking that both give exactly the same grid for every point;
- one point at a time through the service (`locator.locate`).
"""

import io
import time

import numpy as np
import shapely
from _setup import SMOKE, start

start("locate", keep_database_url=False)

from django.core.management import call_command  # noqa: E402

from gridgov.areas.locator import locator  # noqa: E402
from gridgov.areas.models import Area  # noqa: E402

POINTS = 50_000 if SMOKE else 1_000_000
SINGLE = 2_000 if SMOKE else 20_000

t = time.perf_counter()
call_command(
    "load_demo",
    scale="district" if SMOKE else "city",
    no_users=True,
    only_areas=True,
    stdout=io.StringIO(),
)
print(f"city loaded in {time.perf_counter() - t:.1f} s: {Area.objects.grids().count():,} grids")

t = time.perf_counter()
index = locator.index()
print(f"index loaded in {time.perf_counter() - t:.2f} s")
t = time.perf_counter()
index.raster()
print(f"raster built in {time.perf_counter() - t:.2f} s")

rng = np.random.default_rng(7)
x0, y0, x1, y1 = shapely.total_bounds(index.geoms)
pad = 0.02 * (x1 - x0)
lons = rng.uniform(x0 - pad, x1 + pad, POINTS)
lats = rng.uniform(y0 - pad, y1 + pad, POINTS)

# Baseline: a well-built STRtree query with the same border rule (smallest code wins).
t = time.perf_counter()
pi, ti = index.tree.query(shapely.points(lons, lats), predicate="intersects")
baseline = np.full(POINTS, np.iinfo(np.int64).max)
np.minimum.at(baseline, pi, ti)
baseline[baseline == np.iinfo(np.int64).max] = -1
baseline_s = time.perf_counter() - t

t = time.perf_counter()
codes = locator.locate_codes(lons, lats)
bulk_s = time.perf_counter() - t

expected = np.where(baseline >= 0, index.codes[np.maximum(baseline, 0)], None)
mismatches = int(sum(a != b for a, b in zip(codes, expected.tolist(), strict=True)))
inside = sum(c is not None for c in codes)
print(f"baseline STRtree: {POINTS / baseline_s:,.0f} points/s")
print(
    f"bulk locator:     {POINTS / bulk_s:,.0f} points/s ({baseline_s / bulk_s:.1f}× the baseline)"
)
print(f"points in a grid: {inside:,}; mismatches against the baseline: {mismatches}")
assert mismatches == 0

# The same, with every point inside some grid (no cheap "outside" answers).
inner_lons, inner_lats = lons[baseline >= 0], lats[baseline >= 0]
t = time.perf_counter()
locator.locate_codes(inner_lons, inner_lats)
inner_s = time.perf_counter() - t
print(f"bulk locator, points all inside grids: {len(inner_lons) / inner_s:,.0f} points/s")

# Shared borders: points exactly on grid vertices must resolve like the baseline too.
vertices = shapely.get_coordinates(index.geoms[:2000])
vx, vy = vertices[:, 0], vertices[:, 1]
on_border = np.array(locator.locate_codes(vx, vy), dtype=object)
bi, bt = index.tree.query(shapely.points(vx, vy), predicate="intersects")
border_base = np.full(len(vx), np.iinfo(np.int64).max)
np.minimum.at(border_base, bi, bt)
assert (on_border == index.codes[border_base]).all(), "border rule differs from the baseline"
print(f"border points checked: {len(vx):,}")

single_lons, single_lats = lons[:SINGLE], lats[:SINGLE]
locator.locate(float(single_lons[0]), float(single_lats[0]))
timings = np.empty(SINGLE)
for i in range(SINGLE):
    s = time.perf_counter()
    locator.locate(float(single_lons[i]), float(single_lats[i]))
    timings[i] = time.perf_counter() - s
print(
    f"single point: mean {timings.mean() * 1e3:.3f} ms, "
    f"p99 {np.percentile(timings, 99) * 1e3:.3f} ms"
)

print(f"BENCH locate_bulk {POINTS / bulk_s:.0f} points/s")
print(f"BENCH locate_single_ms {timings.mean() * 1e3:.4f} ms")
