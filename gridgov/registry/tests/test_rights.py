"""Rights are checked in the services, so the API answers like the pages for roles that lack them."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.registry.models import Person

PEOPLE = "姓名,公民身份号码,房屋编码\n王五,410105200506150023,B-A-1-1-3-302\n".encode()


def _import(client, commit: str = "false"):
    return client.post(
        "/api/v1/registry/imports",
        {"entity": "people", "commit": commit, "file": SimpleUploadedFile("p.csv", PEOPLE)},
    )


@pytest.mark.parametrize("role", ["leader", "auditor"])
def test_roles_without_the_change_right_cannot_import_or_register(homes, users, client_for, role):
    client = client_for(users[role])
    for commit in ("false", "true"):
        answer = _import(client, commit)
        assert answer.status_code == 403, answer.content
        assert json.loads(answer.content)["code"] == "forbidden"
    created = client.post(
        "/api/v1/people",
        json.dumps({"name": "王五", "id_number": "410105200506150023"}),
        content_type="application/json",
    )
    assert created.status_code == 403
    assert not Person.objects.filter(name="王五").exists()
    # Liveness: the street operator may.
    assert _import(client_for(users["op_a"]), "true").status_code == 200
    assert Person.objects.filter(name="王五").exists()


def test_reveal_and_personal_export_need_their_rights(homes, users, client_for):
    leader = client_for(users["leader"])
    person = homes["person_a"]
    reveal = leader.post(
        f"/api/v1/people/{person.pk}/reveal",
        json.dumps({"reason": "核实"}),
        content_type="application/json",
    )
    assert reveal.status_code == 403
    assert "13800001111" not in reveal.content.decode()
    assert leader.get("/registry/people/export.csv").status_code == 200
    assert leader.get("/registry/people/export.csv?personal=1").status_code == 403
    district = client_for(users["district"])
    shown = district.post(
        f"/api/v1/people/{person.pk}/reveal",
        json.dumps({"reason": "核实"}),
        content_type="application/json",
    )
    assert json.loads(shown.content)["phone"] == "13800001111"
