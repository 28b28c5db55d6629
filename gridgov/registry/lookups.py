"""Lookups by identifier: one small function per identifier, so how identifiers are stored (or
encrypted with a blind index) is known in this one place. They return records of any area: a
writer checks the record found (`writable_ids`, through the restriction function) before it
updates, merges, moves or returns it."""

from collections.abc import Sequence

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.registry.models import Building, Organization, Person


def find_person_by_id_number(id_number: str) -> Person | None:
    return Person.objects.filter(id_number=id_number).first()


def find_person_by_other_id(kind: str, number: str) -> Person | None:
    return Person.objects.filter(other_id_type=kind, other_id=number).first()


def find_people_by_id_numbers(numbers: Sequence[str]) -> dict[str, tuple[int, str]]:
    """{ID number: (person id, area code)} for many numbers at once (imports)."""
    found: dict[str, tuple[int, str]] = {}
    for i in range(0, len(numbers), 900):
        rows = Person.objects.filter(id_number__in=numbers[i : i + 900]).values_list(
            "id_number", "id", "area_code"
        )
        found.update({number: (pk, code) for number, pk, code in rows})
    return found


def find_people_by_other_ids(pairs: Sequence[tuple[str, str]]) -> dict[str, tuple[int, str]]:
    """{"kind:number": (person id, area code)} for many other identifiers at once (imports)."""
    wanted = {f"{kind}:{number}" for kind, number in pairs}
    found: dict[str, tuple[int, str]] = {}
    numbers = sorted({number for _kind, number in pairs})
    for i in range(0, len(numbers), 900):
        rows = Person.objects.filter(other_id__in=numbers[i : i + 900]).values_list(
            "other_id_type", "other_id", "id", "area_code"
        )
        for kind, number, pk, code in rows:
            if f"{kind}:{number}" in wanted:
                found[f"{kind}:{number}"] = (pk, code)
    return found


def find_organization_by_credit_code(credit_code: str) -> Organization | None:
    return Organization.objects.filter(credit_code=credit_code).first()


def find_organizations_by_credit_codes(codes: Sequence[str]) -> dict[str, tuple[int, str]]:
    """{credit code: (organization id, area code)} for many codes at once (imports)."""
    found: dict[str, tuple[int, str]] = {}
    for i in range(0, len(codes), 900):
        rows = Organization.objects.filter(credit_code__in=codes[i : i + 900]).values_list(
            "credit_code", "id", "area_code"
        )
        found.update({code: (pk, area) for code, pk, area in rows})
    return found


def find_building_by_code(code: str) -> Building | None:
    return Building.objects.filter(code=code).first()


def find_person(values: dict) -> Person | None:
    if values.get("id_number"):
        return find_person_by_id_number(values["id_number"])
    if values.get("other_id"):
        return find_person_by_other_id(values["other_id_type"], values["other_id"])
    return None


def writable_ids(model: type, pks: Sequence[int], actor: User) -> set[int]:
    """Which of these records the writer may change (through the restriction function)."""
    allowed: set[int] = set()
    for i in range(0, len(pks), 900):
        allowed.update(
            restrict(model.objects.filter(pk__in=pks[i : i + 900]), actor, Action.CHANGE)
            .values_list("pk", flat=True)
            .distinct()
        )
    return allowed
