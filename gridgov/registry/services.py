"""Every change to the registry: one transaction, the change log with personal fields masked,
one record per person (the ID number or another identifier finds them)."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, restrict, user_may
from gridgov.areas.locator import locator
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_access, record_change, snapshot
from gridgov.registry import fields, transfers
from gridgov.registry.identity import parse_citizen_id, parse_credit_code
from gridgov.registry.lookups import (
    find_building_by_code,
    find_organization_by_credit_code,
    find_person,
)
from gridgov.registry.models import (
    Building,
    House,
    Household,
    HouseholdMember,
    KeyPopulationTag,
    Organization,
    Person,
    Place,
    RegistrationType,
    Residence,
    Visit,
)
from gridgov.registry.models.people import OtherIdType


def _require(actor: User, action: str, code: str) -> None:
    if not user_may(actor, action) or not code_in_scope(actor, code):
        raise PermissionDenied(_("You may not change records here."))


def _require_right(actor: User, action: str) -> None:
    if not user_may(actor, action):
        raise PermissionDenied(_("You may not change records here."))


def _writable(actor: User, record) -> bool:
    """Whether the writer may change this existing record (through the restriction function)."""
    return restrict(type(record).objects.filter(pk=record.pk), actor, Action.CHANGE).exists()


def grid_at(lon: float, lat: float) -> str:
    hit = locator.locate(lon, lat)
    if hit is None:
        raise ValidationError({"lon": _("The point lies outside every grid of the jurisdiction.")})
    return hit.code


def check_phone(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise ValidationError({"phone": _("A phone number has 7 to 12 digits.")})
    return phone


def clean_person(data: dict) -> dict:
    """Checked values for a person; birth date, sex and origin come from the ID number."""
    values: dict[str, Any] = {
        k: (data.get(k) or "") if k not in ("visa_expiry",) else data.get(k) for k in fields.PERSON
    }
    values["name"] = values["name"].strip()
    if not values["name"]:
        raise ValidationError({"name": _("A name is required.")})
    errors = {}
    if values["id_number"]:
        try:
            cid = parse_citizen_id(values["id_number"])
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        else:
            values.update(
                id_number=cid.number,
                birth_date=cid.birth_date,
                sex=cid.sex,
                origin_code=cid.region_code,
            )
    else:
        values["id_number"] = None
        if not values["other_id"]:
            errors["id_number"] = [
                _("Give the ID number, or another identifier for people without one.")
            ]
        elif values["other_id_type"] not in OtherIdType.values or not values["other_id_type"]:
            errors["other_id_type"] = [_("Say what kind of identifier it is.")]
    try:
        values["phone"] = check_phone(values["phone"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if values["registration"] not in RegistrationType.values:
        errors["registration"] = [_("Unknown registration type.")]
    if values["registration"] == RegistrationType.OVERSEAS and not values["nationality"]:
        errors["nationality"] = [_("Give the nationality of a person from overseas.")]
    if errors:
        raise ValidationError(errors)
    if "birth_date" in data and data.get("birth_date") and not values.get("birth_date"):
        values["birth_date"] = data["birth_date"]
    if "sex" in data and data.get("sex") and not values.get("sex"):
        values["sex"] = data["sex"]
    return values


def save_person(
    data: dict,
    *,
    actor: User,
    person: Person | None = None,
    house: House | None = None,
    area_code: str = "",
    source: str = "form",
) -> tuple[Person, bool]:
    """Create a person, or update the one their identifier names (never a second record).
    A record of another area is never touched: the writer gets `HeldElsewhere` and its holder a
    transfer request. Returns (person, created)."""
    _require_right(actor, Action.CHANGE)
    values = clean_person(data)
    existing = find_person(values)
    if existing is not None and person is not None and existing.pk == person.pk:
        existing = None
    if existing is not None and not _writable(actor, existing):
        code = house.area_code if house else (area_code or (person.area_code if person else ""))
        if not code:
            raise ValidationError(
                {"house": _("Say where the person lives (a house) or which grid they belong to.")}
            )
        _require(actor, Action.CHANGE, code)
        request = transfers.request_transfer(
            actor=actor, record=existing, target_code=code, target_house=house, source=source
        )
        raise transfers.HeldElsewhere("id_number" if values["id_number"] else "other_id", request)
    with transaction.atomic():
        return _save_person(
            values, actor=actor, person=person, existing=existing, house=house, area_code=area_code
        )


def _save_person(
    values: dict,
    *,
    actor: User,
    person: Person | None,
    existing: Person | None,
    house,
    area_code: str,
) -> tuple[Person, bool]:
    if person is not None and existing is not None:
        raise ValidationError(
            {"id_number": _("Another record already has this identifier: merge them instead.")}
        )
    target = person or existing
    code = house.area_code if house else (area_code or (target.area_code if target else ""))
    if not code:
        raise ValidationError(
            {"house": _("Say where the person lives (a house) or which grid they belong to.")}
        )
    _require(actor, Action.CHANGE, code)
    if target is None:
        target = Person(area_code=code, **values)
        target.save()
        record_change(
            actor=actor, action=ChangeAction.CREATE, instance=target, after=snapshot(target)
        )
        created = True
    else:
        _require(actor, Action.CHANGE, target.area_code)
        before = snapshot(target)
        for key, value in values.items():
            setattr(target, key, value)
        target.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=target,
            before=before,
            after=snapshot(target),
        )
        created = False
    if house is not None and target.current_house_id != house.pk:
        move_in(target, house, actor=actor)
    return target, created


@transaction.atomic
def move_in(
    person: Person,
    house: House,
    *,
    actor: User,
    relation: str = "resident",
    since: datetime.date | None = None,
) -> Residence:
    """The person now lives in `house`; a current residence elsewhere ends today (history kept)."""
    _require(actor, Action.CHANGE, house.area_code)
    _require(actor, Action.CHANGE, person.area_code)
    return place_person(person, house, actor=actor, relation=relation, since=since)


def place_person(
    person: Person,
    house: House,
    *,
    actor: User,
    relation: str = "resident",
    since: datetime.date | None = None,
) -> Residence:
    """The move itself, for callers that checked who may make it (`move_in`, and an accepted
    transfer request, where the holder hands the person to the requester's house)."""
    today = since or timezone.localdate()
    Residence.objects.filter(person=person, until__isnull=True).exclude(house=house).update(
        until=today
    )
    residence, _created = Residence.objects.get_or_create(
        person=person,
        house=house,
        until=None,
        defaults={"relation": relation, "since": today, "area_code": house.area_code},
    )
    before = snapshot(person, ["current_house_id", "area_code"])
    person.current_house, person.area_code = house, house.area_code
    person.save(update_fields=["current_house", "area_code", "updated_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=person,
        before=before,
        after=snapshot(person, ["current_house_id", "area_code"]),
        note=_("Moved in"),
    )
    return residence


def recode_record(record: Person | Organization, area_code: str, *, actor: User) -> None:
    """An accepted transfer without a house: the record now belongs to the requester's area and
    waits there for its address (a person's current residence ends)."""
    before = snapshot(record, ["area_code"])
    if isinstance(record, Person):
        Residence.objects.filter(person=record, until__isnull=True).update(
            until=timezone.localdate()
        )
        record.current_house = None
    else:
        record.house = None
    record.area_code = area_code
    record.save()
    record_change(
        actor=actor,
        action=ChangeAction.MOVE,
        instance=record,
        before=before,
        after=snapshot(record, ["area_code"]),
        note=_("Transferred to another area"),
    )


@transaction.atomic
def move_out(person: Person, *, actor: User, on: datetime.date | None = None) -> None:
    _require(actor, Action.CHANGE, person.area_code)
    Residence.objects.filter(person=person, until__isnull=True).update(
        until=on or timezone.localdate()
    )
    HouseholdMember.objects.filter(person=person, until__isnull=True).update(
        until=on or timezone.localdate()
    )
    before = snapshot(person, ["current_house_id"])
    person.current_house = None
    person.save(update_fields=["current_house", "updated_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=person,
        before=before,
        after=snapshot(person, ["current_house_id"]),
        note=_("Moved out"),
    )


@transaction.atomic
def merge_people(keep: Person, drop: Person, *, actor: User) -> Person:
    """Two records that turn out to be one person: the second's history moves to the first."""
    if keep.pk == drop.pk:
        raise ValidationError(_("Choose two different records."))
    _require(actor, Action.CHANGE, keep.area_code)
    _require(actor, Action.CHANGE, drop.area_code)
    if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
        raise ValidationError(_("The two records have different ID numbers: they are two people."))
    before = snapshot(keep)
    # Identifiers are unique: take them off the duplicate before the kept record gets them.
    moved = {}
    if not keep.id_number and drop.id_number:
        moved["id_number"] = drop.id_number
        drop.id_number = None
    if not keep.other_id and drop.other_id:
        moved["other_id_type"], moved["other_id"] = drop.other_id_type, drop.other_id
    drop.other_id, drop.other_id_type = "", ""
    drop.save(update_fields=["id_number", "other_id", "other_id_type"])
    for field in (*fields.PERSON, "birth_date", "sex", "origin_code"):
        if field in moved:
            setattr(keep, field, moved[field])
        elif (
            field not in ("id_number", "other_id", "other_id_type")
            and not getattr(keep, field)
            and getattr(drop, field)
        ):
            setattr(keep, field, getattr(drop, field))
    Residence.objects.filter(person=drop).update(person=keep)
    HouseholdMember.objects.filter(person=drop).update(person=keep)
    KeyPopulationTag.objects.filter(person=drop).update(person=keep)
    Household.objects.filter(head=drop).update(head=keep)
    if not keep.current_house_id and drop.current_house_id:
        keep.current_house_id, keep.area_code = drop.current_house_id, drop.area_code
    keep.save()
    drop.merged_into = keep
    drop.current_house = None
    drop.save(update_fields=["merged_into", "current_house"])
    record_change(
        actor=actor,
        action=ChangeAction.MERGE,
        instance=keep,
        before=before,
        after=snapshot(keep),
        note=_("Merged record %(id)s") % {"id": drop.pk},
    )
    record_change(
        actor=actor,
        action=ChangeAction.MERGE,
        instance=drop,
        note=_("Merged into record %(id)s") % {"id": keep.pk},
    )
    return keep


def authorize_export(actor: User, *, personal: bool = False) -> None:
    """The right to export registry lists, and for full personal data the right to that too."""
    if not user_may(actor, Action.EXPORT) or (
        personal and not user_may(actor, Action.EXPORT_PERSONAL)
    ):
        raise PermissionDenied(_("You may not export these records."))


def reveal_person(person: Person, *, actor: User, reason: str) -> dict:
    """The one way to read a person's full ID number and phone: it needs the right and a
    reason, and it is written to the access log."""
    if not user_may(actor, Action.VIEW_PERSONAL) or not code_in_scope(actor, person.area_code):
        raise PermissionDenied(_("You may not see this person's full record."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why you need the full record.")})
    record_access(
        actor=actor,
        subject=person,
        fields=["id_number", "phone", "other_id"],
        reason=reason.strip(),
    )
    return {"id_number": person.id_number or "", "phone": person.phone, "other_id": person.other_id}


# ---------------------------------------------------------------------------------------------
# buildings and houses


@transaction.atomic
def save_building(data: dict, *, actor: User, building: Building | None = None) -> Building:
    lon, lat = data.get("lon"), data.get("lat")
    if lon is None or lat is None:
        raise ValidationError({"lon": _("Give the building's position.")})
    code = grid_at(lon, lat)
    _require(actor, Action.CHANGE, code)
    if building is not None:
        _require(actor, Action.CHANGE, building.area_code)
    if not str(data.get("code", "")).strip() or not str(data.get("name", "")).strip():
        raise ValidationError({"code": _("A building needs a code and a name.")})
    before = snapshot(building) if building else None
    target = building or Building()
    for key in fields.BUILDING:
        if key in data:
            setattr(target, key, data[key])
    target.area_code = code
    holder = find_building_by_code(target.code)
    if holder is not None and holder.pk != target.pk:
        raise ValidationError({"code": _("The code %(code)s is taken.") % {"code": target.code}})
    target.save()
    if building is not None:
        House.objects.filter(building=target).update(area_code=code)
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE if building else ChangeAction.CREATE,
        instance=target,
        before=before,
        after=snapshot(target),
    )
    return target


@transaction.atomic
def generate_houses(building: Building, *, actor: User, use: str = "residence") -> int:
    """Create the rooms of a building from its units × floors × rooms per floor (skip existing)."""
    _require(actor, Action.CHANGE, building.area_code)
    existing = set(House.objects.filter(building=building).values_list("unit", "floor", "room"))
    rows = []
    for unit in range(1, building.units + 1):
        for floor in range(1, building.floors + 1):
            for n in range(1, building.rooms_per_floor + 1):
                room = f"{floor}{n:02d}"
                if (unit, floor, room) not in existing:
                    rows.append(
                        House(
                            building=building,
                            unit=unit,
                            floor=floor,
                            room=room,
                            use=use,
                            code=House.make_code(building.code, unit, floor, room),
                            area_code=building.area_code,
                        )
                    )
    House.objects.bulk_create(rows, batch_size=1000)
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=building,
        note=_("%(n)d houses created") % {"n": len(rows)},
    )
    return len(rows)


@transaction.atomic
def update_house(house: House, *, actor: User, **changes) -> House:
    _require(actor, Action.CHANGE, house.area_code)
    before = snapshot(house)
    for key in fields.HOUSE:
        if key in changes:
            setattr(house, key, changes[key])
    house.full_clean(exclude=["building", "code", "area_code"])
    house.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=house,
        before=before,
        after=snapshot(house),
    )
    return house


# ---------------------------------------------------------------------------------------------
# organizations, places, key populations


def save_organization(
    data: dict, *, actor: User, organization: Organization | None = None, source: str = "form"
) -> tuple[Organization, bool]:
    """Create an organization, or update the one its credit code names when it lies in the
    writer's scope; one held elsewhere gets a transfer request (`HeldElsewhere`)."""
    _require_right(actor, Action.CHANGE)
    credit = (data.get("credit_code") or "").strip()
    if credit:
        try:
            credit = parse_credit_code(credit)
        except ValidationError as exc:
            raise ValidationError({"credit_code": exc.messages}) from exc
    existing = find_organization_by_credit_code(credit) if credit else None
    if existing is not None and organization is not None and existing.pk == organization.pk:
        existing = None
    elsewhere = existing if existing is not None and not _writable(actor, existing) else None
    held_elsewhere = elsewhere is not None
    if organization is not None and existing is not None and not held_elsewhere:
        raise ValidationError({"credit_code": _("Another organization has this credit code.")})
    target = organization or (None if held_elsewhere else existing)
    if not (data.get("name") or "").strip():
        raise ValidationError({"name": _("A name is required.")})
    house = data.get("house")
    if data.get("lon") is not None and data.get("lat") is not None:
        code = grid_at(data["lon"], data["lat"])
    elif house is not None:
        code = house.area_code
    elif target is not None:
        code = target.area_code
    else:
        raise ValidationError({"lon": _("Give the position or the house of the organization.")})
    _require(actor, Action.CHANGE, code)
    if elsewhere is not None:
        # Outside the write transaction, so the request is kept while the write is refused.
        request = transfers.request_transfer(
            actor=actor, record=elsewhere, target_code=code, source=source
        )
        raise transfers.HeldElsewhere("credit_code", request)
    if target is not None:
        _require(actor, Action.CHANGE, target.area_code)
    return _write_organization(data, target=target, code=code, credit=credit, actor=actor)


@transaction.atomic
def _write_organization(
    data: dict, *, target: Organization | None, code: str, credit: str, actor: User
) -> tuple[Organization, bool]:
    before = snapshot(target) if target else None
    created = target is None
    target = target or Organization()
    for key in (*fields.ORGANIZATION, "house"):  # the credit code is checked above
        if key in data and key != "credit_code":
            setattr(target, key, data[key])
    target.phone = check_phone(target.phone)
    target.credit_code = credit or None
    target.area_code = code
    target.save()
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
        instance=target,
        before=before,
        after=snapshot(target),
    )
    return target, created


@transaction.atomic
def save_place(data: dict, *, actor: User, place: Place | None = None) -> Place:
    if data.get("lon") is None or data.get("lat") is None:
        raise ValidationError({"lon": _("Give the position.")})
    code = grid_at(data["lon"], data["lat"])
    _require(actor, Action.CHANGE, code)
    if place is not None:
        _require(actor, Action.CHANGE, place.area_code)
    component = (data.get("component_code") or "").strip()
    if component and not (len(component) == 16 and component.isdigit()):
        raise ValidationError(
            {"component_code": _("A component ID has 16 digits (county, class, serial).")}
        )
    before = snapshot(place) if place else None
    target = place or Place()
    for key in fields.PLACE:  # the component ID is checked above
        if key in data and key != "component_code":
            setattr(target, key, data[key])
    target.component_code = component
    target.area_code = code
    target.full_clean(exclude=["owner_department"])
    target.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE if place else ChangeAction.CREATE,
        instance=target,
        before=before,
        after=snapshot(target),
    )
    return target


