"""The rules of each kind of record: identity, duplicates in the file, scope, and records held
by another area (reported, or sent as transfer requests)."""

import contextlib
import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.scope import code_in_scope, has_global_scope
from gridgov.areas.locator import locator
from gridgov.registry import lookups, transfers
from gridgov.registry.identity import parse_citizen_id, parse_credit_code
from gridgov.registry.importing.reading import Report, RowError
from gridgov.registry.importing.sql import house_places
from gridgov.registry.models import Building, House, Organization, Person, RegistrationType

ETHNICITIES = frozenset(
    (Path(__file__).parents[1] / "data" / "ethnicities.txt")
    .read_text(encoding="utf-8")
    .split("\n", 1)[1]
    .split()
)


def _scope_ok(actor: User, code: str) -> bool:
    return has_global_scope(actor) or code_in_scope(actor, code)


def _precheck_people(records: list[dict], seen: dict) -> list[dict]:
    """Identity, duplicates in the file and the other field rules; problems are kept on the
    record (`_problems`) so the house check can add its own and every problem is reported."""
    today = datetime.date.today()
    for r in records:
        problems = []
        if r.get("id_number"):
            try:
                cid = parse_citizen_id(r["id_number"], today)
                r["id_number"], r["birth_date"], r["sex"], r["origin_code"] = (
                    cid.number,
                    cid.birth_date,
                    cid.sex,
                    cid.region_code,
                )
            except ValidationError as exc:
                problems.append(("公民身份号码", exc.messages[0]))
        elif not r.get("other_id"):
            problems.append(("公民身份号码", _("give the ID number, or another identifier")))
        elif not r.get("other_id_type"):
            problems.append(("其他证件类型", _("say what kind of identifier it is")))
        key = r.get("id_number") or f"{r.get('other_id_type')}:{r.get('other_id')}"
        if key and key in seen:
            problems.append(
                ("公民身份号码", _("the same person is already in row %(n)d") % {"n": seen[key]})
            )
        if r.get("ethnicity") and r["ethnicity"] not in ETHNICITIES:
            problems.append(("民族", _("not one of the 56 ethnic groups of GB/T 3304")))
        r["registration"] = r.get("registration") or RegistrationType.REGISTERED
        if r["registration"] == RegistrationType.OVERSEAS and not r.get("nationality"):
            problems.append(("国籍", _("required for people from overseas")))
        if r.get("since") and r["since"] > today:
            problems.append(("入住日期", _("date out of range")))
        if not r.get("house_code"):
            problems.append(("房屋编码", _("required: the house the person lives in")))
        if problems:
            r["_problems"] = problems
        else:
            seen[key] = r["_row"]
    return records


def _person_key(r: dict) -> str:
    return r.get("id_number") or f"{r.get('other_id_type')}:{r.get('other_id')}"


def _known_people(records: list[dict], actor: User) -> tuple[dict[str, tuple[int, str]], set[int]]:
    """The people the rows' identifiers name, and which of them the writer may change."""
    ids = [r["id_number"] for r in records if r.get("id_number")]
    others = [
        (r["other_id_type"], r["other_id"])
        for r in records
        if not r.get("id_number") and r.get("other_id")
    ]
    found = lookups.find_people_by_id_numbers(ids) if ids else {}
    if others:
        found.update(lookups.find_people_by_other_ids(others))
    pks = sorted({pk for pk, _code in found.values()})
    return found, lookups.writable_ids(Person, pks, actor)


def _held_elsewhere(model: type, held: dict[int, dict], report: Report, actor: User, column: str):
    """Rows whose identifier names a record of another area: reported, never applied. The dry run
    logs each match; the real run sends a transfer request for it (which logs it)."""
    if not held:
        return
    records = model.objects.in_bulk(list(held))
    if not report.writing:
        transfers.log_matches(actor, list(records.values()), source="import")
    houses = House.objects.in_bulk([r["house_id"] for r in held.values() if r.get("house_id")])
    for pk, r in held.items():
        if report.writing:
            request = transfers.request_transfer(
                actor=actor,
                record=records[pk],
                target_code=r["area_code"],
                target_house=houses.get(r.get("house_id")) if model is Person else None,
                source="import",
            )
            reason = _(
                "held by another area: transfer request No. %(n)d was sent to its holder"
            ) % {"n": request.pk}
        else:
            reason = _("held by another area: importing sends a transfer request to its holder")
        report.errors.append(RowError(r["_row"], column, reason))


def _check_people(records: list[dict], report: Report, actor: User, seen: dict) -> list[dict]:
    good = []
    houses = house_places([r["house_code"] for r in records if r.get("house_code")])
    known, writable = _known_people([r for r in records if not r.get("_problems")], actor)
    held: dict[int, dict] = {}
    for r in records:
        problems = r.pop("_problems", [])
        if r.get("house_code"):
            found = houses.get(r["house_code"])
            if found is None:
                problems.append(("房屋编码", _("unknown house %(c)s") % {"c": r["house_code"]}))
            elif not _scope_ok(actor, found[1]):
                problems.append(("房屋编码", _("the house lies outside your scope")))
            else:
                r["house_id"], r["area_code"] = found
        match = known.get(_person_key(r))
        if match is not None and match[0] not in writable:
            if not problems:
                held[match[0]] = r
                continue
        elif match is not None:
            r["_pk"] = match[0]
        if problems:
            report.errors.extend(RowError(r["_row"], c, reason) for c, reason in problems)
            continue
        good.append(r)
    _held_elsewhere(Person, held, report, actor, "公民身份号码")
    return good


