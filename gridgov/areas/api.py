import datetime
import json
from typing import Annotated

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope
from gridgov.areas import queries, services
from gridgov.areas.cards import facts_for
from gridgov.areas.crs import Crs, to_wgs84
from gridgov.areas.filters import AreaFilter
from gridgov.areas.geojson_io import commit_import, export_collection, plan_import
from gridgov.areas.locator import locator
from gridgov.areas.models import Area, GridKind, Level, Risk
from gridgov.input_guard import column

router = Router(tags=["areas"])
MAX_BULK_POINTS = 100_000
MAX_GEOJSON_FEATURES = 25_000


class AreaOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    kind: str
    risk: str
    area_km2: float | None
    valid_from: datetime.date
    valid_to: datetime.date | None
    bbox: list[float] | None
    label_point: list[float] | None

    @staticmethod
    def of(area: Area, parent_code: str | None = None) -> "AreaOut":
        return AreaOut(
            code=area.code,
            name=area.name,
            level=area.level,
            level_label=str(area.get_level_display()),
            parent_code=parent_code
            if parent_code is not None
            else (area.parent.code if area.parent is not None else None),
            kind=area.kind,
            risk=area.risk,
            area_km2=area.area_km2,
            valid_from=area.valid_from,
            valid_to=area.valid_to,
            bbox=_all_or_none(area.min_lon, area.min_lat, area.max_lon, area.max_lat),
            label_point=_all_or_none(area.label_lon, area.label_lat),
        )


def _all_or_none(*values: float | None) -> list[float] | None:
    """The values when every one is known (a shape's corners, a point), else None."""
    known = [v for v in values if v is not None]
    return known if len(known) == len(values) else None


class AreaPage(Schema):
    count: int
    items: list[AreaOut]


class ChainItem(Schema):
    code: str
    name: str
    level: str


class StaffOut(Schema):
    username: str
    full_name: str
    force_type: str
    force_label: str
    grid_code: str


class FactOut(Schema):
    key: str
    label: str
    value: int | float | str


class AreaDetail(AreaOut):
    chain: list[ChainItem]
    children_count: int
    staff: list[StaffOut]
    facts: list[FactOut]


class AreaFilters(Schema):
    level: Level | None = None
    parent: str | None = Field(None, max_length=20, description="Children of this code only.")
    within: str | None = Field(
        None, max_length=20, description="Anywhere in the subtree of this code."
    )
    q: str | None = Field(None, max_length=100, description="Name contains, or code starts with.")
    kind: GridKind | None = None
    include_retired: bool = False
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/areas", response=AreaPage, summary="List areas in your scope")
def list_areas(request: HttpRequest, filters: Query[AreaFilters]):
    qs = AreaFilter(request.GET, request.user).rows()
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return AreaPage(count=qs.count(), items=[AreaOut.of(a) for a in page])


def _geojson_response(areas) -> HttpResponse:
    return HttpResponse(
        json.dumps(export_collection(areas), ensure_ascii=False, separators=(",", ":")),
        content_type="application/geo+json",
    )


class GeoJsonFilters(Schema):
    levels: str = Field(
        "grid",
        max_length=100,
        description="Comma-separated levels to include, e.g. grid or street,community.",
    )
    bbox: str | None = Field(
        None,
        max_length=100,
        description="minLon,minLat,maxLon,maxLat: only areas whose box meets it.",
    )
    include_retired: bool = False


def _parse_bbox(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not (
        -180 <= values[0] <= values[2] <= 180 and -90 <= values[1] <= values[3] <= 90
    ):
        raise ValidationError({"bbox": _("bbox must be minLon,minLat,maxLon,maxLat in degrees.")})
    return values


@router.get(
    "/areas/{code}/geojson",
    summary="GeoJSON of a subtree",
    response={200: dict},
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {}}}}},
)
def subtree_geojson(request: HttpRequest, code: str, filters: Query[GeoJsonFilters]):
    """The areas below (and including) `code` at the given levels, as a FeatureCollection."""
    root = queries.get_area_for_user(request.user, code)
    levels = [lv for lv in filters.levels.split(",") if lv]
    unknown = set(levels) - set(Level.values)
    if unknown:
        raise ValidationError(
            {"levels": _("Unknown levels: %(l)s") % {"l": ", ".join(sorted(unknown))}}
        )
    qs = queries.areas_for(request.user, within=root.code).filter(level__in=levels)
    if not filters.include_retired:
        qs = qs.active()
    if filters.bbox:
        x0, y0, x1, y1 = _parse_bbox(filters.bbox)
        qs = qs.filter(max_lon__gte=x0, min_lon__lte=x1, max_lat__gte=y0, min_lat__lte=y1)
    areas = list(qs.order_by("code")[: MAX_GEOJSON_FEATURES + 1])
    if len(areas) > MAX_GEOJSON_FEATURES:
        raise ValidationError(_("Too many areas for one map; narrow it with bbox or levels."))
    return _geojson_response(areas)


