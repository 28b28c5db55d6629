"""GeoJSON in and out. One core for the command line and the web upload: plan (the dry run), then
commit, which plans again and writes nothing unless the plan is clean."""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.areas import coding
from gridgov.areas.crs import Crs
from gridgov.areas.geometry import (
    OUTSIDE_TOLERANCE,
    check_geometry_structure,
    clip_to_parent,
    fit_problems,
    outside_share,
    parse_boundary,
)
from gridgov.areas.models import Area, BoundaryVersion, GridKind, Level, Risk
from gridgov.areas.services import apply_boundary, refresh_locator_after_commit
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import change_entry, record_changes, snapshot
from gridgov.input_guard import json_file_problem


@dataclass
class Problem:
    feature: int  # 1-based feature number; 0 for the file as a whole
    code: str
    message: str


@dataclass
class Planned:
    feature: int
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    risk: str
    geom: shapely.Geometry | None
    action: str  # "create" or "update"


@dataclass
class ImportPlan:
    planned: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    feature_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.feature_count > 0

    def summary(self) -> dict:
        return {
            "ok": self.ok,
            "features": self.feature_count,
            "create": sum(1 for p in self.planned if p.action == "create"),
            "update": sum(1 for p in self.planned if p.action == "update"),
            "problems": [p.__dict__ for p in self.problems],
            "warnings": [p.__dict__ for p in self.warnings],
        }


def read_collection(raw: bytes | str | dict) -> dict:
    """The FeatureCollection in `raw`, or ValidationError saying why the file cannot be read."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text.")) from exc
    if isinstance(raw, str):
        if problem := json_file_problem(raw):
            raise ValidationError(problem)
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("The file is not valid JSON (line %(line)d, column %(col)d: %(msg)s).")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from exc
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise ValidationError(_("The file must be a GeoJSON FeatureCollection."))
    if not isinstance(raw.get("features"), list):
        raise ValidationError(_("The FeatureCollection has no list of features."))
    return raw


def single_geometry(raw: bytes | str) -> dict:
    """The one geometry in a bare GeoJSON geometry, a Feature, or a one-feature collection."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8-sig", errors="replace")
    if problem := json_file_problem(raw):
        raise ValidationError(problem)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("The boundary is not valid JSON (%(msg)s).") % {"msg": exc.msg}
        ) from exc
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features") or []
        if len(features) != 1:
            raise ValidationError(
                _("The collection must hold exactly one feature, not %(n)d.") % {"n": len(features)}
            )
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip()


