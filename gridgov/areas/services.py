"""Operations that change the area tree. Each runs in one transaction and writes the change log."""

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import shapely
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.areas import coding
from gridgov.areas.crs import Crs
from gridgov.areas.geometry import (
    OUTSIDE_TOLERANCE,
    boundary_facts,
    clip_to_parent,
    fit_problems,
    outside_share,
    parse_boundary,
)
from gridgov.areas.locator import locator
from gridgov.areas.models import Area, BoundaryVersion, GridKind, Level, Risk
from gridgov.audit.chain import ChainedLog
from gridgov.audit.models import ChangeAction, ChangeLog
from gridgov.audit.services import change_entry, record_change, record_changes, snapshot


def _require_manager(actor: User, code: str) -> None:
    if not user_may(actor, Action.MANAGE_AREAS) or not code_in_scope(actor, code):
        raise PermissionDenied(_("You may not manage areas here."))


def apply_boundary(area: Area, geom: shapely.Geometry | None) -> None:
    if geom is None:
        area.geometry = None
        area.min_lon = area.min_lat = area.max_lon = area.max_lat = None
        area.label_lon = area.label_lat = area.area_km2 = None
    else:
        facts = boundary_facts(geom)
        area.geometry = facts.geojson
        area.min_lon, area.min_lat = facts.min_lon, facts.min_lat
        area.max_lon, area.max_lat = facts.max_lon, facts.max_lat
        area.label_lon, area.label_lat = facts.label_lon, facts.label_lat
        area.area_km2 = facts.area_km2
    area.geometry_updated_at = timezone.now()


def _shape(geometry: dict) -> shapely.Geometry:
    return shapely.from_geojson(json.dumps(geometry))


def fitted_boundary(
    geom: shapely.Geometry, parent: Area | None, *, exclude: Area | None = None
) -> shapely.Geometry:
    """Check that a boundary lies within its parent and off its siblings (the GeoJSON import's
    tolerance), and return it clipped to the parent; a ValidationError says what is wrong."""
    if parent is None:
        return geom
    siblings = Area.objects.active().filter(parent=parent, geometry__isnull=False)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    parent_geom = _shape(parent.geometry) if parent.geometry else None
    problems = fit_problems(geom, parent_geom, [(a.code, _shape(a.geometry)) for a in siblings])
    if problems:
        raise ValidationError({"geometry": problems})
    return clip_to_parent(geom, parent_geom)


def refresh_locator_after_commit() -> None:
    transaction.on_commit(locator.invalidate)


@dataclass
class AreaInput:
    code: str
    name: str
    level: str
    parent_code: str | None = None
    kind: str = GridKind.REGULAR
    risk: str = Risk.NONE
    geometry: dict | shapely.Geometry | None = None  # GeoJSON in `crs`, or a WGS-84 shape
    crs: str = Crs.WGS84
    note: str = ""


def _validate_fields(data: AreaInput, parent: Area | None) -> None:
    if not data.name or not data.name.strip():
        raise ValidationError({"name": _("A name is required.")})
    if data.level not in Level.values:
        raise ValidationError({"level": _("Unknown level %(level)s.") % {"level": data.level}})
    if data.kind not in GridKind.values:
        raise ValidationError({"kind": _("Unknown grid kind %(kind)s.") % {"kind": data.kind}})
    if data.risk not in Risk.values:
        raise ValidationError({"risk": _("Unknown risk %(risk)s.") % {"risk": data.risk}})
    if data.kind != GridKind.REGULAR and data.level != Level.GRID:
        raise ValidationError({"kind": _("Only grids can be special grids.")})
    try:
        coding.validate_code(
            data.code, data.level, parent.code if parent else None, parent.level if parent else None
        )
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from exc


def _parent_for(parent_code: str | None) -> Area | None:
    if not parent_code:
        return None
    parent = Area.objects.filter(code=parent_code).first()
    if parent is None:
        raise ValidationError(
            {"parent_code": _("No area has the code %(code)s.") % {"code": parent_code}}
        )
    if parent.retired:
        raise ValidationError({"parent_code": _("The parent area is retired.")})
    return parent


@transaction.atomic
def create_area(data: AreaInput, *, actor: User) -> Area:
    parent = _parent_for(data.parent_code)
    _require_manager(actor, data.parent_code or data.code)
    _validate_fields(data, parent)
    if Area.objects.filter(code=data.code).exists():
        raise ValidationError({"code": _("The code %(code)s is taken.") % {"code": data.code}})
    if Area.objects.active().filter(parent=parent, name=data.name.strip()).exists():
        raise ValidationError({"name": _("A sibling already has this name.")})
    geom = parse_boundary(data.geometry, data.crs) if data.geometry else None
    if geom is not None:
        geom = fitted_boundary(geom, parent)
    area = Area(
        code=data.code,
        name=data.name.strip(),
        level=data.level,
        parent=parent,
        kind=data.kind,
        risk=data.risk,
        note=data.note,
        valid_from=timezone.localdate(),
    )
    apply_boundary(area, geom)
    area.save()
    record_change(actor=actor, action=ChangeAction.CREATE, instance=area, after=snapshot(area))
    refresh_locator_after_commit()
    return area


