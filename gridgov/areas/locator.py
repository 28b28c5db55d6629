"""Which grid holds this point — for one point or a million.

Rule for shared borders: a point covered by several grids (on a common edge or corner) belongs
to the grid with the smallest code. A point in no grid belongs to none.

One point: an STRtree of the prepared grid polygons, sorted by code, so the smallest matching
index is the smallest code. Many points: a raster over the grids whose cells each lie wholly
inside one grid (or wholly outside all) answers most points with array arithmetic; only points
in cells that a boundary crosses fall back to the tree. Cells crossed by a boundary are found
exactly, by walking every boundary segment across the raster's lines.
"""

import json
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max
from scipy import ndimage

from gridgov.areas.models import Area, Level

NONE = -1
_BOUNDARY = -1
_OUTSIDE = -2
_EPS = 1e-9
CELLS_PER_GRID = 400
MAX_CELLS = 16_000_000


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    area_id: int


class _Raster:
    def __init__(self, geoms: np.ndarray, tree: shapely.STRtree):
        bounds = shapely.total_bounds(geoms)
        self.x0, self.y0 = float(bounds[0]), float(bounds[1])
        width, height = float(bounds[2] - bounds[0]), float(bounds[3] - bounds[1])
        cells = min(MAX_CELLS, CELLS_PER_GRID * len(geoms))
        self.cell = max(np.sqrt(width * height / cells), 1e-9)
        self.nx = int(np.ceil(width / self.cell)) + 1
        self.ny = int(np.ceil(height / self.cell)) + 1
        boundary = np.zeros((self.ny, self.nx), dtype=bool)
        self._mark_boundaries(boundary, geoms)
        components, count = ndimage.label(~boundary)
        labels = np.full(count + 1, _BOUNDARY, dtype=np.int32)
        if count:
            flat = components.ravel()
            _, first = np.unique(flat, return_index=True)
            first = first[flat[first] > 0]
            comp = flat[first]
            cy, cx = np.divmod(first, self.nx)
            px = self.x0 + (cx + 0.5) * self.cell
            py = self.y0 + (cy + 0.5) * self.cell
            hits = _query_min(tree, px, py)
            labels[comp] = np.where(hits >= 0, hits, _OUTSIDE)
        self.lookup = labels[components]

    def _mark_boundaries(self, boundary: np.ndarray, geoms: np.ndarray) -> None:
        lines = shapely.get_parts(shapely.boundary(geoms))
        coords, which = shapely.get_coordinates(lines, return_index=True)
        same = which[:-1] == which[1:]
        a = (coords[:-1][same] - (self.x0, self.y0)) / self.cell
        b = (coords[1:][same] - (self.x0, self.y0)) / self.cell
        self._mark(boundary, a[:, 0], a[:, 1])
        self._mark(boundary, b[:, 0], b[:, 1])
        for axis in (0, 1):
            lo = np.floor(np.minimum(a[:, axis], b[:, axis])).astype(np.int64)
            hi = np.floor(np.maximum(a[:, axis], b[:, axis])).astype(np.int64)
            counts = hi - lo
            total = int(counts.sum())
            if total == 0:
                continue
            seg = np.repeat(np.arange(len(counts)), counts)
            offsets = np.cumsum(counts) - counts
            k = lo[seg] + 1 + (np.arange(total) - offsets[seg])
            other = 1 - axis
            t = (k - a[seg, axis]) / (b[seg, axis] - a[seg, axis])
            crossing = a[seg, other] + t * (b[seg, other] - a[seg, other])
            if axis == 0:
                self._mark(boundary, k.astype(float), crossing)
            else:
                self._mark(boundary, crossing, k.astype(float))

    def _mark(self, boundary: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> None:
        """Mark the cells holding these raster positions (and neighbours when one is on a line)."""
        for dx in (-_EPS, _EPS):
            for dy in (-_EPS, _EPS):
                ix = np.clip(np.floor(cx + dx).astype(np.int64), 0, self.nx - 1)
                iy = np.clip(np.floor(cy + dy).astype(np.int64), 0, self.ny - 1)
                boundary[iy, ix] = True

    def lookup_points(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Grid index, _BOUNDARY (ask the tree) or _OUTSIDE, per point."""
        fx = np.floor((x - self.x0) / self.cell)
        fy = np.floor((y - self.y0) / self.cell)
        inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        result = np.full(len(x), _OUTSIDE, dtype=np.int32)
        result[inside] = self.lookup[fy[inside].astype(np.int64), fx[inside].astype(np.int64)]
        return result


def _query_min(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For each point the smallest tree index covering it (the smallest code), or NONE."""
    result = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
    if len(x):
        point_idx, tree_idx = tree.query(shapely.points(x, y), predicate="intersects")
        np.minimum.at(result, point_idx, tree_idx)
    result[result == np.iinfo(np.int64).max] = NONE
    return result


class GridIndex:
    """A snapshot of the active grid boundaries."""

    def __init__(self, ids: list[int], codes: list[str], names: list[str], geoms: np.ndarray):
        order = np.argsort(np.array(codes, dtype=object), kind="stable")
        self.ids = np.array(ids, dtype=np.int64)[order]
        self.codes = np.array(codes, dtype=object)[order]
        self.names = np.array(names, dtype=object)[order]
        self.geoms = np.asarray(geoms, dtype=object)[order]
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self._raster: _Raster | None = None
        self._raster_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.codes)

    def hit(self, i: int) -> Hit | None:
        if i < 0:
            return None
        return Hit(code=self.codes[i], name=self.names[i], area_id=int(self.ids[i]))

    def locate_index(self, lon: float, lat: float) -> int:
        found = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return int(found.min()) if len(found) else NONE

    def locate_indices(self, lons, lats) -> np.ndarray:
        x = np.asarray(lons, dtype=float)
        y = np.asarray(lats, dtype=float)
        if len(self.codes) == 0:
            return np.full(len(x), NONE, dtype=np.int64)
        result = self.raster().lookup_points(x, y).astype(np.int64)
        ask = result == _BOUNDARY
        if ask.any():
            result[ask] = _query_min(self.tree, x[ask], y[ask])
        result[result == _OUTSIDE] = NONE
        return result

    def raster(self) -> _Raster:
        if self._raster is None:
            with self._raster_lock:
                if self._raster is None:
                    self._raster = _Raster(self.geoms, self.tree)
        return self._raster


def load_grid_index() -> GridIndex:
    rows = list(
        Area.objects.active()
        .grids()
        .filter(geometry__isnull=False)
        .values_list("id", "code", "name", "geometry")
    )
    if not rows:
        return GridIndex([], [], [], np.array([], dtype=object))
    ids, codes, names, geometries = zip(*rows, strict=True)
    geoms = shapely.from_geojson([_json_text(g) for g in geometries])
    return GridIndex(list(ids), list(codes), list(names), geoms)


def _json_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _grid_version() -> tuple:
    return tuple(
        Area.objects.filter(level=Level.GRID)
        .aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
        .values()
    )


class Locator:
    """The per-process grid index, rebuilt when the grid boundaries change."""

    def __init__(self):
        self._index: GridIndex | None = None
        self._version: tuple | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def index(self) -> GridIndex:
        now = time.monotonic()
        if (
            self._index is not None
            and now - self._checked_at < settings.GRIDGOV_LOCATOR_REFRESH_SECONDS
        ):
            return self._index
        with self._lock:
            version = _grid_version()
            if self._index is None or version != self._version:
                self._index = load_grid_index()
                self._version = version
            self._checked_at = time.monotonic()
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
            self._version = None

    def locate(self, lon: float, lat: float) -> Hit | None:
        index = self.index()
        return index.hit(index.locate_index(lon, lat))

    def locate_codes(self, lons, lats) -> list[str | None]:
        """The code of the grid holding each point (None where no grid does)."""
        index = self.index()
        found = index.locate_indices(lons, lats)
        codes = np.where(found >= 0, index.codes[np.maximum(found, 0)], None)
        return codes.tolist()


locator = Locator()