def plan_import(raw: bytes | str | dict, *, crs: str = Crs.WGS84, actor: User) -> ImportPlan:
    """Check every feature and say what committing would do; writes nothing."""
    plan = ImportPlan()
    try:
        collection = read_collection(raw)
        crs = Crs(crs)
    except ValueError:
        plan.problems.append(Problem(0, "", _("Unknown coordinate system %(crs)s.") % {"crs": crs}))
        return plan
    except ValidationError as exc:
        plan.problems.extend(Problem(0, "", m) for m in exc.messages)
        return plan
    features = collection["features"]
    plan.feature_count = len(features)
    if not features:
        plan.problems.append(Problem(0, "", _("The file has no features.")))
        return plan
    if not user_may(actor, Action.MANAGE_AREAS):
        plan.problems.append(Problem(0, "", _("You may not manage areas.")))
        return plan

    seen: dict[str, int] = {}
    in_file: dict[str, tuple[int, dict]] = {}
    for n, feature in enumerate(features, 1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = _text(props.get("code")) if isinstance(props, dict) else ""
        if code:
            if code in seen:
                plan.problems.append(
                    Problem(
                        n, code, _("Duplicate code: feature %(n)d has it too.") % {"n": seen[code]}
                    )
                )
            else:
                seen[code] = n
                in_file[code] = (n, props)

    parent_codes = {_text(p.get("parent_code")) for _n, p in in_file.values()} - {""}
    existing = {
        a.code: a
        for a in Area.objects.filter(code__in=set(in_file) | parent_codes).only(
            "id", "code", "level", "parent_id", "geometry", "valid_to", "name"
        )
    }
    existing_parent_codes = dict(
        Area.objects.filter(
            id__in=[a.parent_id for a in existing.values() if a.parent_id]
        ).values_list("id", "code")
    )

    for n, feature in enumerate(features, 1):
        before = len(plan.problems)
        item = _check_feature(
            n, feature, crs, actor, in_file, existing, existing_parent_codes, seen, plan
        )
        if item is not None and len(plan.problems) == before:
            plan.planned.append(item)

    _check_siblings_and_parents(plan, existing)
    return plan


def _check_feature(
    n, feature, crs, actor: User, in_file, existing, existing_parent_codes, seen, plan
):
    def problem(code: str, message: str) -> None:
        plan.problems.append(Problem(n, code, message))

    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problem("", _("Not a GeoJSON Feature."))
        return None
    props = feature.get("properties")
    if not isinstance(props, dict):
        problem("", _("The feature has no properties."))
        return None
    code = _text(props.get("code"))
    name = _text(props.get("name"))
    level = _text(props.get("level"))
    parent_code = _text(props.get("parent_code")) or None
    kind = _text(props.get("kind")) or GridKind.REGULAR
    risk = _text(props.get("risk"))
    if not code:
        problem("", _("The property code is missing."))
        return None
    if seen.get(code) != n:
        return None  # reported as a duplicate
    if not name:
        problem(code, _("The property name is missing."))
    if level not in Level.values:
        problem(
            code,
            _("Unknown level %(level)s (use one of %(levels)s).")
            % {"level": level or "—", "levels": ", ".join(Level.values)},
        )
        return None
    if kind not in GridKind.values:
        problem(code, _("Unknown grid kind %(kind)s.") % {"kind": kind})
    if risk not in Risk.values:
        problem(code, _("Unknown risk %(risk)s (use low, medium or high).") % {"risk": risk})

    parent_level = None
    if parent_code:
        if parent_code in in_file:
            parent_level = _text(in_file[parent_code][1].get("level"))
        elif parent_code in existing and existing[parent_code].valid_to is None:
            parent_level = existing[parent_code].level
        else:
            problem(
                code,
                _("Unknown parent %(parent)s: it is neither in the file nor in the tree.")
                % {"parent": parent_code},
            )
    if parent_code is None or parent_level is not None:
        try:
            coding.validate_code(code, level, parent_code, parent_level)
        except ValidationError as exc:
            for m in exc.messages:
                problem(code, m)

    action = "create"
    if code in existing:
        current = existing[code]
        current_parent = existing_parent_codes.get(current.parent_id)
        if current.valid_to is not None:
            problem(code, _("The code belongs to a retired area and cannot be reused."))
        elif current.level != level or current_parent != parent_code:
            problem(code, _("The code exists with another level or parent; move the area instead."))
        action = "update"

    if not code_in_scope(actor, parent_code or code):
        problem(code, _("The area lies outside your scope."))

    geometry = feature.get("geometry")
    geom = None
    structure = check_geometry_structure(geometry)
    if structure:
        for m in structure:
            problem(code, m)
    else:
        try:
            geom = parse_boundary(geometry, crs)
        except ValidationError as exc:
            for m in exc.messages:
                problem(code, m)
    return Planned(n, code, name, level, parent_code, kind, risk, geom, action)


def _check_siblings_and_parents(plan: ImportPlan, existing: dict) -> None:
    by_parent: dict[str | None, list[Planned]] = defaultdict(list)
    for item in plan.planned:
        by_parent[item.parent_code].append(item)
    file_geoms = {item.code: item.geom for item in plan.planned}
    updated = {item.code for item in plan.planned}
    parent_geoms: dict[str, shapely.Geometry | None] = {}
    stored_parents = {
        a.code: a
        for a in Area.objects.filter(code__in=[p for p in by_parent if p and p not in file_geoms])
    }
    for code, area in stored_parents.items():
        parent_geoms[code] = (
            shapely.from_geojson(json.dumps(area.geometry)) if area.geometry else None
        )

    for parent_code, items in by_parent.items():
        siblings: list[tuple[str, int, shapely.Geometry]] = [
            (i.code, i.feature, i.geom) for i in items
        ]
        if parent_code:
            stored = (
                Area.objects.active()
                .filter(parent__code=parent_code, geometry__isnull=False)
                .exclude(code__in=updated)
            )
            siblings += [(a.code, 0, shapely.from_geojson(json.dumps(a.geometry))) for a in stored]
        geoms = [g for _c, _n, g in siblings]
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            a_code, a_n, a = siblings[i]
            b_code, b_n, b = siblings[j]
            target_n, target_code, other, geom = (
                (b_n, b_code, a_code, b) if b_n else (a_n, a_code, b_code, a)
            )
            for message in fit_problems(geom, None, [(other, a if geom is b else b)]):
                plan.problems.append(Problem(target_n, target_code, message))
        parent_geom = (
            file_geoms.get(parent_code)
            if parent_code in file_geoms
            else parent_geoms.get(parent_code)
        )
        if parent_geom is None:
            continue
        for item in items:
            for message in fit_problems(item.geom, parent_geom, []):
                plan.problems.append(Problem(item.feature, item.code, message))
            outside = outside_share(item.geom, parent_geom)
            if 0.001 < outside <= OUTSIDE_TOLERANCE:
                plan.warnings.append(
                    Problem(
                        item.feature,
                        item.code,
                        _("%(pct).1f%% lies outside its parent.") % {"pct": 100 * outside},
                    )
                )


def commit_import(
    raw: bytes | str | dict,
    *,
    crs: str = Crs.WGS84,
    actor: User,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """Plan again and, only if the plan is clean, write it all in one transaction."""
    plan = plan_import(raw, crs=crs, actor=actor)
    if not plan.ok:
        return plan
    total = len(plan.planned)
    with transaction.atomic():
        known = {
            a.code: a
            for a in Area.objects.filter(
                code__in={p.parent_code for p in plan.planned if p.parent_code}
                | {p.code for p in plan.planned}
            )
        }
        entries = []
        now = timezone.now()
        today = timezone.localdate()
        for done, item in enumerate(sorted(plan.planned, key=lambda p: len(p.code)), 1):
            parent = known.get(item.parent_code) if item.parent_code else None
            item.geom = clip_to_parent(
                item.geom,
                shapely.from_geojson(json.dumps(parent.geometry))
                if parent is not None and parent.geometry
                else None,
            )
            if item.action == "update":
                area = known[item.code]
                before = snapshot(area)
                if area.geometry is not None:
                    BoundaryVersion.objects.create(
                        area=area,
                        geometry=area.geometry,
                        valid_from=area.geometry_updated_at,
                        valid_to=now,
                        changed_by=actor,
                    )
                area.name, area.kind, area.risk = item.name, item.kind, item.risk
                apply_boundary(area, item.geom)
                area.save()
                entries.append(
                    change_entry(
                        actor=actor,
                        action=ChangeAction.IMPORT,
                        instance=area,
                        before=before,
                        after=snapshot(area),
                    )
                )
            else:
                area = Area(
                    code=item.code,
                    name=item.name,
                    level=item.level,
                    kind=item.kind,
                    risk=item.risk,
                    parent=known.get(item.parent_code) if item.parent_code else None,
                    valid_from=today,
                )
                apply_boundary(area, item.geom)
                area.save()
                known[area.code] = area
                entries.append(
                    change_entry(
                        actor=actor, action=ChangeAction.IMPORT, instance=area, after=snapshot(area)
                    )
                )
            if progress and (done % 200 == 0 or done == total):
                progress(done, total)
        record_changes(entries)
        refresh_locator_after_commit()
    return plan


def export_collection(areas) -> dict:
    """A FeatureCollection of the given areas (already restricted by the caller)."""
    parent_codes = dict(
        Area.objects.filter(id__in={a.parent_id for a in areas if a.parent_id}).values_list(
            "id", "code"
        )
    )
    features = []
    for area in areas:
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": area.code,
                    "name": area.name,
                    "level": area.level,
                    "parent_code": parent_codes.get(area.parent_id),
                    "kind": area.kind,
                    "risk": area.risk,
                    "area_km2": area.area_km2,
                    "valid_from": area.valid_from.isoformat(),
                    "valid_to": area.valid_to.isoformat() if area.valid_to else None,
                },
                "geometry": area.geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}
