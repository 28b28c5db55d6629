"""Moving an area re-codes every part's rows through that part's recoder: open cases keep their
level, so they stay in the queue of the command center that now holds their community."""

import json

from gridgov.areas.models import Area
from gridgov.areas.services import move_area
from gridgov.audit.models import ChangeLog
from gridgov.cases import services
from gridgov.cases.models import CaseEvent
from gridgov.registry import services as registry
from gridgov.registry.models import House

SOUTH_A = (113.605, 34.7075)  # community 410105001002, grid 41010500100201


def queue_ids(client) -> list[int]:
    page = json.loads(client.get("/api/v1/cases", {"queue": "accept"}).content)
    return [item["id"] for item in page["items"]]


def test_moving_a_community_keeps_its_open_cases_in_the_right_queues(loop, client_for):
    admin = loop["admin"]
    case, _created = services.report_case(
        actor=admin, channel="hotline", description="占道经营", lon=SOUTH_A[0], lat=SOUTH_A[1]
    )
    assert case.level_code == "410105001002"
    assert case.pk in queue_ids(client_for(loop["op_a"]))
    assert case.pk not in queue_ids(client_for(loop["op_b"]))
    building = registry.save_building(
        {
            "code": "B-S-1",
            "name": "南楼",
            "units": 1,
            "floors": 1,
            "rooms_per_floor": 1,
            "lon": SOUTH_A[0],
            "lat": SOUTH_A[1],
        },
        actor=admin,
    )
    registry.generate_houses(building, actor=admin)

    moved = move_area(
        Area.objects.get(code="410105001002"), Area.objects.get(code="410105002"), actor=admin
    )
    assert moved.code == "410105002003"
    case.refresh_from_db()
    assert (case.area_code, case.level_code) == ("41010500200301", "410105002003")
    assert case.pk in queue_ids(client_for(loop["op_b"]))
    assert case.pk not in queue_ids(client_for(loop["op_a"]))
    recode = CaseEvent.objects.get(case=case, action="recode")
    assert (recode.area_code, recode.level_code, recode.actor) == (
        "41010500200301",
        "410105002003",
        admin,
    )
    assert all(e.area_code.startswith("410105002003") for e in case.events.all())
    building.refresh_from_db()
    assert building.area_code == "41010500200301"
    assert House.objects.get(building=building).area_code == "41010500200301"
    logged = set(
        ChangeLog.objects.filter(action="move", object_id="area-move").values_list(
            "object_type", flat=True
        )
    )
    assert {"cases.case", "registry.building", "registry.house"} <= logged
