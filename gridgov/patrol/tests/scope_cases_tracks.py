"""Patrols and tracks in the scope matrix: street A's operator (who may view tracks in street A)
never sees the track, coverage, live position or patrols of a member of street B, and cannot end,
feed or revoke what is theirs."""

import datetime

from django.utils import timezone

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area
from gridgov.conftest import make_user
from gridgov.patrol.services import tracks as services
from gridgov.tests.scope import Case

GRID_B = "41010500200101"
MEMBER_B = "member_b_tracks"
TRACKER_B = "乙网格员的工作手机"


def setup(world) -> None:
    grid = Area.objects.get(code=GRID_B)
    member = make_user(MEMBER_B, Role.GRID_MEMBER, [GRID_B])
    assign_staff(member, grid, ForceType.GRID_MEMBER, actor=system_user(SETUP))
    world.users[MEMBER_B] = member
    session = services.start_session(actor=member)
    session.started_at = timezone.now() - datetime.timedelta(minutes=30)
    session.save(update_fields=["started_at"])
    now = timezone.now()
    fixes = [
        services.Fix(
            lat=34.7155 + i * 0.0001,
            lon=113.6250,
            fix_time=now - datetime.timedelta(seconds=15 * (20 - i)),
        )
        for i in range(20)
    ]
    services.ingest(session, fixes, actor=member)
    token, _raw = services.issue_tracker_token(actor=member, label=TRACKER_B)
    world.objects["session_b"] = session
    world.objects["tracker_token_b"] = token


def _tracker_label(world) -> list[str]:
    return [TRACKER_B]


def _member(world) -> int:
    return world.users[MEMBER_B].pk


def _today() -> str:
    return timezone.localdate().isoformat()


def _name(world) -> list[str]:
    return [MEMBER_B]


def _grid_names(world) -> list[str]:
    return [Area.objects.get(code=GRID_B).name]


OWN = "the asker's own patrol: nothing of another area"
CASES = [
    Case(
        "patrol/tracks/",
        lambda w: f"/patrol/tracks/?member={_member(w)}&day={_today()}",
        absent=_name,
    ),
    Case("patrol/tracks/", lambda w: "/patrol/tracks/", expect=200, absent=_name),
    Case(
        "patrol/coverage/<str:code>/", lambda w: f"/patrol/coverage/{GRID_B}/", absent=_grid_names
    ),
    Case("patrol/live/", lambda w: "/patrol/live/", expect=200, absent=_grid_names),
    Case("patrol/phone/", lambda w: "/patrol/phone/", expect=200, not_live=OWN),
    Case(
        "patrol/phone/coverage/",
        lambda w: "/patrol/phone/coverage/",
        expect=200,
        absent=_grid_names,
        not_live=OWN,
    ),
    Case(
        "patrol/phone/track/",
        lambda w: f"/patrol/phone/track/?day={_today()}",
        expect=200,
        absent=_name,
        not_live=OWN,
    ),
    Case(
        "api/v1/patrols/start", lambda w: "/api/v1/patrols/start", "POST", expect=201, not_live=OWN
    ),
    Case("api/v1/patrols/current", lambda w: "/api/v1/patrols/current", expect=204, not_live=OWN),
    Case(
        "api/v1/patrols/<session_id>/end",
        lambda w: f"/api/v1/patrols/{w.objects['session_b'].pk}/end",
        "POST",
        live_as=MEMBER_B,
        live_expect=200,
    ),
    Case(
        "api/v1/patrols/<session_id>/positions",
        lambda w: f"/api/v1/patrols/{w.objects['session_b'].pk}/positions",
        "POST",
        lambda w: {
            "positions": [{"lat": 34.716, "lon": 113.625, "time": timezone.now().timestamp()}]
        },
        live_as=MEMBER_B,
        live_expect=200,
    ),
    Case(
        "api/v1/patrols/tracker-tokens",
        lambda w: "/api/v1/patrols/tracker-tokens",
        "POST",
        lambda w: {"label": "phone"},
        expect=201,
        not_live=OWN,
    ),
    Case(
        "api/v1/patrols/tracker-tokens/<token_id>",
        lambda w: f"/api/v1/patrols/tracker-tokens/{w.objects['tracker_token_b'].pk}",
        "DELETE",
        live_as=MEMBER_B,
        live_expect=200,
    ),
    Case(
        "api/v1/patrols/tracks/<member_id>/<day>",
        lambda w: f"/api/v1/patrols/tracks/{_member(w)}/{_today()}",
        absent=_name,
    ),
    Case(
        "api/v1/patrols/coverage/<code>",
        lambda w: f"/api/v1/patrols/coverage/{GRID_B}",
        absent=_grid_names,
    ),
    Case("api/v1/patrols/live", lambda w: "/api/v1/patrols/live", expect=200),
    Case(
        "patrol/tracker/",
        lambda w: "/patrol/tracker/",
        expect=200,
        absent=_tracker_label,
        live_as=MEMBER_B,
    ),
    Case(
        "patrol/tracker/",
        lambda w: "/patrol/tracker/",
        "POST",
        lambda w: {"label": "phone"},
        multipart=True,
        expect=201,
        absent=_tracker_label,
        not_live=OWN,
    ),
    Case(
        "patrol/tracker/<int:pk>/revoke/",
        lambda w: f"/patrol/tracker/{w.objects['tracker_token_b'].pk}/revoke/",
        "POST",
        multipart=True,
        live_as=MEMBER_B,
        live_expect=302,
    ),
]
UNSCOPED = {
    "api/v1/patrols/osmand": "a native tracker's point, authenticated by its own token (the id), "
    "stored only in that token's member's open session; nothing is read back",
}
