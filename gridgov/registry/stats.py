"""Registry statistics for the dashboard and the API: per area subtree, for a user's scope.

Each returns plain lists of dicts so they serialise as they are. The cockpit reads them through
its roll-ups; the API serves them directly."""

import datetime

from django.db.models import Case, CharField, Count, Q, Value, When

from gridgov.registry.models import HouseState, OrganizationKind, RegistrationType, Sex
from gridgov.registry.queries import (
    AGE_BANDS,
    birth_range,
    houses_for,
    organizations_for,
    people_for,
)


def population_by_age_and_sex(
    user, area_code: str = "", today: datetime.date | None = None
) -> list[dict]:
    """[{band, male, female}] for the age bands 0–17, 18–34, 35–59, 60–79, 80+."""
    whens = []
    for name, low, high in AGE_BANDS:
        start, end = birth_range(low, high, today)
        whens.append(When(birth_date__range=(start, end), then=Value(name)))
    band = Case(*whens, default=Value("unknown"), output_field=CharField())
    rows = (
        people_for(user, within=area_code)
        .annotate(band=band)
        .values("band")
        .annotate(
            male=Count("id", filter=Q(sex=Sex.MALE)), female=Count("id", filter=Q(sex=Sex.FEMALE))
        )
    )
    found = {r["band"]: r for r in rows}
    return [
        {
            "band": name,
            "male": found.get(name, {}).get("male", 0),
            "female": found.get(name, {}).get("female", 0),
        }
        for name, _l, _h in AGE_BANDS
    ]


def population_by_registration(user, area_code: str = "") -> list[dict]:
    """[{registration, label, count}]: registered, floating, overseas, unregistered."""
    counts = dict(
        people_for(user, within=area_code).values_list("registration").annotate(n=Count("id"))
    )
    return [
        {"registration": v, "label": str(label), "count": counts.get(v, 0)}
        for v, label in RegistrationType.choices
    ]


def houses_by_state(user, area_code: str = "") -> list[dict]:
    counts = dict(houses_for(user, within=area_code).values_list("state").annotate(n=Count("id")))
    return [
        {"state": v, "label": str(label), "count": counts.get(v, 0)}
        for v, label in HouseState.choices
    ]


def organizations_by_kind(user, area_code: str = "") -> list[dict]:
    counts = dict(
        organizations_for(user, within=area_code).values_list("kind").annotate(n=Count("id"))
    )
    return [
        {"kind": v, "label": str(label), "count": counts.get(v, 0)}
        for v, label in OrganizationKind.choices
    ]
