"""The phone app in the scope matrix: street A's operator never sees street B's cases, grids or
households on the phone pages, the to-do list or the offline bundle."""

import uuid

from gridgov.areas.models import Area
from gridgov.cases import services as cases
from gridgov.cases.models import Case as CaseRow
from gridgov.cases.models import Status
from gridgov.mobile import services as uploads
from gridgov.tests.scope import Case

CASE_B = "乙街道待核查的井盖"
GRID_B = "41010500200101"


def setup(world) -> None:
    grid = Area.objects.get(code=GRID_B)
    case, _created = cases.report_case(
        actor=world.users["op_b"],
        channel="grid_member",
        description=CASE_B,
        title=CASE_B,
        lon=grid.label_lon,
        lat=grid.label_lat,
    )
    CaseRow.objects.filter(pk=case.pk).update(status=Status.HANDLED)
    world.objects["mobile_case_b"] = case
    world.objects["upload_b"] = uploads.append_chunk(
        actor=world.users["op_b"], upload_id=uuid.uuid4(), size=100, offset=0, data=b"x" * 40
    )


def _case_b(world) -> list[str]:
    return [CASE_B]


def _grid_b(world) -> list[str]:
    return [GRID_B]


UNSCOPED = {
    "m/manifest.webmanifest": "the web app manifest: names and icons only",
    "m/sw.js": "the service worker's code",
}


def _upload_b(world) -> str:
    return f"/api/v1/uploads/{world.objects['upload_b'].id}"


CASES = [
    # Uploads belong to their owner (street B's operator here), not to an area.
    Case("api/v1/uploads/<upload_id>", _upload_b, live_as="op_b"),
    Case(
        "api/v1/uploads/<upload_id>",
        _upload_b,
        "PUT",
        live_as="op_b",
        live_expect=400,  # the owner reaches the chunk checks (no Upload-Offset header)
    ),
    Case("m/", lambda w: "/m/", expect=200, absent=_case_b),
    Case("m/report/", lambda w: "/m/report/", expect=200, absent=_grid_b),
    Case("m/data/", lambda w: "/m/data/", expect=200, absent=_grid_b),
    Case(
        "m/me/",
        lambda w: "/m/me/",
        expect=200,
        not_live="figures only, each counted within the asker's own scope",
    ),
    Case("api/v1/phone/todo", lambda w: "/api/v1/phone/todo", expect=200, absent=_case_b),
    Case("api/v1/phone/bundle", lambda w: "/api/v1/phone/bundle", expect=200, absent=_case_b),
]
