"""Boundaries in and out: checking GeoJSON polygons, converting their datum, measuring them."""

import json
import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyproj import Geod

from gridgov.areas.crs import Crs, to_wgs84

_GEOD = Geod(ellps="WGS84")
POLYGON_TYPES = ("Polygon", "MultiPolygon")
# Coordinates are kept to 1e-7 degrees (about 1 cm): enough for any boundary, and shared edges
# snap to the same values so neighbouring grids neither gap nor overlap by rounding.
PRECISION = 1e-7


def _looks_swapped(lon: float, lat: float) -> bool:
    """(lat, lon) for a place in China: a Chinese latitude first, then a longitude."""
    return 3 <= lon <= 54 and 73 <= lat <= 136


def _check_ring(ring, where: str) -> list[str]:
    problems: list[str] = []
    if not isinstance(ring, list) or len(ring) < 4:
        return [_("%(where)s: a ring needs at least 4 positions.") % {"where": where}]
    for pos in ring:
        if (
            not isinstance(pos, list | tuple)
            or len(pos) < 2
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in pos[:2]
            )
        ):
            return [
                _("%(where)s: a position must be two finite numbers [lon, lat].") % {"where": where}
            ]
    lon0, lat0 = ring[0][0], ring[0][1]
    if list(ring[0][:2]) != list(ring[-1][:2]):
        problems.append(
            _("%(where)s: the ring is not closed (its last position must repeat the first).")
            % {"where": where}
        )
    if any(not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90) for p in ring):
        if _looks_swapped(lon0, lat0):
            problems.append(
                _("%(where)s: coordinates look like [lat, lon]; GeoJSON wants [lon, lat].")
                % {"where": where}
            )
        else:
            problems.append(
                _("%(where)s: coordinates out of range (longitude −180…180, latitude −90…90).")
                % {"where": where}
            )
    elif all(_looks_swapped(p[0], p[1]) for p in ring):
        problems.append(
            _("%(where)s: coordinates look like [lat, lon]; GeoJSON wants [lon, lat].")
            % {"where": where}
        )
    return problems


def check_geometry_structure(geometry) -> list[str]:
    """Problems with a GeoJSON geometry object before it is built, in words a person can act on."""
    if not isinstance(geometry, dict):
        return [_("The geometry is missing or is not an object.")]
    gtype = geometry.get("type")
    coords = geometry.get("coordinates")
    if gtype not in POLYGON_TYPES:
        return [
            _("The geometry must be a Polygon or MultiPolygon, not %(type)s.") % {"type": gtype}
        ]
    polygons = [coords] if gtype == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return [_("The geometry has no coordinates.")]
    problems: list[str] = []
    for pi, polygon in enumerate(polygons, 1):
        if not isinstance(polygon, list) or not polygon:
            problems.append(_("Polygon %(n)d has no rings.") % {"n": pi})
            continue
        for ri, ring in enumerate(polygon, 1):
            where = (
                _("ring %(r)d") % {"r": ri}
                if gtype == "Polygon"
                else _("polygon %(p)d ring %(r)d") % {"p": pi, "r": ri}
            )
            problems.extend(_check_ring(ring, where))
    return problems


def _convert(geom: shapely.Geometry, crs: Crs) -> shapely.Geometry:
    if crs is Crs.WGS84:
        return geom

    def transform(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([lon, lat])

    return shapely.transform(geom, transform)


def parse_boundary(geometry, crs: str = Crs.WGS84) -> shapely.Geometry:
    """A valid WGS-84 polygon from GeoJSON in `crs`, or ValidationError listing what is wrong."""
    problems = check_geometry_structure(geometry)
    if problems:
        raise ValidationError(problems)
    try:
        geom = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
        raise ValidationError(_("The geometry cannot be read: %(e)s") % {"e": exc}) from exc
    geom = _convert(geom, Crs(crs))
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise ValidationError(
                _("The boundary crosses itself (%(reason)s).") % {"reason": reason}
            )
        raise ValidationError(
            _("The boundary is not a valid polygon (%(reason)s).") % {"reason": reason}
        )
    if geom.is_empty or geom.area == 0:
        raise ValidationError(_("The boundary encloses no area."))
    geom = shapely.set_precision(geom, PRECISION)
    if geom.is_empty:
        raise ValidationError(_("The boundary encloses no area."))
    return geom


@dataclass(frozen=True)
class BoundaryFacts:
    geojson: dict
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    label_lon: float
    label_lat: float
    area_km2: float


def boundary_facts(geom: shapely.Geometry) -> BoundaryFacts:
    """What the Area row stores beside the boundary: box, label point, geodesic area."""
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    label = geom.representative_point()
    area_m2, _perimeter = _GEOD.geometry_area_perimeter(geom)
    return BoundaryFacts(
        geojson=to_geojson(geom),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        label_lon=label.x,
        label_lat=label.y,
        area_km2=round(abs(area_m2) / 1e6, 6),
    )


def to_geojson(geom: shapely.Geometry) -> dict:
    """GeoJSON with lists (not tuples) so it stores and compares as JSON."""
    return json.loads(shapely.to_geojson(geom))


# One tolerance for every way a boundary arrives (drawn, uploaded, PUT, GeoJSON import): drawing
# slack along shared edges, never enough to take another area's ground.
OVERLAP_TOLERANCE = 0.01  # share of the smaller area two siblings may overlap
OUTSIDE_TOLERANCE = 0.02  # share of an area that may lie outside its parent


def outside_share(geom: shapely.Geometry, parent: shapely.Geometry) -> float:
    """The share of `geom` lying outside `parent` (0 when wholly inside)."""
    if geom.area == 0:
        return 0.0
    return max(0.0, 1 - shapely.intersection(geom, parent).area / geom.area)


def overlap_share(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """How much two areas overlap, as a share of the smaller one."""
    smaller = min(a.area, b.area)
    return shapely.intersection(a, b).area / smaller if smaller else 0.0


def fit_problems(
    geom: shapely.Geometry,
    parent: shapely.Geometry | None,
    siblings: list[tuple[str, shapely.Geometry]],
) -> list[str]:
    """Why a boundary does not fit its place in the tree: outside its parent or over a sibling
    beyond the tolerance (empty when it fits)."""
    problems = []
    if parent is not None:
        outside = outside_share(geom, parent)
        if outside > OUTSIDE_TOLERANCE:
            problems.append(
                _(
                    "%(pct).1f%% of the boundary lies outside its parent area (at most "
                    "%(limit).0f%% is allowed)."
                )
                % {"pct": 100 * outside, "limit": 100 * OUTSIDE_TOLERANCE}
            )
    for code, other in siblings:
        share = overlap_share(geom, other)
        if share > OVERLAP_TOLERANCE:
            problems.append(
                _("Overlaps its sibling %(other)s by %(pct).1f%% of the smaller area.")
                % {"other": code, "pct": 100 * share}
            )
    return problems


def clip_to_parent(geom: shapely.Geometry, parent: shapely.Geometry | None) -> shapely.Geometry:
    """The part of a boundary inside its parent: the slack the tolerance allows never takes
    another area's ground, so the locator never sends a point there to this area."""
    if parent is None or outside_share(geom, parent) == 0:
        return geom
    clipped = shapely.set_precision(
        shapely.make_valid(shapely.intersection(geom, parent)), PRECISION
    )
    polygons = [
        p for p in shapely.get_parts(clipped) if p.geom_type in POLYGON_TYPES and p.area > 0
    ]
    if not polygons:
        return geom
    return shapely.union_all(polygons)