class ProblemOut(Schema):
    feature: int
    code: str
    message: str


class ImportOut(Schema):
    ok: bool
    committed: bool
    features: int
    create: int
    update: int
    problems: list[ProblemOut]
    warnings: list[ProblemOut]


@router.post(
    "/areas/import", response={200: ImportOut, 400: ImportOut}, summary="Import areas from GeoJSON"
)
def import_areas(
    request: AuthenticatedRequest,
    file: File[UploadedFile],
    crs: Crs = Crs.WGS84,
    commit: bool = False,
):
    """Upload a FeatureCollection (properties code, name, level, parent_code; kind, risk optional).
    Without `commit` this is a dry run that lists every problem; with `commit=true` a clean file is
    written in one transaction and a file with problems writes nothing (400)."""
    raw = _read_upload(file)
    plan = (
        commit_import(raw, crs=crs, actor=request.user)
        if commit
        else plan_import(raw, crs=crs, actor=request.user)
    )
    summary = plan.summary()
    status = 400 if (commit and not plan.ok) else 200
    return Status(status, ImportOut(committed=commit and plan.ok, **summary))


@router.get("/areas/{code}", response=AreaDetail, summary="One area, with its card")
def area_detail(request: HttpRequest, code: str):
    area = queries.get_area_for_user(request.user, code)
    staff = queries.staff_of(request.user, area)[:200]
    out = AreaOut.of(area).dict()
    return AreaDetail(
        **out,
        chain=[ChainItem(code=a.code, name=a.name, level=a.level) for a in queries.chain_of(area)],
        children_count=queries.areas_for(request.user).active().filter(parent=area).count(),
        staff=[
            StaffOut(
                username=s.user.username,
                full_name=s.user.full_name,
                force_type=s.force_type,
                force_label=str(s.get_force_type_display()),
                grid_code=s.area_code,
            )
            for s in staff
        ],
        facts=[
            FactOut(key=f.key, label=f.label, value=f.value) for f in facts_for(area, request.user)
        ],
    )


@router.get("/areas/{code}/children", response=list[AreaOut], summary="The children of an area")
def area_children(request: HttpRequest, code: str, include_retired: bool = False):
    area = queries.get_area_for_user(request.user, code)
    qs = queries.areas_for(request.user).filter(parent=area)
    if not include_retired:
        qs = qs.active()
    return [AreaOut.of(a, parent_code=area.code) for a in qs.order_by("code")]


class AreaCreateIn(Schema):
    code: Annotated[str, column(Area, "code")]
    name: Annotated[str, column(Area, "name")]
    level: Level
    parent_code: Annotated[str, column(Area, "code")] | None = None
    kind: GridKind = GridKind.REGULAR
    risk: Risk = Risk.NONE
    geometry: dict | None = None
    crs: Crs = Crs.WGS84
    note: Annotated[str, column(Area, "note")] = ""


@router.post("/areas", response={201: AreaOut}, summary="Create an area")
def create_area(request: AuthenticatedRequest, payload: AreaCreateIn):
    if payload.parent_code:
        queries.get_area_for_user(request.user, payload.parent_code, Action.MANAGE_AREAS)
    area = services.create_area(services.AreaInput(**payload.dict()), actor=request.user)
    return Status(201, AreaOut.of(area))


class AreaPatchIn(Schema):
    name: Annotated[str, column(Area, "name")] | None = None
    kind: GridKind | None = None
    risk: Risk | None = None
    note: Annotated[str, column(Area, "note")] | None = None


@router.patch(
    "/areas/{code}", response=AreaOut, summary="Change an area's name, kind, risk or note"
)
def update_area(request: AuthenticatedRequest, code: str, payload: AreaPatchIn):
    area = queries.get_area_for_user(request.user, code, Action.MANAGE_AREAS)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    return AreaOut.of(services.update_area(area, actor=request.user, **changes))


