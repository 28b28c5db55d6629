"""A deterministic demo jurisdiction: real codes and names, plausible polygons that tile exactly.

Each level is cut into the next by a relaxed Voronoi diagram clipped to its parent, in a local
metric frame, so children cover their parent without gaps or overlaps; coordinates are then
snapped to 1e-7° together, which keeps shared edges identical.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from gridgov.areas.geometry import PRECISION
from gridgov.areas.models import GridKind, Level, Risk

DATA = Path(__file__).parent / "data" / "zhengzhou.json"
DEFAULT_DISTRICT = "410105"  # 金水区
DISTRICT_CENTRE = (113.715, 34.805)
CITY_CENTRE = (113.64, 34.75)
M_PER_DEG_LAT = 110_574.0

_NUMERALS = "零一二三四五六七八九十"
_SPECIAL = [
    (GridKind.SCHOOL, "学校", (Risk.LOW, Risk.MEDIUM)),
    (GridKind.HOSPITAL, "医院", (Risk.MEDIUM, Risk.HIGH)),
    (GridKind.MARKET, "市场", (Risk.LOW, Risk.MEDIUM, Risk.HIGH)),
    (GridKind.INDUSTRIAL_PARK, "产业园", (Risk.MEDIUM, Risk.HIGH)),
]


@dataclass
class DemoArea:
    code: str
    name: str
    level: str
    parent_code: str | None
    geom: shapely.Geometry
    kind: str = GridKind.REGULAR
    risk: str = Risk.NONE


def chinese_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (grid names read like this)."""
    if n <= 10:
        return _NUMERALS[n]
    if n < 20:
        return "十" + _NUMERALS[n - 10]
    tens, ones = divmod(n, 10)
    if n < 100:
        return _NUMERALS[tens] + "十" + (_NUMERALS[ones] if ones else "")
    return str(n)


def short_community_name(name: str) -> str:
    for suffix in (
        "社区居民居委会",
        "社区居民委员会",
        "居民委员会",
        "社区居委会",
        "居委会",
        "村民委员会",
        "村委会",
    ):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem + ("村" if "村" in suffix else "社区")
    return name


def load_divisions() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _outline(rng: np.random.Generator, radius_m: float, vertices: int = 72) -> shapely.Polygon:
    theta = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    phases = rng.uniform(0, 2 * np.pi, 3)
    r = radius_m * (
        1
        + 0.12 * np.sin(3 * theta + phases[0])
        + 0.06 * np.sin(5 * theta + phases[1])
        + 0.03 * np.sin(9 * theta + phases[2])
    )
    return shapely.Polygon(np.column_stack([r * np.cos(theta), r * 0.85 * np.sin(theta)]))


def _sample_inside(region: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        pts = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        keep = pts[shapely.contains_xy(region, pts[:, 0], pts[:, 1])]
        found.append(keep)
        count += len(keep)
    return np.concatenate(found)[:n]


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def tile(
    region: shapely.Geometry, n: int, rng: np.random.Generator, relax: int = 3
) -> list[shapely.Geometry]:
    """Cut `region` into `n` compact cells (a Voronoi diagram relaxed by Lloyd's method)."""
    if n <= 1:
        return [region]
    seeds = _sample_inside(region, n, rng)
    for step in range(relax + 1):
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
        )
        clipped = [_polygonal(c) for c in shapely.intersection(cells, region)]
        if step == relax:
            return clipped
        seeds = np.array(
            [
                [c.centroid.x, c.centroid.y] if not c.is_empty else s
                for c, s in zip(clipped, seeds, strict=True)
            ]
        )
    return clipped


def _reading_order(cells: list[shapely.Geometry]) -> list[int]:
    """North to south, then west to east, in bands about one cell high (grid numbering rule)."""
    centres = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    band = max(math.sqrt(sum(c.area for c in cells) / len(cells)), 1.0)
    return sorted(range(len(cells)), key=lambda i: (-round(centres[i, 1] / band), centres[i, 0]))


