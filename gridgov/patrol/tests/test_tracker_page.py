"""The tracker-app page: a member issues an id for Traccar Client or OsmAnd (shown once, with the
server address), the id sends positions into the member's open patrol, and revoking stops it."""

import re

from django.utils import timezone

from gridgov.patrol.models import TrackerToken
from gridgov.patrol.services import tracks as services


def _shown(html: str, element: str) -> str:
    found = re.search(rf'id="{element}">([^<]+)<', html)
    assert found, f"no #{element} on the page"
    return found.group(1).strip()


def test_a_member_issues_an_id_that_tracks_and_revokes_it(users, client_for):
    member = client_for(users["member_a"])
    answer = member.post("/patrol/tracker/", {"label": "工作手机"})
    assert answer.status_code == 201
    html = answer.content.decode()
    raw = _shown(html, "tracker-id")
    assert _shown(html, "tracker-url").endswith("/api/v1/patrols/osmand")
    token = TrackerToken.objects.get(user=users["member_a"])
    assert token.label == "工作手机" and raw not in token.token_hash
    assert raw not in member.get("/patrol/tracker/").content.decode()

    services.start_session(actor=users["member_a"])
    sent = member.get(
        "/api/v1/patrols/osmand",
        {"id": raw, "lat": 34.7175, "lon": 113.6025, "timestamp": int(timezone.now().timestamp())},
    )
    assert sent.status_code == 200 and sent.json()["accepted"] == 1

    assert member.post(f"/patrol/tracker/{token.pk}/revoke/").status_code == 302
    assert services.token_user(raw) is None
    refused = member.get("/api/v1/patrols/osmand", {"id": raw, "lat": 34.7, "lon": 113.6})
    assert refused.status_code == 401


def test_nobody_revokes_another_members_id(users, client_for):
    token, raw = services.issue_tracker_token(actor=users["member_a"])
    answer = client_for(users["op_a"]).post(f"/patrol/tracker/{token.pk}/revoke/")
    assert answer.status_code == 404
    assert services.token_user(raw) is not None


def test_an_account_without_an_area_is_told_why(users, client_for):
    from gridgov.accounts.permissions import Role
    from gridgov.conftest import make_user

    nowhere = make_user("security", Role.SECURITY_ADMIN, [])
    answer = client_for(nowhere).post("/patrol/tracker/", {"label": "x"})
    assert answer.status_code == 403
    assert 'role="alert"' in answer.content.decode()
    assert not TrackerToken.objects.exists()
    # nor is there a grid of theirs to cover
    coverage = client_for(nowhere).get("/patrol/phone/coverage/")
    assert coverage.status_code == 200 and 'role="alert"' in coverage.content.decode()
    assert 'id="coverage-map"' not in coverage.content.decode()
