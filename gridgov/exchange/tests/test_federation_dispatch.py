"""An escalation naming a department the city knows goes through the city's loop at once
(accepted, filed, dispatched to that department); one naming an unknown department waits in the
intake. In one process (the city and the district share this database, see test_federation.py)."""

import json

from gridgov.cases.services.intake import report_case
from gridgov.cases.tests.conftest import POINT_A, loop
from gridgov.exchange.models import FederationLink
from gridgov.exchange.services import federation
from gridgov.exchange.tests.test_federation import PARENT, STREET_A, members, post_up
from gridgov.notify.models import Outbox

__all__ = ["loop", "members"]  # the fixtures


def _escalate(users, description: str, department: str) -> dict:
    case, _ = report_case(
        actor=users["member_a"],
        channel="grid_member",
        description=description,
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    federation.escalate_to_parent(users["district"], case, department=department)
    row = Outbox.objects.filter(source="exchange.federation:case.escalate").order_by("-pk")[0]
    return row.payload["body"]


def test_a_known_department_gets_the_case_at_once(members, loop, settings):
    for name, value in PARENT.items():
        setattr(settings, name, value)
    member, key = members["a"]
    secret = member.client.secret
    users = loop
    known = _escalate(users, "主管道爆裂", "自来水公司")
    assert post_up(key, secret, "esc-k", known).json()["status"] == "applied"
    city_case = FederationLink.objects.get(role="member", remote_id=known["data"]["local_id"]).case
    assert (city_case.status, city_case.department) == ("dispatched", loop["water"])
    actions = list(city_case.events.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["accept", "file", "dispatch"]
    # the steps flow down to the district case's timeline as usual
    assert federation.push_all()["steps"] >= 3

    by_code = _escalate(users, "水压不足", "410105-GS")
    post_up(key, secret, "esc-c", by_code)
    assert (
        FederationLink.objects.get(role="member", remote_id=by_code["data"]["local_id"]).case.status
        == "dispatched"
    )

    unknown = _escalate(users, "路面塌陷", "市交通局")
    post_up(key, secret, "esc-u", unknown)
    waiting = FederationLink.objects.get(role="member", remote_id=unknown["data"]["local_id"]).case
    assert waiting.status == "reported" and waiting.department is None
    assert json.dumps(known, ensure_ascii=False).count("自来水公司") == 1
    assert FederationLink.objects.filter(role="member", peer=STREET_A).count() == 3
