"""Building the address gazetteer: from registry buildings and places, and from imports of
landmarks and road intersections (checked row by row, with a dry run). Every write goes through
the rights check and the scope of the actor."""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, restrict, user_may
from gridgov.areas.locator import locator
from gridgov.audit.services import record_event
from gridgov.registry.gazetteer import INTERSECTION, initials, keys_of, normalize, parse_parts
from gridgov.registry.models import Address, AddressKey, AddressKind, Building, Place, PlaceKind


def _require(actor: User, code: str = "") -> None:
    if not user_may(actor, Action.CHANGE) or (code and not code_in_scope(actor, code)):
        raise PermissionDenied(_("You may not change the address gazetteer here."))


def _write(rows: Sequence[Address]) -> int:
    """Insert or replace addresses by `source`, with their keys (inside the caller's
    transaction)."""
    sources = [r.source for r in rows]
    existing = dict(Address.objects.filter(source__in=sources).values_list("source", "pk"))
    for r in rows:
        r.pk = existing.get(r.source)
        r.initials = "\n".join(initials(t) for t in [r.name, *r.aliases.splitlines()] if t)[:400]
    new = [r for r in rows if r.pk is None]
    old = [r for r in rows if r.pk is not None]
    Address.objects.bulk_create(new, batch_size=500)
    if old:
        fields = [
            "kind", "name", "road", "number", "compound", "building", "unit", "room",
            "aliases", "initials", "lon", "lat", "area_code",
        ]  # fmt: skip
        Address.objects.bulk_update(old, fields, batch_size=500)
        AddressKey.objects.filter(address_id__in=[r.pk for r in old]).delete()
    if new and new[0].pk is None:  # a backend that does not return ids
        ids = dict(
            Address.objects.filter(source__in=[r.source for r in new]).values_list("source", "pk")
        )
        for r in new:
            r.pk = ids[r.source]
    AddressKey.objects.bulk_create(
        [AddressKey(address_id=r.pk, key=k) for r in rows for k in sorted(keys_of(r))],
        batch_size=2000,
    )
    return len(rows)


def _from_building(b: Building) -> Address | None:
    if b.lon is None or b.lat is None:
        return None
    text = b.address or b.name
    parts = parse_parts(text)
    aliases = b.name if b.name and b.name != text else ""
    return Address(
        kind=AddressKind.BUILDING,
        name=text[:200],
        aliases=aliases[:400],
        lon=b.lon,
        lat=b.lat,
        area_code=b.area_code,
        source=f"building:{b.code}"[:80],
        **parts,
    )


def _from_place(p: Place) -> Address:
    return Address(
        kind=AddressKind.PLACE,
        name=p.name[:200],
        lon=p.lon,
        lat=p.lat,
        area_code=p.area_code,
        source=f"place:{p.pk}",
    )


@transaction.atomic
def rebuild_from_registry(actor: User, *, within: str = "") -> int:
    """(Re)build the addresses of the registry's buildings and named places (not cameras) in the
    actor's scope, or under `within`. Imported landmarks and intersections stay."""
    _require(actor, within)
    buildings = restrict(Building.objects.all(), actor, Action.CHANGE, within=within or None)
    places = restrict(
        Place.objects.filter(kind__in=[PlaceKind.KEY_PLACE, PlaceKind.SUPPLIES]),
        actor,
        Action.CHANGE,
        within=within or None,
    )
    count = 0
    batch: list[Address] = []
    for b in buildings.order_by("pk").iterator(chunk_size=2000):
        row = _from_building(b)
        if row is not None:
            batch.append(row)
        if len(batch) >= 2000:
            count += _write(batch)
            batch = []
    batch += [_from_place(p) for p in places.order_by("pk")]
    count += _write(batch)
    record_event(
        actor=actor,
        object_type="registry.address",
        object_repr=_("Address gazetteer"),
        after={"rebuilt": count, "within": within},
        note=_("Addresses rebuilt from the registry"),
        action="update",
    )
    return count


IMPORT_COLUMNS = ("kind", "name", "aliases", "lon", "lat", "road", "number", "compound", "source")


@dataclass
class ImportReport:
    rows: int = 0
    good: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, reason)
    written: int = 0


def _check_row(n: int, row: dict, actor: User, report: ImportReport) -> Address | None:
    def bad(column: str, reason: str) -> None:
        report.errors.append((n, column, reason))

    kind = (row.get("kind") or "").strip()
    if kind not in (AddressKind.LANDMARK, AddressKind.INTERSECTION, AddressKind.PLACE):
        bad("kind", _("Give landmark, intersection or place."))
        return None
    name = (row.get("name") or "").strip()
    if not name or len(name) > 200:
        bad("name", _("Give a name of at most 200 characters."))
        return None
    try:
        lon, lat = float(row.get("lon") or ""), float(row.get("lat") or "")
    except ValueError:
        bad("lon", _("Give the longitude and latitude as numbers."))
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        bad("lon", _("Give the longitude and latitude as numbers."))
        return None
    hit = locator.locate(lon, lat)
    if hit is None:
        bad("lon", _("The point lies outside every grid of the jurisdiction."))
        return None
    if not code_in_scope(actor, hit.code):
        bad("lon", _("The point lies outside your area."))
        return None
    aliases = [a.strip() for a in re.split(r"[|\n;；]", row.get("aliases") or "") if a.strip()]
    if kind == AddressKind.INTERSECTION:
        m = INTERSECTION.match(normalize(name))
        if m is None:
            bad("name", _("Write an intersection as 'A与B交叉口'."))
            return None
        a, b = m["a"], m["b"]
        aliases += [f"{b}与{a}交叉口", f"{a}{b}路口", f"{b}{a}路口"]
    source = (row.get("source") or "").strip() or f"{kind}:{name}"
    return Address(
        kind=kind,
        name=name,
        aliases="\n".join(dict.fromkeys(aliases))[:400],
        road=(row.get("road") or "")[:60],
        number=(row.get("number") or "")[:20],
        compound=(row.get("compound") or "")[:60],
        lon=lon,
        lat=lat,
        area_code=hit.code,
        source=source[:80],
    )


def import_addresses(actor: User, rows: Iterable[dict], *, dry_run: bool = True) -> ImportReport:
    """Landmarks, named places and intersections from rows with IMPORT_COLUMNS. The dry run
    checks every row and reports each problem with its row number and column; a real run writes
    nothing unless every row is good (one transaction)."""
    _require(actor)
    report = ImportReport()
    good: list[Address] = []
    first_row: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        report.rows += 1
        address = _check_row(n, row, actor, report)
        if address is None:
            continue
        if address.source in first_row:
            reason = _("The same address is already in row %(row)s.") % {
                "row": first_row[address.source]
            }
            report.errors.append((n, "name", reason))
            continue
        first_row[address.source] = n
        good.append(address)
    report.good = len(good)
    if dry_run or report.errors:
        return report
    with transaction.atomic():
        report.written = _write(good)
        record_event(
            actor=actor,
            object_type="registry.address",
            object_repr=_("Address gazetteer"),
            after={"imported": report.written},
            note=_("Addresses imported"),
            action="create",
        )
    return report
