"""Small set-ups of federated platforms for the two-instance tests and `federation-demo`.

Each function works in the database of the platform it runs in (called through
`gridgov federation …`, see the management command) and returns what the caller needs as a dict
that the command prints as JSON.
"""

import shapely
from django.db import transaction

from gridgov.accounts.permissions import Role
from gridgov.accounts.services import create_user
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area, Level
from gridgov.areas.services import AreaInput, bulk_load

# Known districts of the city 4101 and a box for each (lon, lat), for instances without a tree.
DISTRICTS = {
    "410102": ("中原区", (113.50, 34.70, 113.60, 34.80)),
    "410103": ("二七区", (113.55, 34.60, 113.65, 34.70)),
    "410105": ("金水区", (113.60, 34.70, 113.70, 34.80)),
}
CITY = ("4101", "郑州市")
ADMIN_PASSWORD = "federation-Demo-1"  # noqa: S105 (the demo's and the tests' platforms only)


def _district_rows(code: str, parent: str | None) -> list[AreaInput]:
    name, (x0, y0, x1, y1) = DISTRICTS.get(code, (f"区{code}", (113.6, 34.7, 113.7, 34.8)))
    street, community, grid = f"{code}001", f"{code}001001", f"{code}00100101"
    box = shapely.box(x0, y0, x1, y1)
    return [
        AreaInput(code, name, Level.DISTRICT, parent, geometry=box),
        AreaInput(street, f"{name}第一街道", Level.STREET, code, geometry=box),
        AreaInput(community, f"{name}第一社区", Level.COMMUNITY, street, geometry=box),
        AreaInput(grid, f"{name}第一网格", Level.GRID, community, geometry=box),
    ]


def _admin(scope: str) -> dict:
    create_user(
        actor=system_user(SETUP),
        username="admin",
        password=ADMIN_PASSWORD,
        role=Role.ADMIN,
        scope_codes=[scope],
        full_name="管理员",
    )
    return {"username": "admin", "password": ADMIN_PASSWORD}


@transaction.atomic
def init_district(code: str, *, with_tree: bool = True) -> dict:
    """A district platform: its small tree (unless loaded otherwise) and an administrator."""
    if with_tree and not Area.objects.filter(code=code).exists():
        bulk_load(_district_rows(code, None), actor=system_user(SETUP), note="federation")
    return {"area": code, "grid": f"{code}00100101", **_admin(code)}


@transaction.atomic
def init_city(members: list[str]) -> dict:
    """A city platform with its member districts' small trees and an administrator."""
    code, name = CITY
    x0 = min(DISTRICTS[m][1][0] for m in members if m in DISTRICTS) if members else 113.5
    rows = [AreaInput(code, name, Level.CITY, None, geometry=shapely.box(x0, 34.6, 113.7, 34.8))]
    for member in members:
        rows += _district_rows(member, code)
    bulk_load(rows, actor=system_user(SETUP), note="federation")
    return {"area": code, **_admin(code)}