def _to_wgs84(geom: shapely.Geometry, centre: tuple[float, float]) -> shapely.Geometry:
    lon0, lat0 = centre
    m_per_deg_lon = 111_320.0 * math.cos(math.radians(lat0))
    return shapely.transform(
        geom,
        lambda xy: np.column_stack(
            [lon0 + xy[:, 0] / m_per_deg_lon, lat0 + xy[:, 1] / M_PER_DEG_LAT]
        ),
    )


def build(
    scale: str = "district",
    seed: int = 20260101,
    grids_per_community: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[DemoArea]:
    """The demo tree, parents first. `district`: 金水区, ~1,000 grids; `city`: 郑州市, ~20,000."""
    rng = np.random.default_rng(seed)
    data = load_divisions()
    streets_by_district: dict[str, list[list[str]]] = {}
    for code, name in data["streets"]:
        streets_by_district.setdefault(code[:6], []).append([code, name])
    communities_by_street: dict[str, list[list[str]]] = {}
    for code, name in data["communities"]:
        communities_by_street.setdefault(code[:9], []).append([code, name])
    out: list[DemoArea] = []

    if scale == "city":
        per_grid = grids_per_community or 6
        centre = CITY_CENTRE
        districts = data["districts"]
        total_communities = len(data["communities"])
        city_region = _outline(rng, math.sqrt(total_communities * per_grid * 110_000 / math.pi))
        out.append(
            DemoArea(data["city"]["code"], data["city"]["name"], Level.CITY, None, city_region)
        )
        district_cells = tile(city_region, len(districts), rng)
        plan = [
            (code, name, cell, streets_by_district.get(code, []), data["city"]["code"])
            for (code, name), cell in zip(districts, district_cells, strict=True)
        ]
    else:
        per_grid = grids_per_community or 10
        centre = DISTRICT_CENTRE
        district_name = dict(map(tuple, data["districts"]))[DEFAULT_DISTRICT]
        streets = streets_by_district[DEFAULT_DISTRICT][:15]
        chosen = {s[0]: communities_by_street.get(s[0], [])[:7] for s in streets}
        excess = sum(len(v) for v in chosen.values()) - 100
        for code in reversed(list(chosen)):
            if excess <= 0:
                break
            if len(chosen[code]) > 6:
                chosen[code] = chosen[code][:6]
                excess -= 1
        communities_by_street.update(chosen)
        region = _outline(rng, math.sqrt(100 * per_grid * 110_000 / math.pi))
        plan = [(DEFAULT_DISTRICT, district_name, region, streets, None)]

    done = 0
    for district_code, district_name, district_geom, streets, parent in plan:
        out.append(DemoArea(district_code, district_name, Level.DISTRICT, parent, district_geom))
        if not streets:
            continue
        weights = [max(1, len(communities_by_street.get(s[0], []))) for s in streets]
        street_cells = _weighted_tile(district_geom, weights, rng)
        for (street_code, street_name), street_geom in zip(streets, street_cells, strict=True):
            out.append(DemoArea(street_code, street_name, Level.STREET, district_code, street_geom))
            communities = communities_by_street.get(street_code, [])
            community_cells = tile(street_geom, len(communities), rng) if communities else []
            for (community_code, community_name), community_geom in zip(
                communities, community_cells, strict=True
            ):
                short = short_community_name(community_name)
                out.append(
                    DemoArea(community_code, short, Level.COMMUNITY, street_code, community_geom)
                )
                grid_cells = tile(community_geom, per_grid, rng)
                for n, i in enumerate(_reading_order(grid_cells), 1):
                    out.append(
                        DemoArea(
                            f"{community_code}{n:0{_grid_width()}d}",
                            f"{short}第{chinese_ordinal(n)}网格",
                            Level.GRID,
                            community_code,
                            grid_cells[i],
                        )
                    )
                done += 1
                if progress:
                    progress(done)
    _mark_special_grids(out, rng)
    grids = [a for a in out if a.level == Level.GRID]
    exact = exact_coverage(np.array([_to_wgs84(a.geom, centre) for a in grids], dtype=object))
    for area, geom in zip(grids, exact, strict=True):
        area.geom = geom
    # Every other level is the union of its grids, so all levels share the very same edges.
    by_prefix: dict[str, list[shapely.Geometry]] = {}
    for g in grids:
        for width in (4, 6, 9, 12):
            by_prefix.setdefault(g.code[:width], []).append(g.geom)
    for area in out:
        if area.level != Level.GRID:
            members = by_prefix.get(area.code, [])
            area.geom = shapely.union_all(members, grid_size=PRECISION) if members else area.geom
            if not members:
                area.geom = shapely.set_precision(_to_wgs84(area.geom, centre), PRECISION)
    return out


def exact_coverage(geoms: np.ndarray) -> np.ndarray:
    """The same cells rebuilt from one noded set of edges on the 1e-7° grid: neighbours then share
    identical edges, with no slivers of gap or overlap from separate clipping and rounding."""
    lines = shapely.union_all(shapely.boundary(geoms), grid_size=PRECISION)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    tree = shapely.STRtree(geoms)
    owner = np.full(len(faces), -1, dtype=np.int64)
    face_idx, geom_idx = tree.query(shapely.point_on_surface(faces), predicate="within")
    owner[face_idx] = geom_idx
    orphans = np.flatnonzero(owner < 0)
    if len(orphans):
        near_face, near_geom = tree.query_nearest(faces[orphans], all_matches=False)
        owner[orphans[near_face]] = near_geom
    result = np.empty(len(geoms), dtype=object)
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(len(geoms) + 1))
    for i in range(len(geoms)):
        members = faces[order[bounds[i] : bounds[i + 1]]]
        result[i] = shapely.union_all(members, grid_size=PRECISION) if len(members) else geoms[i]
    return result


