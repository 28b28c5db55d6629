"""A small, exact area tree for tests of every part (imported by the root conftest).

District 410105 spans lon 113.60–113.64, lat 34.70–34.72. Street 001 is the west half, street
002 the east half; each street has two communities (north, south), each community four grids
in a 2 × 2 block. Every boundary is an axis-aligned box, so expected answers are easy to state.
"""

from dataclasses import dataclass

import shapely

from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area, GridKind, Level, Risk
from gridgov.areas.services import AreaInput, bulk_load

DISTRICT = "410105"
STREET_A = "410105001"
STREET_B = "410105002"
X0, X1, Y0, Y1 = 113.60, 113.64, 34.70, 34.72


@dataclass
class Tree:
    district: Area
    streets: list[Area]
    communities: list[Area]
    grids: list[Area]

    def grid(self, code: str) -> Area:
        return next(g for g in self.grids if g.code == code)


def build_tree() -> Tree:
    rows = [
        AreaInput(DISTRICT, "金水区", Level.DISTRICT, None, geometry=shapely.box(X0, Y0, X1, Y1))
    ]
    xm = (X0 + X1) / 2
    ym = (Y0 + Y1) / 2
    for s, (sx0, sx1, name) in enumerate([(X0, xm, "经八路街道"), (xm, X1, "花园路街道")], 1):
        street = f"{DISTRICT}{s:03d}"
        rows.append(
            AreaInput(street, name, Level.STREET, DISTRICT, geometry=shapely.box(sx0, Y0, sx1, Y1))
        )
        for c, (cy0, cy1) in enumerate([(ym, Y1), (Y0, ym)], 1):
            community = f"{street}{c:03d}"
            rows.append(
                AreaInput(
                    community,
                    f"{name[:2]}{'北' if c == 1 else '南'}社区",
                    Level.COMMUNITY,
                    street,
                    geometry=shapely.box(sx0, cy0, sx1, cy1),
                )
            )
            gx = (sx0 + sx1) / 2
            gy = (cy0 + cy1) / 2
            boxes = [(sx0, gy, gx, cy1), (gx, gy, sx1, cy1), (sx0, cy0, gx, gy), (gx, cy0, sx1, gy)]
            for g, box in enumerate(boxes, 1):
                special = s == 2 and c == 1 and g == 4
                rows.append(
                    AreaInput(
                        f"{community}{g:02d}",
                        f"{name[:2]}{'北' if c == 1 else '南'}第{g}网格"
                        + ("（学校）" if special else ""),
                        Level.GRID,
                        community,
                        kind=GridKind.SCHOOL if special else GridKind.REGULAR,
                        risk=Risk.MEDIUM if special else Risk.NONE,
                        geometry=shapely.box(*box),
                    )
                )
    bulk_load(rows, actor=system_user(SETUP), note="test tree")
    areas = {a.code: a for a in Area.objects.all()}
    return Tree(
        district=areas[DISTRICT],
        streets=[a for a in areas.values() if a.level == Level.STREET],
        communities=sorted(
            (a for a in areas.values() if a.level == Level.COMMUNITY), key=lambda a: a.code
        ),
        grids=sorted((a for a in areas.values() if a.level == Level.GRID), key=lambda a: a.code),
    )
