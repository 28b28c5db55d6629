"""The demo's patrols: three past days and one running patrol, with tracks and stops."""

import datetime
import io

import pytest
from django.utils import timezone

from gridgov.patrol import demo_data_tracks
from gridgov.patrol.models.tracks import PatrolSession, Position
from gridgov.patrol.services import tracks_geo as geo

pytestmark = pytest.mark.django_db


def test_demo_patrols(users, tree):
    demo_data_tracks.load(stdout=io.StringIO(), scale="district", seed=1, size="small")
    member = users["member_a"]
    sessions = PatrolSession.objects.filter(user=member)
    assert sessions.count() == 4
    assert sessions.filter(ended_at__isnull=True).count() == 1
    assert all(not s.dropped for s in sessions)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    track = geo.track(Position.objects.filter(user=member), yesterday)
    assert track["count"] == len(track["points"]["lat"]) == 240
    assert len(track["stops"]) == 1
    assert track["distance_m"] > 500
    assert all(p.area_code == tree.grids[0].code for p in Position.objects.filter(user=member)[:5])
