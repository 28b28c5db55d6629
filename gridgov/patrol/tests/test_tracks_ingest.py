"""Position ingest: the drop rules, late batches, replays, sessions and native trackers."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.audit.models import ChangeLog
from gridgov.patrol.models.tracks import PatrolSession, Position, TrackerToken
from gridgov.patrol.services import tracks as services
from gridgov.patrol.tests.tracks_helpers import GRID_A_LAT, GRID_A_LON, fixes_along, start_patrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def patrol(users):
    return start_patrol(users["member_a"])


def test_start_is_idempotent_and_files_under_the_members_grid(users, tree):
    member = users["member_a"]
    first = services.start_session(actor=member)
    again = services.start_session(actor=member)
    assert first.pk == again.pk
    assert first.area_code == tree.grids[0].code
    assert ChangeLog.objects.filter(object_type="patrol.patrolsession").count() == 1


def test_a_system_account_cannot_patrol(users):
    from gridgov.accounts.system import FIELD_TASKS, system_user

    with pytest.raises(PermissionDenied):
        services.start_session(actor=system_user(FIELD_TASKS))


def test_drop_rules_each_count(patrol):
    now = timezone.now()
    base = now - datetime.timedelta(minutes=10)
    good = fixes_along(base, 3)
    bad = [
        services.Fix(lat=None, lon=113.6, fix_time=base),  # invalid: no latitude
        services.Fix(lat=95, lon=113.6, fix_time=base),  # invalid: out of range
        services.Fix(lat=0, lon=0, fix_time=base),  # invalid: null island
        services.Fix(lat=34.71, lon=113.6, fix_time="yesterday"),  # invalid: no time
        services.Fix(lat=34.71, lon=113.6, fix_time=base, accuracy=5000),  # invalid: accuracy
        services.Fix(lat=34.71, lon=113.6, fix_time=now + datetime.timedelta(hours=1)),  # future
        services.Fix(lat=34.71, lon=113.6, fix_time=now - datetime.timedelta(hours=3)),  # outside
        good[1],  # duplicate inside the batch
        # too fast: 1 km north of the last good fix, 15 s later (≈ 67 m/s)
        services.Fix(
            lat=GRID_A_LAT + 0.0092, lon=GRID_A_LON, fix_time=base + datetime.timedelta(seconds=45)
        ),
    ]
    result = services.ingest(patrol, good + bad, actor=patrol.user)
    assert result.as_dict() == {
        "accepted": 3,
        "dropped": {"invalid": 5, "future": 1, "outside": 1, "duplicate": 1, "too_fast": 1},
    }
    patrol.refresh_from_db()
    assert patrol.accepted == 3
    assert patrol.dropped["invalid"] == 5
    assert Position.objects.filter(session=patrol).count() == 3


def test_replayed_batch_changes_nothing(patrol):
    batch = fixes_along(timezone.now() - datetime.timedelta(minutes=5), 10)
    first = services.ingest(patrol, batch, actor=patrol.user)
    second = services.ingest(patrol, batch, actor=patrol.user)
    assert first.accepted == 10
    assert second.accepted == 0 and second.dropped == {"duplicate": 10}
    assert Position.objects.filter(session=patrol).count() == 10


def test_a_batch_after_the_newest_point_needs_no_lookup(patrol, django_assert_num_queries):
    """In-order batches read the previous point from the session row: the update of its counts,
    first (it locks the row), then one insert of all kept points, inside the transaction (here
    a savepoint) and no other statement."""
    start = timezone.now() - datetime.timedelta(minutes=30)
    line = fixes_along(start, 100)
    services.ingest(patrol, line[:50], actor=patrol.user)
    with django_assert_num_queries(4) as queries:
        result = services.ingest(patrol, line[50:], actor=patrol.user)
    assert result.accepted == 50
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0].startswith("SAVEPOINT") and sql[-1].startswith("RELEASE SAVEPOINT")
    assert sql[1].startswith('UPDATE "patrol_patrolsession"') and "RETURNING" in sql[1]
    assert sql[2].startswith('50 times: INSERT INTO "patrol_position"')
    lats = list(Position.objects.filter(session=patrol).values_list("lat", flat=True))
    assert lats == sorted(lats) and len(lats) == 100
    patrol.refresh_from_db()
    assert patrol.accepted == 100 and patrol.last_lat == line[-1].lat


def test_a_stale_copy_of_the_session_is_caught_by_the_update(patrol):
    """Checked against a copy read before another batch went in, the batch finds the row
    changed, and is done again under the row lock: the overlap counts as duplicates."""
    start = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    line = fixes_along(start, 30)
    services.ingest(patrol, line[:10], actor=patrol.user)
    stale = PatrolSession.objects.get(pk=patrol.pk)
    services.ingest(patrol, line[10:20], actor=patrol.user)
    result = services.ingest(stale, line[15:], actor=patrol.user)
    assert result.as_dict()["accepted"] == 10 and result.dropped == {"duplicate": 5}
    assert (stale.accepted, stale.last_fix_at) == (30, line[29].fix_time)
    assert Position.objects.filter(session=patrol).count() == 30


def test_a_stale_copy_of_an_ended_session_takes_nothing(patrol):
    start = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    line = fixes_along(start, 4)
    services.ingest(patrol, line[:2], actor=patrol.user)
    stale = PatrolSession.objects.get(pk=patrol.pk)
    PatrolSession.objects.filter(pk=patrol.pk).update(ended_at=line[1].fix_time)
    result = services.ingest(
        stale, fixes_along(line[1].fix_time + datetime.timedelta(minutes=5), 2), actor=patrol.user
    )
    assert result.as_dict()["accepted"] == 0 and result.dropped == {"outside": 2}
    assert stale.ended_at == line[1].fix_time
    assert Position.objects.filter(session=patrol).count() == 2


def test_the_first_batch_of_a_session_needs_no_lookup(patrol, django_assert_num_queries):
    line = fixes_along((timezone.now() - datetime.timedelta(minutes=30)).replace(microsecond=0), 50)
    with django_assert_num_queries(5) as queries:
        result = services.ingest(patrol, line, actor=patrol.user)
    assert result.accepted == 50
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("patrol_position" in q for q in sql) == 1
    assert sql[1].startswith("SELECT") and "patrol_patrolsession" in sql[1]  # the row lock
    assert sql[1].endswith("FOR UPDATE") == (connection.vendor == "postgresql")
    patrol.refresh_from_db()
    assert patrol.last_fix_at == line[-1].fix_time


def test_points_stored_before_the_first_batch_count(patrol):
    """Not through `ingest` (the session row knows of no point): the insert skips the stored
    fix time, and the batch done again with a lookup counts it as a duplicate and checks the
    speed from the stored point before it."""
    start = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    line = fixes_along(start, 3)
    for when, lat in ((start - datetime.timedelta(seconds=60), GRID_A_LAT - 0.038), (start, 0)):
        Position.objects.create(
            session=patrol,
            user=patrol.user,
            area_code=patrol.area_code,
            fix_time=when,
            lat=lat,
            lon=GRID_A_LON,
        )
    result = services.ingest(patrol, line, actor=patrol.user)
    # line[1]: ≈ 4.24 km in 75 s from the point 60 s before (56 m/s); line[2]: in 90 s (47 m/s)
    assert result.as_dict()["accepted"] == 1
    assert result.dropped == {"duplicate": 1, "too_fast": 1}
    assert Position.objects.filter(session=patrol).count() == 3
    patrol.refresh_from_db()
    assert patrol.last_fix_at == line[2].fix_time


def test_a_point_stored_meanwhile_unseen_by_the_lookup_is_skipped_row_by_row(patrol, monkeypatch):
    """Should the lookup of the retry miss the stored point too (a writer between the lookup
    and the insert), the rows go in one by one and only the stored one counts as a duplicate."""
    start = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    line = fixes_along(start, 4)
    services.ingest(patrol, line[:1], actor=patrol.user)
    Position.objects.create(
        session=patrol,
        user=patrol.user,
        area_code=patrol.area_code,
        fix_time=line[2].fix_time,
        lat=line[2].lat,
        lon=line[2].lon,
    )
    last = (line[0].fix_time, line[0].lat, line[0].lon)
    monkeypatch.setattr(services, "_stored_around", lambda *_args, **_kw: (set(), last))
    result = services.ingest(patrol, line[1:], actor=patrol.user)
    assert result.as_dict()["accepted"] == 2 and result.dropped == {"duplicate": 1}
    assert Position.objects.filter(session=patrol).count() == 4
    patrol.refresh_from_db()
    assert patrol.accepted == 3 and patrol.dropped == {"duplicate": 1}
    assert patrol.last_fix_at == line[3].fix_time


def test_counts_add_up_over_batches_and_the_callers_session_follows(patrol):
    start = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    line = fixes_along(start, 6)
    nowhere = services.Fix(lat=None, lon=113.6, fix_time=start)
    services.ingest(patrol, [*line[:3], nowhere], actor=patrol.user)
    services.ingest(patrol, [*line[3:], nowhere, line[4]], actor=patrol.user)
    assert patrol.accepted == 6
    assert patrol.dropped == {"invalid": 2, "duplicate": 1}
    assert patrol.last_fix_at == line[5].fix_time
    assert (patrol.last_lat, patrol.last_lon) == (line[5].lat, line[5].lon)
    stored = PatrolSession.objects.get(pk=patrol.pk)
    assert (stored.accepted, stored.dropped) == (6, {"invalid": 2, "duplicate": 1})
    assert (stored.last_fix_at, stored.last_lat) == (line[5].fix_time, line[5].lat)


def test_a_batch_of_drops_only_counts_and_keeps_the_last_position(patrol):
    line = fixes_along((timezone.now() - datetime.timedelta(minutes=5)).replace(microsecond=0), 2)
    services.ingest(patrol, line, actor=patrol.user)
    result = services.ingest(patrol, [line[0], services.Fix(None, None, None)], actor=patrol.user)
    assert result.as_dict()["accepted"] == 0 and result.dropped == {"duplicate": 1, "invalid": 1}
    patrol.refresh_from_db()
    assert patrol.accepted == 2 and patrol.dropped == {"duplicate": 1, "invalid": 1}
    assert patrol.last_fix_at == line[1].fix_time


def test_fix_times_are_kept_to_the_millisecond(patrol):
    when = (timezone.now() - datetime.timedelta(minutes=5)).replace(microsecond=123456)
    point = services.Fix(lat=GRID_A_LAT, lon=GRID_A_LON, fix_time=when)
    services.ingest(patrol, [point], actor=patrol.user)
    again = services.ingest(patrol, [point], actor=patrol.user)
    assert again.dropped == {"duplicate": 1}
    stored = Position.objects.get(session=patrol).fix_time
    assert stored == when.replace(microsecond=123000)
    patrol.refresh_from_db()
    assert patrol.last_fix_at == stored


def test_a_late_batch_locks_the_session_before_its_lookup(patrol):
    start = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    line = fixes_along(start, 20)
    services.ingest(patrol, line[10:], actor=patrol.user)
    with CaptureQueriesContext(connection) as queries:
        result = services.ingest(patrol, line[:10], actor=patrol.user)
    assert result.accepted == 10 and patrol.last_fix_at == line[19].fix_time
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, q in enumerate(sql) if 'FROM "patrol_patrolsession"' in q)
    lookup = next(i for i, q in enumerate(sql) if 'FROM "patrol_position"' in q)
    assert lock < lookup


def test_late_batch_lands_in_fix_time_order(patrol):
    start = timezone.now() - datetime.timedelta(minutes=20)
    line = fixes_along(start, 30)
    services.ingest(patrol, line[20:], actor=patrol.user)  # the newest arrive first
    services.ingest(patrol, list(reversed(line[:20])), actor=patrol.user)  # then the late ones
    stored = list(Position.objects.filter(session=patrol).values_list("fix_time", "lat"))
    assert len(stored) == 30
    assert [t for t, _lat in stored] == sorted(t for t, _lat in stored)
    assert [lat for _t, lat in stored] == sorted(lat for _t, lat in stored)
    patrol.refresh_from_db()
    assert patrol.last_fix_at == max(t for t, _lat in stored)  # the late batch did not move it


def test_points_after_the_end_are_dropped(patrol):
    services.end_session(patrol, actor=patrol.user)
    later = fixes_along(timezone.now() + datetime.timedelta(seconds=60), 2)
    result = services.ingest(patrol, later, actor=patrol.user)
    assert result.accepted == 0 and result.dropped == {"outside": 2}


def test_only_the_member_feeds_or_ends_their_patrol(patrol, users):
    with pytest.raises(PermissionDenied):
        services.ingest(patrol, fixes_along(timezone.now(), 1), actor=users["op_a"])
    with pytest.raises(PermissionDenied):
        services.end_session(patrol, actor=users["op_a"])


def test_batch_api_and_its_limits(patrol, client_for):
    client = client_for(patrol.user)
    start = timezone.now() - datetime.timedelta(minutes=3)
    positions = [
        {
            "lat": GRID_A_LAT + i * 0.0001,
            "lon": GRID_A_LON,
            "time": (start.timestamp() + 15 * i) * 1000,
        }
        for i in range(5)
    ]
    url = f"/api/v1/patrols/{patrol.pk}/positions"
    answer = client.post(url, {"positions": positions}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["accepted"] == 5
    too_many = {"positions": positions * 101}
    assert client.post(url, too_many, content_type="application/json").status_code == 422
    assert client.post(url, "{not json", content_type="application/json").status_code == 400


def test_start_and_end_through_the_api(users, client_for):
    client = client_for(users["member_a"])
    started = client.post("/api/v1/patrols/start", {}, content_type="application/json")
    assert started.status_code == 201
    sid = started.json()["id"]
    assert client.get("/api/v1/patrols/current").json()["id"] == sid
    ended = client.post(f"/api/v1/patrols/{sid}/end")
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert client.get("/api/v1/patrols/current").status_code == 204


def test_stale_sessions_are_closed(patrol):
    from gridgov.accounts.system import FIELD_TASKS, system_user

    PatrolSession.objects.filter(pk=patrol.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=20)
    )
    assert services.close_stale_sessions(actor=system_user(FIELD_TASKS)) == 1
    patrol.refresh_from_db()
    assert patrol.ended_at is not None


# ---------------------------------------------------------------------------------------------
# OsmAnd / Traccar Client


@pytest.fixture
def tracker(users):
    cache.clear()
    token, raw = services.issue_tracker_token(actor=users["member_a"], label="Traccar")
    return token, raw


def test_token_is_long_random_and_stored_hashed(tracker):
    token, raw = tracker
    assert len(raw) >= 43  # 32 random bytes, base64: 256 bits
    assert raw not in token.token_hash and len(token.token_hash) == 64


def test_osmand_point_goes_into_the_open_session(client, tracker, patrol):
    _token, raw = tracker
    when = int(timezone.now().timestamp()) - 30
    answer = client.get(
        "/api/v1/patrols/osmand",
        {
            "id": raw,
            "lat": GRID_A_LAT,
            "lon": GRID_A_LON,
            "timestamp": when,
            "speed": "2",
            "bearing": "90",
            "altitude": "100",
            "accuracy": "6",
            "batt": "77",
        },
    )
    assert answer.status_code == 200, answer.content
    point = Position.objects.get(session=patrol)
    assert point.source == "osmand"
    assert point.speed == pytest.approx(2 * 0.514444)  # knots → m/s
    assert (point.heading, point.battery, point.accuracy) == (90, 77, 6)


def test_osmand_point_outside_a_session_is_dropped_and_counted(client, tracker):
    token, raw = tracker
    answer = client.post(
        "/api/v1/patrols/osmand",
        {
            "id": raw,
            "lat": GRID_A_LAT,
            "lon": GRID_A_LON,
            "timestamp": int(timezone.now().timestamp()),
        },
    )
    assert answer.status_code == 200
    assert answer.json()["dropped"]["outside"] == 1
    assert Position.objects.count() == 0
    token.refresh_from_db()
    assert token.dropped_outside == 1


def test_osmand_json_body_of_newer_traccar_clients(client, tracker, patrol):
    _token, raw = tracker
    body = {
        "device_id": raw,
        "location": {
            "timestamp": timezone.now().isoformat(),
            "coords": {"latitude": GRID_A_LAT, "longitude": GRID_A_LON, "accuracy": 5},
            "battery": {"level": 0.5},
        },
    }
    answer = client.post("/api/v1/patrols/osmand", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert Position.objects.get(session=patrol).battery == 50


def test_unknown_and_revoked_ids_get_401_then_429(client, tracker, patrol):
    token, raw = tracker
    services.revoke_tracker_token(token, actor=token.user)
    query = {"id": raw, "lat": GRID_A_LAT, "lon": GRID_A_LON, "timestamp": 1}
    assert client.get("/api/v1/patrols/osmand", query).status_code == 401
    for _i in range(30):
        status = client.get("/api/v1/patrols/osmand", {**query, "id": "guess"}).status_code
    assert status == 429
    assert Position.objects.count() == 0


def test_tokens_through_the_api(users, client_for):
    client = client_for(users["member_a"])
    made = client.post(
        "/api/v1/patrols/tracker-tokens", {"label": "我的手机"}, content_type="application/json"
    )
    assert made.status_code == 201 and len(made.json()["token"]) >= 43
    revoked = client.delete(f"/api/v1/patrols/tracker-tokens/{made.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert TrackerToken.objects.get().revoked_at is not None
