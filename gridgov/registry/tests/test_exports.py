"""Every export of personal data goes through registry/exports.py: each file is one access-log row
(with the area of its rows); without the right the answer is 403 and nothing is written."""

import pytest
from django.urls import get_resolver

from gridgov.areas.models import Area
from gridgov.audit.models import AccessLog
from gridgov.registry import services
from gridgov.registry.tests.conftest import POINT_A
from gridgov.tests.sections import Export, gathered

EXPORTS = {
    "people, masked, CSV": Export(
        "/registry/people/export.csv", "op_a", "auditor", fields=("birth_date", "name", "sex")
    ),
    "people, masked, Excel": Export(
        "/registry/people/export.xlsx?area=410105001",
        "op_a",
        "member_a",
        fields=("birth_date", "name", "sex"),
    ),
    "people, in full": Export(
        "/registry/people/export.csv?personal=1",
        "district",
        "op_a",
        {"reason": "核对低保名单"},
        ("birth_date", "id_number", "name", "phone", "sex"),
    ),
    "organizations, CSV": Export(
        "/registry/organizations/export.csv", "op_a", "auditor", fields=("legal_representative",)
    ),
    "organizations, Excel": Export(
        "/registry/organizations/export.xlsx?kind=shop",
        "district",
        "member_a",
        fields=("legal_representative",),
    ),
}
# Downloads that hold no personal data.
NOT_PERSONAL = {"areas:export": "boundaries", "dashboard:export": "the cockpit's figures"}
EXPORT_ROUTES = {"registry:export_people", "registry:export_organizations"}
EXPORTS.update(gathered("EXPORTS"))
NOT_PERSONAL.update(gathered("NOT_PERSONAL"))
EXPORT_ROUTES |= set(gathered("EXPORT_ROUTES"))


@pytest.fixture
def shop(homes, users):
    services.save_organization(
        {
            "name": "甲街道便民超市",
            "kind": "shop",
            "legal_representative": "赵老板",
            "phone": "037166668888",
            "lon": POINT_A[0],
            "lat": POINT_A[1],
        },
        actor=users["op_a"],
    )


def _get(client, export: Export):
    if export.data:
        return client.post(export.url, export.data)
    return client.get(export.url)


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_writes_one_access_log_row(shop, users, client_for, name):
    export = EXPORTS[name]
    answer = _get(client_for(users[export.allowed]), export)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert "attachment" in answer["Content-Disposition"]
    (row,) = AccessLog.objects.all()
    assert (row.actor, row.purpose, tuple(row.fields)) == (
        users[export.allowed],
        "export",
        export.fields,
    )
    assert row.record_count >= 1
    assert Area.objects.filter(code=row.area_code).exists()  # an area's code, not a fragment


@pytest.mark.parametrize("name", list(EXPORTS))
def test_without_the_right_an_export_is_403_and_writes_nothing(shop, users, client_for, name):
    export = EXPORTS[name]
    assert _get(client_for(users[export.refused]), export).status_code == 403
    assert not AccessLog.objects.exists()


def test_every_export_route_is_listed():
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif p.name and "export" in p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    assert names == EXPORT_ROUTES | set(NOT_PERSONAL), names