class BoundaryIn(Schema):
    geometry: dict | None
    crs: Crs = Crs.WGS84


@router.put("/areas/{code}/boundary", response=AreaOut, summary="Replace an area's boundary")
def set_boundary(request: AuthenticatedRequest, code: str, payload: BoundaryIn):
    area = queries.get_area_for_user(request.user, code, Action.MANAGE_AREAS)
    return AreaOut.of(
        services.set_boundary(area, payload.geometry, actor=request.user, crs=payload.crs)
    )


class MoveIn(Schema):
    parent_code: Annotated[str, column(Area, "code")]
    new_code: Annotated[str, column(Area, "code")] | None = None


@router.post("/areas/{code}/move", response=AreaOut, summary="Move an area under another parent")
def move_area(request: AuthenticatedRequest, code: str, payload: MoveIn):
    area = queries.get_area_for_user(request.user, code, Action.MANAGE_AREAS)
    parent = queries.get_area_for_user(request.user, payload.parent_code, Action.MANAGE_AREAS)
    return AreaOut.of(
        services.move_area(area, parent, actor=request.user, new_code=payload.new_code)
    )


class RetireIn(Schema):
    note: Annotated[str, column(Area, "note")] = ""
    on: datetime.date | None = None


@router.post("/areas/{code}/retire", response=AreaOut, summary="Retire an area and its subtree")
def retire_area(request: AuthenticatedRequest, code: str, payload: RetireIn):
    area = queries.get_area_for_user(request.user, code, Action.MANAGE_AREAS)
    return AreaOut.of(
        services.retire_area(area, actor=request.user, on=payload.on, note=payload.note)
    )


def _read_upload(file: UploadedFile) -> bytes:
    size = file.size or 0
    if size > settings.GRIDGOV_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)d MB; the limit is %(limit)d MB).")
            % {"size": size // 2**20, "limit": settings.GRIDGOV_MAX_UPLOAD_BYTES // 2**20}
        )
    return file.read()


class LocateOut(Schema):
    found: bool
    lon: float = Field(description="The point in WGS-84.")
    lat: float
    grid: ChainItem | None = None
    chain: list[ChainItem] = []


class PointQuery(Schema):
    lon: float = Field(..., ge=-180, le=180, description="Longitude in `crs`.")
    lat: float = Field(..., ge=-90, le=90, description="Latitude in `crs`.")
    crs: Crs = Crs.WGS84


@router.get("/locate", response=LocateOut, summary="Which grid holds this point")
def locate(request: HttpRequest, point: Query[PointQuery]):
    """Points on a shared border belong to the grid with the smallest code. A point outside every
    grid — or in a grid outside your scope — answers `found: false`."""
    x, y = (float(v) for v in to_wgs84(point.lon, point.lat, point.crs))
    hit = locator.locate(x, y)
    if hit is None or not code_in_scope(request.user, hit.code):
        return LocateOut(found=False, lon=x, lat=y)
    area = Area.objects.get(pk=hit.area_id)
    chain = [ChainItem(code=a.code, name=a.name, level=a.level) for a in queries.chain_of(area)]
    return LocateOut(
        found=True,
        lon=x,
        lat=y,
        grid=ChainItem(code=area.code, name=area.name, level=area.level),
        chain=chain,
    )


class BulkLocateIn(Schema):
    points: list[tuple[float, float]] = Field(
        ..., max_length=MAX_BULK_POINTS, description="[[lon, lat], …]"
    )
    crs: Crs = Crs.WGS84


class BulkLocateOut(Schema):
    codes: list[str | None]
    found: int


@router.post("/locate", response=BulkLocateOut, summary="Which grid holds each of many points")
def locate_many(request: HttpRequest, payload: BulkLocateIn):
    if not payload.points:
        return BulkLocateOut(codes=[], found=0)
    xy = np.asarray(payload.points, dtype=float)
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise ValidationError(
            {"points": _("Every point must be [lon, lat] with lon −180…180 and lat −90…90.")}
        )
    x, y = to_wgs84(xy[:, 0], xy[:, 1], payload.crs)
    found = locator.locate_codes(x, y)
    # Grid codes repeat: each distinct one is checked once, so 100 000 points stay cheap.
    inside = {c for c in set(found) if c and code_in_scope(request.user, c)}
    codes = [c if c in inside else None for c in found]
    return BulkLocateOut(codes=codes, found=sum(c is not None for c in codes))