EDITABLE = ("name", "kind", "risk", "note")


@transaction.atomic
def update_area(area: Area, *, actor: User, **changes) -> Area:
    area = Area.objects.select_for_update().get(pk=area.pk)
    _require_manager(actor, area.code)
    if area.retired:
        raise ValidationError(_("A retired area cannot be changed."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    before = snapshot(area)
    for name, value in changes.items():
        setattr(area, name, value.strip() if isinstance(value, str) else value)
    data = AreaInput(
        code=area.code, name=area.name, level=area.level, kind=area.kind, risk=area.risk
    )
    _validate_fields(data, area.parent)
    if (
        "name" in changes
        and Area.objects.active()
        .filter(parent=area.parent, name=area.name)
        .exclude(pk=area.pk)
        .exists()
    ):
        raise ValidationError({"name": _("A sibling already has this name.")})
    area.save()
    record_change(
        actor=actor, action=ChangeAction.UPDATE, instance=area, before=before, after=snapshot(area)
    )
    refresh_locator_after_commit()
    return area


@transaction.atomic
def set_boundary(area: Area, geometry: dict | None, *, actor: User, crs: str = Crs.WGS84) -> Area:
    """Replace an area's boundary; the former one is kept as a BoundaryVersion."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    _require_manager(actor, area.code)
    if area.retired:
        raise ValidationError(_("A retired area cannot be changed."))
    geom = parse_boundary(geometry, crs) if geometry is not None else None
    if geom is not None:
        geom = fitted_boundary(geom, area.parent, exclude=area)
        children = Area.objects.active().filter(parent=area, geometry__isnull=False)
        outside = [
            c.code for c in children if outside_share(_shape(c.geometry), geom) > OUTSIDE_TOLERANCE
        ]
        if outside:
            raise ValidationError(
                {
                    "geometry": _(
                        "The new boundary leaves these child areas outside: %(codes)s. Redraw "
                        "them first."
                    )
                    % {"codes": ", ".join(outside)}
                }
            )
    now = timezone.now()
    if area.geometry is not None:
        BoundaryVersion.objects.create(
            area=area,
            geometry=area.geometry,
            valid_from=area.geometry_updated_at,
            valid_to=now,
            changed_by=actor,
        )
    before = {
        "area_km2": area.area_km2,
        "bbox": [area.min_lon, area.min_lat, area.max_lon, area.max_lat],
    }
    apply_boundary(area, geom)
    area.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=area,
        before=before,
        after={
            "area_km2": area.area_km2,
            "bbox": [area.min_lon, area.min_lat, area.max_lon, area.max_lat],
        },
        note=_("Boundary changed"),
    )
    refresh_locator_after_commit()
    return area


# When an area moves, each part re-codes its own rows (with its own timeline or change-log
# entries) through a function it registers here; rows of models no part claims are re-coded
# plainly by their scope field. A recoder returns the models it handled.
Recoder = Callable[..., set[type[models.Model]]]
_RECODERS: list[Recoder] = []


def recodes_areas(function: Recoder) -> Recoder:
    """Register a part's recoder: `function(old_code, new_code, *, actor) -> models handled`."""
    _RECODERS.append(function)
    return function


def recode_prefix(queryset: models.QuerySet, field: str, old: str, new: str) -> int:
    """Replace the leading `old` of `field` with `new` in every row that starts with it."""
    cut = len(old) + 1
    return queryset.filter(**{f"{field}__startswith": old}).update(
        **{field: Concat(Value(new), Substr(F(field), cut))}
    )


def log_recoded(model: type[models.Model], count: int, old: str, new: str, *, actor: User) -> None:
    """One change-log line per kind of row re-coded by a move (rows may be millions)."""
    if not count:
        return
    ChangeLog.objects.create(
        actor=actor,
        actor_name=actor.username,
        action=ChangeAction.MOVE,
        object_type=model._meta.label_lower,
        object_id="area-move",
        object_repr=f"{old} → {new}"[:200],
        area_code=new,
        before={"code": old},
        after={"code": new, "rows": count},
        note=_("%(n)d rows re-coded: area %(old)s moved to %(new)s")
        % {"n": count, "old": old, "new": new},
    )


def _scoped_models() -> Iterable:
    """Every model whose rows carry an area code, except the tree itself and the append-only
    audit logs (they record the code as it was; the move itself is logged)."""
    for model in apps.get_models():
        field = getattr(model, "scope_field", None)
        # Paths through relations ("scope_areas__code") follow the areas themselves.
        if (
            field
            and "__" not in field
            and model is not Area
            and not model._meta.abstract
            and not issubclass(model, ChainedLog)
        ):
            yield model, field


@transaction.atomic
def move_area(area: Area, new_parent: Area, *, actor: User, new_code: str | None = None) -> Area:
    """Move an area (with its subtree) under another parent; codes follow the new parent.

    Every row that carries a code of the moved subtree is recoded in the same transaction, each
    part through its own recoder (cases keep their level, so open cases stay in the queues of
    the command center that now holds their community), so records stay with their place and
    inside the right scopes.
    """
    area = Area.objects.select_for_update().get(pk=area.pk)
    _require_manager(actor, area.code)
    _require_manager(actor, new_parent.code)
    if area.retired or new_parent.retired:
        raise ValidationError(_("Retired areas cannot be moved or receive children."))
    if new_parent.code.startswith(area.code):
        raise ValidationError(_("An area cannot be moved into its own subtree."))
    parent_level = Level.parent_of(area.level)
    if parent_level is None:
        raise ValidationError(
            _("A %(level)s is the top of the tree.") % {"level": area.get_level_display()}
        )
    if new_parent.level != parent_level:
        raise ValidationError(
            _("A %(level)s must lie in a %(parent)s.")
            % {"level": area.get_level_display(), "parent": Level(parent_level).label}
        )
    taken = set(
        Area.objects.filter(code__startswith=new_parent.code).values_list("code", flat=True)
    )
    code = new_code or coding.next_child_code(new_parent.code, area.level, taken)
    try:
        coding.validate_code(code, area.level, new_parent.code, new_parent.level)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from exc
    if code in taken:
        raise ValidationError({"code": _("The code %(code)s is taken.") % {"code": code}})
    if Area.objects.active().filter(parent=new_parent, name=area.name).exists():
        raise ValidationError({"name": _("A sibling already has this name.")})
    old_code = area.code
    before = snapshot(area)
    recode_prefix(Area.objects.all(), "code", old_code, code)
    handled: set[type[models.Model]] = {Area}
    for recoder in _RECODERS:
        handled |= recoder(old_code, code, actor=actor)
    for model, field in _scoped_models():
        if model not in handled:
            log_recoded(
                model,
                recode_prefix(model.objects.all(), field, old_code, code),
                old_code,
                code,
                actor=actor,
            )
    area.refresh_from_db()
    area.parent = new_parent
    area.save()
    record_change(
        actor=actor,
        action=ChangeAction.MOVE,
        instance=area,
        before=before,
        after=snapshot(area),
        note=_("Moved from %(old)s to %(new)s") % {"old": old_code, "new": code},
    )
    refresh_locator_after_commit()
    return area


@transaction.atomic
def retire_area(
    area: Area, *, actor: User, on: datetime.date | None = None, note: str = ""
) -> Area:
    """Retire an area and its subtree; rows keep their codes and the history stays readable."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    _require_manager(actor, area.code)
    if area.retired:
        raise ValidationError(_("The area is already retired."))
    day = on or timezone.localdate()
    before = snapshot(area)
    Area.objects.active().filter(code__startswith=area.code).update(
        valid_to=day, updated_at=timezone.now()
    )
    area.refresh_from_db()
    record_change(
        actor=actor,
        action=ChangeAction.RETIRE,
        instance=area,
        before=before,
        after=snapshot(area),
        note=note,
    )
    refresh_locator_after_commit()
    return area


@transaction.atomic
def bulk_load(rows: list[AreaInput], *, actor: User, note: str = "") -> list[Area]:
    """Create many areas at once (demo, imports): parents before children, checked like one by one.

    A row's geometry may be GeoJSON (checked here) or a shapely geometry already checked.
    """
    for row in rows:
        _require_manager(actor, row.parent_code or row.code)
    known = {
        a.code: a
        for a in Area.objects.filter(code__in={r.parent_code for r in rows if r.parent_code})
    }
    created: list[Area] = []
    today = timezone.localdate()
    for row in sorted(rows, key=lambda r: len(r.code)):
        parent = known.get(row.parent_code) if row.parent_code else None
        if row.parent_code and parent is None:
            raise ValidationError(
                {"parent_code": _("No area has the code %(code)s.") % {"code": row.parent_code}}
            )
        _validate_fields(row, parent)
        geom = (
            parse_boundary(row.geometry, row.crs)
            if isinstance(row.geometry, dict)
            else row.geometry
        )
        area = Area(
            code=row.code,
            name=row.name,
            level=row.level,
            parent=parent,
            kind=row.kind,
            risk=row.risk,
            note=row.note,
            valid_from=today,
        )
        apply_boundary(area, geom)
        created.append(area)
        known[area.code] = area
    by_depth: dict[int, list[Area]] = {}
    for area in created:
        by_depth.setdefault(len(area.code), []).append(area)
    for depth in sorted(by_depth):
        batch = by_depth[depth]
        for area in batch:
            if area.parent is not None:
                area.parent_id = area.parent.pk
        Area.objects.bulk_create(batch, batch_size=500)
    record_changes(
        [
            change_entry(
                actor=actor, action=ChangeAction.IMPORT, instance=a, after=snapshot(a), note=note
            )
            for a in created
        ]
    )
    refresh_locator_after_commit()
    return created
