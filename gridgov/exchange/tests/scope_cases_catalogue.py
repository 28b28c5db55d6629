"""The data catalogue in the scope matrix: its pages are for administrators (MANAGE_CLIENTS),
the exchange log also for the auditor; a street operator gets nothing, not even the names of
the client systems. The client-key API answers only a client system's key (scope by client:
exchange/tests/test_catalogue_api.py proves a client sees only its own rows and areas)."""

import datetime

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.exchange.models import ClientKind
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import issue_client
from gridgov.tests.scope import Case

RECEIVER_B = "乙街道数据共享平台"
PURPOSE_B = "乙街道人口核查专用"


def setup(world) -> None:
    admin = User.objects.get(username="admin")
    client, _key = issue_client(
        admin,
        name=RECEIVER_B,
        kind=ClientKind.EXCHANGE,
        area_codes=["410105002"],
        owner_unit="乙街道办事处",
    )
    world.objects["catalogue_client_b"] = client
    world.objects["catalogue_app_b"] = catalogue.apply_for(
        admin,
        client,
        dataset_key="people",
        fields=["id", "sex"],
        purpose=PURPOSE_B,
        legal_basis="《统计法》",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    packages.produce(
        packages.request_package(admin, client, dataset_key="case_facts", suite="common")
    )


def _names(world) -> list[str]:
    return [RECEIVER_B]


def _page_texts(world) -> list[str]:
    return [RECEIVER_B, PURPOSE_B]


_KEY_ONLY = (
    "answers only a client system's key, never a user (a client sees only its own applications "
    "and packages, and its areas: exchange/tests/test_catalogue_api.py)"
)

CASES = [
    Case("exchange/catalogue/", lambda w: "/exchange/catalogue/", expect=403, absent=_page_texts),
    Case(
        "exchange/catalogue/applications/<int:pk>/decide/",
        lambda w: f"/exchange/catalogue/applications/{w.objects['catalogue_app_b'].pk}/decide/",
        "POST",
        lambda w: {"decision": "approve", "reason": "依法"},
        multipart=True,
        expect=403,
        live_expect=302,
    ),
    Case(
        "exchange/catalogue/keys/",
        lambda w: "/exchange/catalogue/keys/",
        "POST",
        lambda w: {"client": w.objects["catalogue_client_b"].pk, "x25519_public": "ab" * 32},
        multipart=True,
        expect=403,
        live_expect=302,
    ),
    Case(
        "exchange/catalogue/log/",
        lambda w: "/exchange/catalogue/log/",
        expect=403,
        absent=_names,
        live_as="auditor",
    ),
    Case(
        "api/v1/exchange/catalogue",
        lambda w: "/api/v1/exchange/catalogue",
        expect=401,
        not_live=_KEY_ONLY,
    ),
    Case(
        "api/v1/exchange/applications",
        lambda w: "/api/v1/exchange/applications",
        "POST",
        lambda w: {
            "dataset": "people",
            "fields": ["id"],
            "purpose": "x",
            "legal_basis": "y",
            "expires_on": "2030-01-01",
        },
        expect=401,
        not_live=_KEY_ONLY,
    ),
    Case(
        "api/v1/exchange/packages",
        lambda w: "/api/v1/exchange/packages",
        expect=401,
        not_live=_KEY_ONLY,
    ),
    Case(
        "api/v1/exchange/packages",
        lambda w: "/api/v1/exchange/packages",
        "POST",
        lambda w: {"dataset": "cases"},
        expect=401,
        not_live=_KEY_ONLY,
    ),
    Case(
        "api/v1/exchange/packages/<package_id>/download",
        lambda w: "/api/v1/exchange/packages/1/download",
        expect=401,
        not_live=_KEY_ONLY,
    ),
]
