"""What an area's card shows beyond the tree itself. Other parts register their counts here
(people, households, open cases …) so the card grows as the platform does."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gridgov.areas import queries
from gridgov.areas.models import Area, Level


@dataclass
class Fact:
    label: str
    value: int | float | str
    key: str = ""


_PROVIDERS: list[Callable[[Area, object], list[Fact]]] = []


def provider(fn: Callable[[Area, object], list[Fact]]) -> Callable:
    """Register `fn(area, user) -> [Fact]`; it must restrict its own queries to the user."""
    _PROVIDERS.append(fn)
    return fn


def facts_for(area: Area, user) -> list[Fact]:
    result: list[Fact] = []
    for fn in _PROVIDERS:
        result.extend(fn(area, user))
    return result


@provider
def _tree_facts(area: Area, user) -> list[Fact]:
    if area.level == Level.GRID:
        return []
    counts = (
        queries.areas_for(user, within=area.code)
        .active()
        .exclude(pk=area.pk)
        .aggregate(
            streets=Count("id", filter=Q(level=Level.STREET)),
            communities=Count("id", filter=Q(level=Level.COMMUNITY)),
            grids=Count("id", filter=Q(level=Level.GRID)),
            special=Count("id", filter=Q(level=Level.GRID) & ~Q(kind="regular")),
        )
    )
    facts = []
    if counts["streets"]:
        facts.append(Fact(str(_("Streets")), counts["streets"], "streets"))
    if counts["communities"]:
        facts.append(Fact(str(_("Communities")), counts["communities"], "communities"))
    facts.append(Fact(str(_("Grids")), counts["grids"], "grids"))
    if counts["special"]:
        facts.append(Fact(str(_("Special grids")), counts["special"], "special_grids"))
    return facts