@transaction.atomic
def tag_key_population(
    person: Person,
    *,
    actor: User,
    category: str,
    level: str = "low",
    responsible=None,
    visit_every_days: int = 30,
    notes: str = "",
) -> KeyPopulationTag:
    if not user_may(actor, Action.VIEW_KEY_POPULATION) or not code_in_scope(
        actor, person.area_code
    ):
        raise PermissionDenied(_("You may not manage key service populations."))
    tag = KeyPopulationTag.objects.create(
        person=person,
        category=category,
        level=level,
        responsible=responsible,
        visit_every_days=visit_every_days,
        notes=notes,
        since=timezone.localdate(),
        area_code=person.area_code,
    )
    tag.full_clean()
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=tag,
        after=snapshot(tag, ["category", "level", "person_id"]),
    )
    return tag


@transaction.atomic
def record_visit(person: Person, *, actor: User, note: str = "", when=None) -> Visit:
    """A visit by a grid member; it closes the gap the person's open tags ask to be visited in."""
    _require(actor, Action.CHANGE, person.area_code)
    tag = person.key_tags.filter(until__isnull=True).order_by("-level").first()
    visit = Visit.objects.create(
        person=person,
        tag=tag,
        visitor=actor,
        time=when or timezone.now(),
        note=note,
        area_code=person.area_code,
    )
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=visit,
        after=snapshot(visit, ["person_id", "note"]),
    )
    return visit


@transaction.atomic
def create_household(
    house: House,
    head: Person,
    *,
    actor: User,
    number: str = "",
    members: Sequence[tuple[Person, str]] = (),
) -> Household:
    _require(actor, Action.CHANGE, house.area_code)
    household = Household.objects.create(
        number=number or f"H{house.code}", house=house, head=head, area_code=house.area_code
    )
    HouseholdMember.objects.create(
        household=household, person=head, relation="本人", since=timezone.localdate()
    )
    for person, relation in members:
        HouseholdMember.objects.create(
            household=household, person=person, relation=relation, since=timezone.localdate()
        )
    record_change(
        actor=actor, action=ChangeAction.CREATE, instance=household, after=snapshot(household)
    )
    return household
