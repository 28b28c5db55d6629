"""Reads of the registry for a user, all through restrict(): lists that stay fast at a million
people (indexed filters, keyset paging, capped counts), masked presentation, the building table."""

import datetime
import os
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.audit.services import record_access
from gridgov.registry.models import Building, House, KeyPopulationTag, Organization, Person, Place

AGE_BANDS = [
    ("0-17", 0, 17),
    ("18-34", 18, 34),
    ("35-59", 35, 59),
    ("60-79", 60, 79),
    ("80+", 80, 200),
]
COUNT_CAP = 10_000


def people_for(user, action: str = Action.VIEW, within: str = "") -> QuerySet:
    return restrict(Person.objects.filter(merged_into__isnull=True), user, action, within=within)


def get_person_for_user(user, pk, action: str = Action.VIEW) -> Person:
    return get_for_user(
        Person.objects.select_related("current_house__building"), user, action, pk=pk
    )


def tags_for(user, within: str = "") -> QuerySet:
    """Key service populations: only for roles given that right, and only in their scope."""
    return restrict(KeyPopulationTag.objects.all(), user, Action.VIEW_KEY_POPULATION, within=within)


def next_visit_due(tag: KeyPopulationTag) -> datetime.date | None:
    """The day the next visit is due: the last visit (annotated as `last_visit`) plus the tag's
    interval; never visited → due since the tag began (or today); None without an interval."""
    if not tag.visit_every_days:
        return None
    last = getattr(tag, "last_visit", None)
    if last is None:
        return tag.since or timezone.localdate()
    return timezone.localdate(last) + datetime.timedelta(days=tag.visit_every_days)


def log_key_population_sight(user, rows: Sequence, *, subject: Person | None = None) -> None:
    """Write the access log for a sight of key-population membership (a list of tagged people,
    a person's tags, people filtered by tag): who saw how many, scoped to the rows' common area.
    Every view and API answer that shows it calls this."""
    if not rows:
        return
    codes = [r.area_code for r in rows]
    record_access(
        actor=user,
        subject=subject,
        subject_type="registry.keypopulationtag",
        fields=["key_population"],
        record_count=len(rows),
        # The codes' common leading characters: the narrowest area holding every row.
        area_code="" if subject is not None else os.path.commonprefix(codes),  # noqa: RUF071
    )


def prefix_q(field: str, text: str) -> Q:
    """`field` starts with `text`, written to use an index (see accounts.scope._prefix_q)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": text, f"{field}__lt": text + "\uffff"})
    return Q(**{f"{field}__startswith": text})


def birth_range(
    min_age: int, max_age: int, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    today = today or datetime.date.today()
    oldest = today.replace(year=today.year - max_age - 1) + datetime.timedelta(days=1)
    youngest = today.replace(year=today.year - min_age)
    return oldest, youngest


def keyset_page(queryset: QuerySet, after: str, size: int = 50) -> tuple[list, str]:
    """One page ordered by (area code, id) after the cursor "area_code:id"; and the next cursor."""
    rows = queryset.order_by("area_code", "id")
    if after and ":" in after:
        code, _sep, pk = after.rpartition(":")
        if pk.isdigit():
            rows = rows.filter(Q(area_code__gt=code) | Q(area_code=code, id__gt=int(pk)))
    page = list(rows[: size + 1])
    more = len(page) > size
    page = page[:size]
    return page, (f"{page[-1].area_code}:{page[-1].pk}" if more and page else "")


def count_capped(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """The count, up to `cap` (counting a million rows on every page would be slow)."""
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


# Sealed at rest (SM4): lists leave them unread and show the stored masked forms instead.
SEALED_FIELDS = ("id_number", "other_id", "phone")


def present_person(person: Person) -> dict:
    """What lists, pages and the API show of a person: identifiers masked."""
    return {
        "id": person.pk,
        "name": person.name,
        "id_number": person.id_number_masked,  # stored masked: lists need not decrypt
        "other_id": person.other_id_masked,
        "phone": person.phone_masked,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "age": _age(person.birth_date),
        "registration": person.registration,
        "area_code": person.area_code,
    }


def _age(birth: datetime.date | None) -> int | None:
    if not birth:
        return None
    today = datetime.date.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def buildings_for(user, within: str = "") -> QuerySet:
    return restrict(Building.objects.all(), user, within=within)


def houses_for(user, within: str = "") -> QuerySet:
    return restrict(House.objects.all(), user, within=within)


def organizations_for(user, action: str = Action.VIEW, within: str = "") -> QuerySet:
    return restrict(Organization.objects.all(), user, action, within=within)


def places_for(user, within: str = "") -> QuerySet:
    return restrict(Place.objects.all(), user, within=within)


@dataclass
class Cell:
    house: House
    residents: int
    key: bool
    foreign: bool


def building_table(user, building: Building) -> list[dict]:
    """The 楼盘表: for each unit, floors from the top down, each a row of rooms with their state,
    how many live there, and marks where key populations (if the user may know) or foreigners
    live."""
    houses = list(houses_for(user).filter(building=building).order_by("unit", "-floor", "room"))
    ids = [h.pk for h in houses]
    residents: dict[int, int] = {}
    foreign: set[int] = set()
    key: set[int] = set()
    living = people_for(user).filter(current_house_id__in=ids)
    for house_id, registration in living.values_list("current_house_id", "registration"):
        residents[house_id] = residents.get(house_id, 0) + 1
        if registration == "overseas":
            foreign.add(house_id)
    if user_may(user, Action.VIEW_KEY_POPULATION):
        key = set(
            tags_for(user)
            .filter(person__current_house_id__in=ids, until__isnull=True)
            .values_list("person__current_house_id", flat=True)
        )
    units: dict[int, dict[int, list[Cell]]] = {}
    for h in houses:
        units.setdefault(h.unit, {}).setdefault(h.floor, []).append(
            Cell(h, residents.get(h.pk, 0), h.pk in key, h.pk in foreign)
        )
    return [
        {
            "unit": unit,
            "floors": [{"floor": floor, "rooms": rooms} for floor, rooms in floors.items()],
        }
        for unit, floors in units.items()
    ]
