"""The portal in the scope matrix. Its public pages and JSON show anyone (signed in or not) the
same published fields of every report — nothing of an area that is not public by design (see
test_portal_privacy.py); the staff's moderation pages are scoped by MODERATE_PORTAL."""

import importlib

from django.apps import apps as django_apps

from gridgov.accounts.system import PORTAL, SETUP, system_user
from gridgov.cases.models import Category
from gridgov.tests.scope import Case

TEXT_B = "乙街道门前路灯坏了好几天"
POINT_B = (113.6325, 34.7175)


def setup(world) -> None:
    from gridgov.portal import services
    from gridgov.portal.tests.conftest import confirmed

    if not Category.objects.exists():
        importlib.import_module("gridgov.cases.migrations.0002_seed_taxonomy").load(
            django_apps, None
        )
    services.seed_public_categories(actor=system_user(SETUP))
    portal = system_user(PORTAL)
    from gridgov.portal.models import PublicCategory

    citizen = confirmed("13800009999", portal)
    world.objects["portal_b"] = services.submit_report(
        actor=portal,
        category=PublicCategory.objects.get(category__code="C0110"),
        description=TEXT_B,
        citizen=citizen,
        lon=POINT_B[0],
        lat=POINT_B[1],
        idempotency_key="scope-portal-b",
    )


def _pk(world) -> int:
    return world.objects["portal_b"].pk


def _texts(world) -> list[str]:
    return [TEXT_B]


CASES = [
    Case("portal/moderation/", lambda w: "/portal/moderation/", expect=200, absent=_texts),
    Case("portal/moderation/<int:pk>/", lambda w: f"/portal/moderation/{_pk(w)}/"),
    Case(
        "portal/moderation/<int:pk>/",
        lambda w: f"/portal/moderation/{_pk(w)}/",
        method="POST",
        data=lambda w: {"decision": "hide"},
        multipart=True,
        live_expect=302,
    ),
]

_PUBLIC = "the public portal: the same published, redacted fields for anyone (privacy test)"
UNSCOPED = {
    "portal/": _PUBLIC,
    "portal/report/": "the citizen's report form (writes through intake as the portal account)",
    "portal/code/": "sends a code to the phone typed in; shows nothing",
    "portal/r/<str:number>/": _PUBLIC + "; an unpublished report only to its reporter",
    "portal/mine/": "the citizen's own reports, after an SMS code",
    "portal/forget/": "forgets the citizen's phone in this browser",
    "portal/subscribe/": "the citizen's own area subscription",
    "portal/unsubscribe/": "the citizen's own area subscription, ended",
    "portal/reports/": _PUBLIC,
    "portal/stats/": _PUBLIC,
    "portal/feed/<str:code>.atom": _PUBLIC,
    "portal/photo/<str:number>/<int:index>/": _PUBLIC + " (photos without metadata)",
    "portal/grid/": "a grid's public card: its name and the contacts published for it",
    "portal/grid/<str:code>/qr.svg": "the QR code of a grid's public card",
    "api/v1/portal/reports": _PUBLIC,
    "api/v1/portal/reports/<number>": _PUBLIC,
    "api/v1/portal/nearby": _PUBLIC,
    "api/v1/portal/suggest": "the public category names a description may belong to; no data",
    "api/v1/portal/streets": _PUBLIC,
    "healthz": "whether the instance answers and reaches its database; no data",
    "api/v1/portal/relay/reports": (
        "a public instance's client key (no user session): it writes a report through the "
        "portal's own service, only inside the client's areas (test_relay.py)"
    ),
    "api/v1/portal/relay/status": (
        "a public instance's client key (no user session): the public side of the reports that "
        "key relayed and of no other (test_relay.py::test_a_key_sees_only_what_it_relayed)"
    ),
    "api/v1/portal/relay/actions": (
        'a public instance\'s client key (no user session): a rating or "not fixed" only on a '
        "report that key relayed, another's answers 404 "
        "(test_relay_actions.py::test_the_core_takes_actions_only_on_what_the_key_relayed)"
    ),
    "api/v1/portal/relay/follows": (
        "a public instance's client key (no user session): a join or follow only of a report "
        "that key relayed (another's answers 404), an area only inside the client's areas "
        "(test_relay_follows.py::test_the_core_takes_follows_only_of_what_the_key_relayed)"
    ),
    "api/v1/portal/relay/open311": (
        "a public instance's client key (no user session): an Open311 request made through the "
        "core's Open311 intake, only inside the client's areas "
        "(test_relay_actions.py::test_the_core_takes_open311_requests_only_in_the_key_areas)"
    ),
}
