"""The API's track answer: per-field arrays of one length in fix-time order, times in seconds since
the local day's start, and the OpenAPI schema that documents it."""

import datetime

import jsonschema_rs
import pytest
from django.utils import timezone

from gridgov.patrol.models.tracks import Position
from gridgov.patrol.services import tracks as services
from gridgov.patrol.tests.tracks_helpers import GRID_A_LAT, GRID_A_LON, fixes_along, start_patrol

pytestmark = pytest.mark.django_db

FIELDS = {"session", "t", "lat", "lon", "accuracy", "speed", "battery"}


def test_the_arrays_are_equally_long_in_time_order_and_decode_to_the_stored_fixes(
    users, client_for
):
    member = users["member_a"]
    session = start_patrol(member)
    start = (timezone.now() - datetime.timedelta(minutes=30)).replace(microsecond=0)
    late = fixes_along(start + datetime.timedelta(minutes=10), 8)  # walked later, sent first
    early = fixes_along(start + datetime.timedelta(milliseconds=250), 8)
    early[3].battery = None
    early[5].accuracy = 12.3456
    services.ingest(session, late, actor=member)
    services.ingest(session, early, actor=member)

    answer = client_for(member).get(f"/api/v1/patrols/tracks/{member.pk}/{timezone.localdate()}")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    data = answer.json()
    points = data["points"]
    assert set(points) == FIELDS and data["count"] == 16
    assert {len(values) for values in points.values()} == {16}
    assert all(a < b for a, b in zip(points["t"], points["t"][1:], strict=False))
    day_start = datetime.datetime.fromisoformat(data["day_start"])
    assert (data["time_zone"], day_start.utcoffset()) == (
        "Asia/Shanghai",
        datetime.timedelta(hours=8),
    )
    assert (day_start.date().isoformat(), day_start.time()) == (data["day"], datetime.time())
    stored = Position.objects.filter(user=member).order_by("fix_time")
    assert [day_start + datetime.timedelta(seconds=s) for s in points["t"]] == [
        p.fix_time for p in stored
    ]
    assert points["t"][0] % 1 == pytest.approx(0.25)  # to the millisecond
    assert points["lat"] == [round(p.lat, 6) for p in stored]
    assert points["lon"] == [round(p.lon, 6) for p in stored]
    assert points["session"] == [session.pk] * 16
    assert (points["battery"][3], points["battery"][4]) == (None, 80)
    assert (points["accuracy"][5], points["speed"][5]) == (12.3, 0.8)
    assert data["segments"] == [[0, 8], [8, 16]] and data["gaps"] == 1


def test_the_answer_matches_its_openapi_schema(users, client_for):
    member = users["member_a"]
    session = start_patrol(member)
    services.ingest(
        session, fixes_along(timezone.now() - datetime.timedelta(minutes=5), 4), actor=member
    )
    client = client_for(member)
    data = client.get(f"/api/v1/patrols/tracks/{member.pk}/{timezone.localdate()}").json()
    schema = client.get("/api/v1/openapi.json").json()
    route = schema["paths"]["/api/v1/patrols/tracks/{member_id}/{day}"]["get"]
    documented = route["responses"]["200"]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator(
        {**documented, "components": schema["components"]}
    )
    assert validator.is_valid(data)
    assert set(schema["components"]["schemas"]["TrackPointsOut"]["required"]) == FIELDS
    per_point = [
        dict(zip(data["points"], row, strict=True))
        for row in zip(*data["points"].values(), strict=True)
    ]
    assert not validator.is_valid({**data, "points": per_point})  # the schema is checked


def test_stops_are_given_and_shown_in_local_time(users, client_for):
    member = users["member_a"]
    session = start_patrol(member)
    start = (timezone.now() - datetime.timedelta(minutes=30)).replace(second=0, microsecond=0)
    stay = [
        services.Fix(
            lat=GRID_A_LAT, lon=GRID_A_LON, fix_time=start + datetime.timedelta(seconds=15 * i)
        )
        for i in range(21)  # five minutes in one place
    ]
    services.ingest(session, stay, actor=member)
    client = client_for(member)
    (stop,) = client.get(f"/api/v1/patrols/tracks/{member.pk}/{timezone.localdate()}").json()[
        "stops"
    ]
    begin, end = (datetime.datetime.fromisoformat(stop[k]) for k in ("start", "end"))
    assert (begin, end - begin) == (start, datetime.timedelta(minutes=5))
    assert begin.utcoffset() == end.utcoffset() == datetime.timedelta(hours=8)
    local = timezone.localtime(start)
    shown = f"{local:%H:%M}–{local + datetime.timedelta(minutes=5):%H:%M}"
    assert shown in client.get("/patrol/tracks/").content.decode()
