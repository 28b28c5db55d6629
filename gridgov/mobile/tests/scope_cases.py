"""The phone app in the scope matrix: street A's operator never sees street B's cases, grids or
households on the phone pages, the to-do list or the offline bundle."""

import datetime
import uuid

from gridgov.areas.models import Area
from gridgov.cases import services as cases
from gridgov.cases.models import Case as CaseRow
from gridgov.cases.models import Status
from gridgov.mobile import services as uploads
from gridgov.mobile import services_corrections as corrections
from gridgov.registry import services as registry
from gridgov.registry.models import House
from gridgov.tests.scope import Case

CASE_B = "乙街道待核查的井盖"
CONFLICT_B = "乙街道的改正值"
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
    _setup_corrections(world, grid)


def _setup_corrections(world, grid) -> None:
    """A household in street B and three conflicts of street B's operator (one listed, one for
    the page's resolution and one for the API's)."""
    op_b = world.users["op_b"]
    building = registry.save_building(
        {
            "code": "B-MOBILE-FLD",
            "name": "乙街道改正楼",
            "lon": grid.label_lon,
            "lat": grid.label_lat,
            "units": 1,
            "floors": 1,
            "rooms_per_floor": 1,
        },
        actor=op_b,
    )
    registry.generate_houses(building, actor=op_b)
    house = House.objects.get(building=building)
    person, _created = registry.save_person(
        {"name": "乙改正", "id_number": "110105198807070317", "registration": "registered"},
        actor=op_b,
        house=house,
    )
    world.objects["mobile_household_b"] = registry.create_household(house, person, actor=op_b)
    world.objects["mobile_person_b"] = person
    stale = person.updated_at - datetime.timedelta(minutes=1)
    for name in ("listed", "page", "api"):
        world.objects[f"mobile_conflict_{name}_b"] = corrections.submit_correction(
            actor=op_b,
            correction_id=uuid.uuid4(),
            kind="person",
            record_id=person.pk,
            base_version=stale,
            values={"occupation": CONFLICT_B},
        )[0]


def _case_b(world) -> list[str]:
    return [CASE_B]


def _grid_b(world) -> list[str]:
    return [GRID_B]


UNSCOPED = {
    "m/manifest.webmanifest": "the web app manifest: names and icons only",
    "m/sw.js": "the service worker's code",
}


def _conflict_b(world) -> list[str]:
    return [CONFLICT_B]


def _correction_b(world) -> dict:
    person = world.objects["mobile_person_b"]
    person.refresh_from_db()
    return {
        "id": str(uuid.uuid4()),
        "kind": "person",
        "record_id": person.pk,
        "base_version": person.updated_at.isoformat(),
        "values": {"employer": "乙街道的单位"},
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
    Case("m/cases/<int:pk>/", lambda w: f"/m/cases/{w.objects['mobile_case_b'].pk}/"),
    Case("m/report/", lambda w: "/m/report/", expect=200, absent=_grid_b),
    Case("m/data/", lambda w: "/m/data/", expect=200, absent=_grid_b),
    Case(
        "m/me/",
        lambda w: "/m/me/",
        expect=200,
        not_live="figures only, each counted within the asker's own scope",
    ),
    Case(
        "m/visits/",
        lambda w: "/m/visits/",
        expect=200,
        absent=_grid_b,
        not_live="a kept page that holds nothing: the phone draws the visits from the bundle",
    ),
    Case("api/v1/phone/todo", lambda w: "/api/v1/phone/todo", expect=200, absent=_case_b),
    Case("api/v1/phone/bundle", lambda w: "/api/v1/phone/bundle", expect=200, absent=_case_b),
    # Registry corrections and conflicts (street B's operator's, in street B).
    Case(
        "m/data/households/<int:pk>/",
        lambda w: f"/m/data/households/{w.objects['mobile_household_b'].pk}/",
        live_as="admin",
    ),
    Case("m/conflicts/", lambda w: "/m/conflicts/", expect=200, absent=_conflict_b),
    Case("m/desk/conflicts/", lambda w: "/m/desk/conflicts/", expect=200, absent=_conflict_b),
    Case(
        "m/conflicts/<uuid:pk>/resolve/",
        lambda w: f"/m/conflicts/{w.objects['mobile_conflict_page_b'].pk}/resolve/",
        "POST",
        data=lambda w: {"keep": "desk"},
        multipart=True,
        live_as="op_b",
        live_expect=302,
    ),
    Case(
        "api/v1/phone/corrections",
        lambda w: "/api/v1/phone/corrections",
        "POST",
        data=_correction_b,
        expect=403,
        live_as="op_b",
        live_expect=201,
    ),
    Case(
        "api/v1/phone/conflicts",
        lambda w: "/api/v1/phone/conflicts",
        expect=200,
        absent=_conflict_b,
        live_as="op_b",
    ),
    Case(
        "api/v1/phone/conflicts/<correction_id>/resolve",
        lambda w: f"/api/v1/phone/conflicts/{w.objects['mobile_conflict_api_b'].pk}/resolve",
        "POST",
        data=lambda w: {"keep": "desk"},
        live_as="op_b",
        live_expect=200,
    ),
]
