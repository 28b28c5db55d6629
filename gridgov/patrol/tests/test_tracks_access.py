"""Who sees tracks: the member their own, supervisors within scope (logged), nobody else; the live
map with ETags; retention; the pages."""

import datetime

import pytest
from django.utils import timezone

from gridgov.accounts.system import SETUP, system_user
from gridgov.audit import retention
from gridgov.audit.models import AccessLog
from gridgov.patrol.models.tracks import PatrolSession, Position
from gridgov.patrol.services import tracks as services
from gridgov.patrol.tests.tracks_helpers import fixes_along, start_patrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def walked(users):
    member = users["member_a"]
    session = start_patrol(member)
    services.ingest(
        session, fixes_along(timezone.now() - datetime.timedelta(minutes=9), 20), actor=member
    )
    return session


def _track_url(session) -> str:
    return f"/api/v1/patrols/tracks/{session.user_id}/{timezone.localdate().isoformat()}"


def test_own_track_is_not_logged(walked, client_for):
    answer = client_for(walked.user).get(_track_url(walked))
    assert answer.status_code == 200 and answer.json()["count"] == 20
    assert not AccessLog.objects.exists()


def test_supervisor_in_scope_sees_it_and_the_view_is_logged(walked, users, client_for):
    answer = client_for(users["op_a"]).get(_track_url(walked))
    assert answer.status_code == 200 and len(answer.json()["points"]["lat"]) == 20
    log = AccessLog.objects.get()
    assert (log.actor, log.subject_id, log.area_code) == (
        users["op_a"],
        str(walked.user_id),
        walked.area_code,
    )
    assert log.fields == ["positions"]
    page = client_for(users["op_a"]).get(f"/patrol/tracks/?member={walked.user_id}")
    assert page.status_code == 200
    assert AccessLog.objects.count() == 2


def test_outside_scope_or_without_the_right_gets_404(walked, users, client_for):
    assert client_for(users["op_b"]).get(_track_url(walked)).status_code == 404
    assert client_for(users["leader"]).get(_track_url(walked)).status_code == 404  # no VIEW_TRACKS
    assert (
        client_for(users["op_b"]).get(f"/patrol/tracks/?member={walked.user_id}").status_code == 404
    )
    assert not AccessLog.objects.exists()


def test_live_map_in_scope_with_etag(walked, users, client_for):
    client = client_for(users["op_a"])
    first = client.get("/api/v1/patrols/live")
    assert first.status_code == 200
    [row] = first.json()["items"]
    assert row["user"] == walked.user_id and row["stale"] is False and row["age_s"] < 600
    again = client.get("/api/v1/patrols/live", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert AccessLog.objects.filter(subject_type="patrol.live").count() == 1
    assert client_for(users["op_b"]).get("/api/v1/patrols/live").json()["items"] == []
    assert client_for(users["member_a"]).get("/api/v1/patrols/live").status_code == 403


def test_live_position_goes_stale_after_ten_minutes(walked, users, client_for):
    PatrolSession.objects.filter(pk=walked.pk).update(
        last_fix_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    [row] = client_for(users["op_a"]).get("/api/v1/patrols/live").json()["items"]
    assert row["stale"] is True


def test_retention_removes_old_positions_and_sessions(users, settings):
    member = users["member_a"]
    old = services.start_session(actor=member)
    then = timezone.now() - datetime.timedelta(days=200)
    PatrolSession.objects.filter(pk=old.pk).update(started_at=then - datetime.timedelta(minutes=5))
    old.refresh_from_db()
    services.ingest(old, fixes_along(then, 5), actor=member)
    services.end_session(old, actor=member)
    PatrolSession.objects.filter(pk=old.pk).update(ended_at=then + datetime.timedelta(hours=1))
    recent = start_patrol(member)
    services.ingest(
        recent, fixes_along(timezone.now() - datetime.timedelta(minutes=5), 5), actor=member
    )
    removed = retention.apply(acting_user=system_user(SETUP))
    assert removed["patrol.position"] == 5
    assert Position.objects.count() == 5
    assert list(PatrolSession.objects.values_list("pk", flat=True)) == [recent.pk]
    settings.GRIDGOV_RETENTION_DAYS = {"patrol.position": 0}
    assert retention.apply(acting_user=system_user(SETUP))["patrol.position"] == 5


def test_pages_render(walked, users, client_for, tree):
    member = client_for(users["member_a"])
    phone = member.get("/patrol/phone/")
    assert phone.status_code == 200
    assert b"data-indicator" in phone.content and b"data-stop" in phone.content
    assert member.get("/patrol/tracks/").status_code == 200
    assert member.get(f"/patrol/coverage/{tree.grids[0].code}/?period=month").status_code == 200
    assert member.get("/patrol/live/").status_code == 403
    operator = client_for(users["op_a"])
    live = operator.get("/patrol/live/")
    assert live.status_code == 200 and b"data-live-map" in live.content
    assert operator.get("/patrol/tracks/?day=nonsense").status_code == 404