def community_count(scale: str) -> int:
    data = load_divisions()
    return len(data["communities"]) if scale == "city" else 100


def _grid_width() -> int:
    from django.conf import settings

    return settings.GRIDGOV_GRID_SEQ_WIDTH


def _weighted_tile(
    region: shapely.Geometry, weights: list[int], rng: np.random.Generator
) -> list[shapely.Geometry]:
    """Cells whose sizes roughly follow the weights: tile finely, then share the fine cells out."""
    n = len(weights)
    if n == 1:
        return [region]
    fine = tile(region, n * 12, rng, relax=2)
    centres = np.array([[c.centroid.x, c.centroid.y] for c in fine])
    target = np.array(weights, dtype=float) / sum(weights) * region.area
    seeds = tile(region, n, rng)
    seed_xy = np.array([[s.centroid.x, s.centroid.y] for s in seeds])
    # Assign fine cells to the nearest seed, scaled by each part's wanted size (a power diagram).
    scale = np.sqrt(target / target.mean())
    dist = np.linalg.norm(centres[:, None, :] - seed_xy[None, :, :], axis=2) / scale[None, :]
    owner = dist.argmin(axis=1)
    for k in range(n):
        if not (owner == k).any():
            owner[int(dist[:, k].argmin())] = k
    return [
        _polygonal(shapely.union_all([fine[i] for i in np.flatnonzero(owner == k)]))
        for k in range(n)
    ]


def _mark_special_grids(areas: list[DemoArea], rng: np.random.Generator) -> None:
    grids = [a for a in areas if a.level == Level.GRID]
    count = max(4, len(grids) // 30)
    picks = rng.choice(len(grids), size=min(count, len(grids)), replace=False)
    for j, i in enumerate(sorted(picks.tolist())):
        kind, label, risks = _SPECIAL[j % len(_SPECIAL)]
        grid = grids[i]
        grid.kind = kind
        grid.risk = risks[int(rng.integers(len(risks)))]
        grid.name = grid.name.replace("网格", f"{label}专属网格")
