"""Federation in the scope matrix: the page is for client-system managers and shows only the
members inside their scope; the receivers answer only a member's key and signature (or the
parent's signature); escalating a case needs the case in the asker's scope."""

from gridgov.accounts.models import User
from gridgov.exchange.services.federation import register_member
from gridgov.tests.scope import Case

MEMBER_B = "乙街道平台"


def setup(world) -> None:
    admin = User.objects.get(username="admin")
    member, _key = register_member(
        admin, name=MEMBER_B, area_code="410105002", url="https://b.example.gov.cn"
    )
    world.objects["federation_member_b"] = member


def _name(world) -> list[str]:
    return [MEMBER_B]


def _case_b(world) -> int:
    return world.objects["case_b"].pk  # made by the cases part's setup


CASES = [
    Case("exchange/federation/", lambda w: "/exchange/federation/", expect=403, absent=_name),
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
]