def _check_buildings(records, report, actor: User, seen):
    good = []
    codes = (
        dict(
            Building.objects.filter(code__in=[r["code"] for r in records]).values_list("code", "id")
        )
        if records
        else {}
    )
    writable = lookups.writable_ids(Building, sorted(codes.values()), actor)
    located = (
        locator.locate_codes([r["lon"] for r in records], [r["lat"] for r in records])
        if records
        else []
    )
    for r, grid in zip(records, located, strict=True):
        n = r["_row"]
        if r["code"] in seen:
            report.errors.append(
                RowError(
                    n,
                    "楼栋编码",
                    _("the same building is already in row %(n)d") % {"n": seen[r["code"]]},
                )
            )
            continue
        if grid is None:
            report.errors.append(
                RowError(n, "经度", _("the point lies outside every grid of the jurisdiction"))
            )
            continue
        if not _scope_ok(actor, grid):
            report.errors.append(RowError(n, "经度", _("the point lies outside your scope")))
            continue
        if r["code"] in codes and codes[r["code"]] not in writable:
            report.errors.append(
                RowError(n, "楼栋编码", _("the code belongs to a building of another area"))
            )
            continue
        seen[r["code"]] = n
        r["area_code"] = grid
        if r["code"] in codes:
            r["_pk"] = codes[r["code"]]
        good.append(r)
    return good


def _check_houses(records, report, actor: User, seen):
    good = []
    buildings = {
        code: (pk, area)
        for code, pk, area in Building.objects.filter(
            code__in={r["building_code"] for r in records}
        ).values_list("code", "id", "area_code")
    }
    wanted = [
        House.make_code(r["building_code"], r["unit"], r["floor"], r["room"]) for r in records
    ]
    houses = dict(House.objects.filter(code__in=wanted).values_list("code", "id"))
    writable = lookups.writable_ids(House, sorted(houses.values()), actor)
    for r in records:
        n = r["_row"]
        found = buildings.get(r["building_code"])
        if found is None:
            report.errors.append(
                RowError(n, "楼栋编码", _("unknown building %(c)s") % {"c": r["building_code"]})
            )
            continue
        if not _scope_ok(actor, found[1]):
            report.errors.append(RowError(n, "楼栋编码", _("the building lies outside your scope")))
            continue
        code = House.make_code(r["building_code"], r["unit"], r["floor"], r["room"])
        if code in seen:
            report.errors.append(
                RowError(n, "房号", _("the same room is already in row %(n)d") % {"n": seen[code]})
            )
            continue
        if code in houses and houses[code] not in writable:
            report.errors.append(RowError(n, "房号", _("the house code belongs to another area")))
            continue
        seen[code] = n
        r["building_id"], r["area_code"], r["code"] = found[0], found[1], code
        if code in houses:
            r["_pk"] = houses[code]
        good.append(r)
    return good


def _check_organizations(records, report, actor: User, seen):
    good = []
    houses = {
        code: (pk, area)
        for code, pk, area in House.objects.filter(
            code__in={r["house_code"] for r in records if r.get("house_code")}
        ).values_list("code", "id", "area_code")
    }
    credits = []
    for r in records:
        if r.get("credit_code"):
            with contextlib.suppress(ValidationError):
                credits.append(parse_credit_code(r["credit_code"]))
    known = lookups.find_organizations_by_credit_codes(credits) if credits else {}
    writable = lookups.writable_ids(Organization, sorted(pk for pk, _c in known.values()), actor)
    held: dict[int, dict] = {}
    for r in records:
        n = r["_row"]
        problems = []
        if r.get("credit_code"):
            try:
                r["credit_code"] = parse_credit_code(r["credit_code"])
            except ValidationError as exc:
                problems.append(("统一社会信用代码", exc.messages[0]))
            else:
                if r["credit_code"] in seen:
                    problems.append(
                        (
                            "统一社会信用代码",
                            _("the same organization is already in row %(n)d")
                            % {"n": seen[r["credit_code"]]},
                        )
                    )
        code = None
        if r.get("lon") is not None and r.get("lat") is not None:
            hit = locator.locate(r["lon"], r["lat"])
            code = hit.code if hit else None
            if code is None:
                problems.append(
                    ("经度", _("the point lies outside every grid of the jurisdiction"))
                )
        elif r.get("house_code"):
            found = houses.get(r["house_code"])
            if found is None:
                problems.append(("房屋编码", _("unknown house %(c)s") % {"c": r["house_code"]}))
            else:
                r["house_id"], code = found
        else:
            problems.append(("经度", _("give the position or the house")))
        if code and not _scope_ok(actor, code):
            problems.append(("经度", _("the place lies outside your scope")))
        if problems:
            report.errors.extend(RowError(n, c, reason) for c, reason in problems)
            continue
        r["area_code"] = code
        match = known.get(r.get("credit_code") or "")
        if match is not None and match[0] not in writable:
            held[match[0]] = r
            continue
        if match is not None:
            r["_pk"] = match[0]
        if r.get("credit_code"):
            seen[r["credit_code"]] = n
        good.append(r)
    _held_elsewhere(Organization, held, report, actor, "统一社会信用代码")
    return good


_PRECHECKS = {"people": _precheck_people}
_CHECKERS = {
    "people": _check_people,
    "buildings": _check_buildings,
    "houses": _check_houses,
    "organizations": _check_organizations,
}
