"""Reads of the area tree for a user: every one starts from the scope restriction."""

from django.db.models import Q, QuerySet
from django.http import Http404

from gridgov.accounts.models import StaffAssignment
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.areas.models import Area, AreaQuerySet, Level


def areas_for(user, action: str = Action.VIEW, within: str | None = None) -> AreaQuerySet:
    return restrict(Area.objects.all(), user, action, within=within)


def get_area_for_user(user, code: str, action: str = Action.VIEW) -> Area:
    """One area by code inside the user's scope, else 404 (as if it did not exist)."""
    return get_for_user(Area.objects.select_related("parent"), user, action, code=code)


def roots_for(user) -> list[Area]:
    """The top nodes of the tree this user sees: their scope areas (or the real roots)."""
    qs = areas_for(user).active()
    codes = getattr(user, "scope_codes", [])
    if codes and not user.is_superuser and qs.filter(code__in=codes).exists():
        return list(qs.filter(code__in=codes))
    return list(qs.filter(parent__isnull=True)) or list(qs.filter(code__in=codes))


def chain_of(area: Area) -> list[Area]:
    """Ancestors from the top down (names only are shown, whatever the scope)."""
    return list(Area.objects.filter(code__in=area.ancestor_codes()).order_by("code"))


def search(user, text: str, limit: int = 20) -> list[Area]:
    text = text.strip()
    if not text:
        return []
    q = Q(name__icontains=text)
    if text.isdigit():
        q |= Q(code__startswith=text)
    return list(areas_for(user).active().filter(q).order_by("code")[:limit])


def staff_of(user, area: Area) -> QuerySet:
    qs = restrict(StaffAssignment.objects.select_related("user"), user, within=area.code)
    qs = qs.filter(until__isnull=True)
    return qs.filter(grid=area) if area.level == Level.GRID else qs


def ensure_grid(area: Area) -> Area:
    if area.level != Level.GRID:
        raise Http404
    return area


def picker_choices(user) -> list[Area]:
    """The streets and communities in the user's scope, for an area filter's select."""
    qs = areas_for(user).active().filter(level__in=[Level.STREET, Level.COMMUNITY])
    return list(qs.only("code", "name", "level").order_by("code"))


def names_by_level(codes) -> dict[str, dict[str, str]]:
    """For each area code, the names of it and its ancestors by level ({"grid": …, "community": …}),
    in one query. Names only are shown, whatever the scope (as in chain_of)."""
    codes = {c for c in codes if c}
    chains = {code: [*Area(code=code).ancestor_codes(), code] for code in codes}
    wanted = {c for chain in chains.values() for c in chain}
    rows = {a.code: a for a in Area.objects.filter(code__in=wanted).only("code", "name", "level")}
    return {
        code: {rows[c].level: rows[c].name for c in chain if c in rows}
        for code, chain in chains.items()
    }


def name_of(code: str) -> str:
    """An area's name by code, whatever the scope (names only), or "" for an unknown code."""
    return Area.objects.filter(code=code).values_list("name", flat=True).first() or ""
