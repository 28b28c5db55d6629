"""Federation in the scope matrix: the page is for client-system managers and shows only the
members inside their scope; the receivers answer only a member's key and signature (or the
parent's signature); escalating a case needs the case in the asker's scope."""

import datetime

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.exchange.models import FederationTask
from gridgov.exchange.services.federation import register_member
from gridgov.tests.scope import Case

MEMBER_B = "乙街道平台"


def setup(world) -> None:
    admin = User.objects.get(username="admin")
    member, _key = register_member(
        admin, name=MEMBER_B, area_code="410105002", url="https://b.example.gov.cn"
    )
    world.objects["federation_member_b"] = member
    # a task from the level above, waiting on street B (as a street-level platform would hold it)
    world.objects["federation_task_b"] = FederationTask.objects.create(
        peer="4101",
        remote_id="scope-b",
        area_code="410105002",
        kind="patrol",
        title="巡查乙街道",
        due=timezone.now() + datetime.timedelta(days=1),
    )


def _name(world) -> list[str]:
    return [MEMBER_B]


def _case_b(world) -> int:
    return world.objects["case_b"].pk  # made by the cases part's setup


CASES = [
    Case("exchange/federation/", lambda w: "/exchange/federation/", expect=403, absent=_name),
    Case(
        "exchange/federation/members/<int:member_id>/signing/",
        lambda w: f"/exchange/federation/members/{w.objects['federation_member_b'].pk}/signing/",
        "POST",
        lambda w: {"signing": "hmac-sm3"},
        expect=404,
        multipart=True,  # a form
        live_expect=302,  # the admin manages member B
    ),
    Case(
        "exchange/federation/assessment/",
        lambda w: "/exchange/federation/assessment/",
        expect=200,
        absent=_name,  # street A's operator does not see member B in the ranking
    ),
    Case(
        "api/v1/federation/assessment",
        lambda w: "/api/v1/federation/assessment",
        expect=200,
        absent=_name,
    ),
    Case(
        "api/v1/federation/up",
        lambda w: "/api/v1/federation/up",
        "POST",
        lambda w: {"kind": "case.fact", "data": {}},
        expect=401,
        not_live="answers only a member platform's key and signature, never a user "
        "(scope by member: exchange/tests/test_federation*.py)",
    ),
    Case(
        "api/v1/federation/down",
        lambda w: "/api/v1/federation/down",
        "POST",
        lambda w: {"kind": "warning", "data": {}},
        expect=(401, 404),
        not_live="answers only the parent platform's signature, never a user",
    ),
    Case(
        "api/v1/federation/cases/<case_id>/escalate",
        lambda w: f"/api/v1/federation/cases/{_case_b(w)}/escalate",
        "POST",
        lambda w: {"department": "市水务局"},
        expect=404,
        live_expect=400,  # the admin reaches the case; without a parent configured: refused
    ),
    Case(
        "api/v1/federation/cases/<case_id>/reveal",
        lambda w: f"/api/v1/federation/cases/{_case_b(w)}/reveal",
        "POST",
        lambda w: {"reason": "回访"},
        expect=404,
        live_expect=400,  # the admin reaches the case; not one from a member: refused
    ),
    Case(
        "api/v1/federation/reveal",
        lambda w: "/api/v1/federation/reveal",
        "POST",
        lambda w: {"kind": "reporter.reveal", "data": {}},
        expect=(401, 404),
        not_live="answers only the parent platform's signature, never a user "
        "(refusals of other cases: exchange/tests/test_federation_reveal.py)",
    ),
    Case(
        "exchange/federation/cases/<int:case_id>/reveal/",
        lambda w: f"/exchange/federation/cases/{_case_b(w)}/reveal/",
        expect=404,
    ),
    Case(
        "api/v1/federation/tasks",
        lambda w: "/api/v1/federation/tasks",
        "POST",
        lambda w: {
            "area_codes": ["410105002"],
            "kind": "patrol",
            "title": "巡查",
            "due": "2026-12-05T10:00:00+08:00",
        },
        expect=403,
        live_expect=200,  # the admin sends it to member B
    ),
    Case(
        "api/v1/federation/tasks/<task_id>/assign",
        lambda w: f"/api/v1/federation/tasks/{w.objects['federation_task_b'].pk}/assign",
        "POST",
        lambda w: {"area_code": "410105002"},
        expect=404,
        live_expect=(200, 400),  # the admin reaches it (street B's grids may have no members)
    ),
    Case(
        "exchange/federation/tasks/",
        lambda w: "/exchange/federation/tasks/",
        expect=200,
        absent=lambda w: ["巡查乙街道"],  # street A's operator does not see street B's task
    ),
    Case(
        "exchange/federation/tasks/<int:task_id>/assign/",
        lambda w: f"/exchange/federation/tasks/{w.objects['federation_task_b'].pk}/assign/",
        "POST",
        lambda w: {"area_code": "410105002"},
        expect=404,
        live_expect=(302, 400),  # the admin reaches it (street B's grids may have no members)
    ),
    Case(
        "exchange/federation/cases/<int:case_id>/reveal/",
        lambda w: f"/exchange/federation/cases/{_case_b(w)}/reveal/",
        "POST",
        lambda w: {"reason": "回访"},
        expect=404,
        live_expect=200,  # the admin reaches the case; the refusal is on the page
    ),
]
