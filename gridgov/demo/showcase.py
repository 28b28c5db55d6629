"""The community and grid whose demo accounts are printed: the first community by code and its
first grid. The registry and case parts of the demo make sure these have buildings, residents,
visits and cases, so the printed accounts open on a living area."""

from collections.abc import Iterable

from gridgov.areas.models import Area, Level


def pick(codes: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(community, grid) from (code, level) pairs: the first community, its first grid."""
    pairs = list(codes)
    community = min(code for code, level in pairs if level == Level.COMMUNITY)
    grid = min(code for code, level in pairs if level == Level.GRID and code.startswith(community))
    return community, grid


def showcase() -> tuple[str, str]:
    """The printed community and grid of the loaded demo."""
    return pick(
        Area.objects.active()
        .filter(level__in=[Level.COMMUNITY, Level.GRID])
        .values_list("code", "level")
    )
