from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.registry import services
from gridgov.registry.models import Person, TransferRequest
from gridgov.registry.tests.conftest import POINT_B
from gridgov.registry.tests.conftest import homes as _homes_fixture
from gridgov.tests.scope import Case


def setup(world) -> None:
    """Street B's building, rooms, people, organization and place; B's person is a key-population
    member, and a second record of B (no ID number) that an administrator could merge."""
    world.objects.update(_homes_fixture.__wrapped__(world.tree, world.users))
    admin = world.users["admin"]
    services.tag_key_population(
        world.objects["person_b"], actor=admin, responsible=admin, category="disabled"
    )
    world.objects["dup_b"], _ = services.save_person(
        {
            "name": "李四",
            "other_id": "E12345678",
            "other_id_type": "passport",
            "registration": "floating",
        },
        actor=admin,
        house=world.objects["house_b"],
    )
    # A transfer request street A has no part in: street B's record, asked for by the district.
    person_b = world.objects["person_b"]
    now = timezone.now()
    world.objects["transfer_b"] = TransferRequest.objects.create(
        kind="person",
        person=person_b,
        holder_code=person_b.area_code,
        target_code="41010500200201",
        decider_code=person_b.area_code,
        source="form",
        requested_by=world.users["op_b"],
        requested_at=now,
        due_at=now,
    )


PERSON_B = ["李四"]
BUILDING_B = ["花园小区1号楼", "B-B-1"]
ORG_B = ["乙街道商贸公司"]
PLACE_B = ["乙街道消防栓"]
A_BLANK_FORM = "a blank form: it lists nothing of any area"


def _merged(world, _answer) -> bool:
    return Person.objects.filter(pk=world.objects["dup_b"].pk, merged_into__isnull=False).exists()


def _floating(world, answer) -> list:
    """B's only person is floating, A's registered: a floating count shows street B."""
    return [
        r
        for r in answer["population_by_registration"]
        if r["registration"] == "floating" and r["count"]
    ]


def _import(world) -> dict:
    return {
        "entity": "people",
        "file": SimpleUploadedFile(
            "p.csv", "姓名,公民身份号码,房屋编码\n王五,410105200506150023,B-B-1-1-2-202\n".encode()
        ),
    }


def _in_b(**extra):
    return lambda w: {**extra, "lon": POINT_B[0], "lat": POINT_B[1]}


def _pk(name):
    return lambda w: w.objects[name].pk


CASES = [
    Case("registry/people/", lambda w: "/registry/people/", expect=200, absent=lambda w: PERSON_B),
    Case(
        "registry/people/",
        lambda w: "/registry/people/?q=李",
        expect=200,
        absent=lambda w: PERSON_B,
    ),
    Case(
        "registry/people/new/", lambda w: "/registry/people/new/", expect=200, not_live=A_BLANK_FORM
    ),
    Case(
        "registry/people/new/",
        lambda w: "/registry/people/new/",
        "POST",
        lambda w: {
            "name": "x",
            "id_number": "410105198001010017",
            "registration": "registered",
            "house_code": "B-B-1-1-2-201",
        },
        expect=200,
        absent=lambda w: ["李四", "花园小区1号楼"],
        multipart=True,
        live_expect=302,
    ),
    Case("registry/people/<int:pk>/", lambda w: f"/registry/people/{_pk('person_b')(w)}/"),
    Case(
        "registry/people/<int:pk>/",
        lambda w: f"/registry/people/{_pk('person_b')(w)}/",
        "POST",
        lambda w: {"reason": "x"},
        multipart=True,
    ),
    Case(
        "registry/people/<int:pk>/edit/", lambda w: f"/registry/people/{_pk('person_b')(w)}/edit/"
    ),
    Case(
        "registry/people/<int:pk>/edit/",
        lambda w: f"/registry/people/{_pk('person_b')(w)}/edit/",
        "POST",
        lambda w: {"name": "x", "id_number": "410105198001010017", "registration": "floating"},
        multipart=True,
    ),
    Case(
        "registry/people/<int:pk>/move-out/",
        lambda w: f"/registry/people/{_pk('person_b')(w)}/move-out/",
        "POST",
        multipart=True,
    ),
    Case(
        "registry/people/<int:pk>/merge/",
        lambda w: f"/registry/people/{_pk('person_a')(w)}/merge/",
        "POST",
        lambda w: {"other": _pk("dup_b")(w)},
        expect=302,
        multipart=True,
        leaks=_merged,
    ),
    Case(
        "registry/people/<int:pk>/tag/",
        lambda w: f"/registry/people/{_pk('person_b')(w)}/tag/",
        "POST",
        lambda w: {"category": "disabled", "level": "low", "visit_every_days": 30},
        multipart=True,
    ),
    Case(
        "registry/people/<int:pk>/visit/",
        lambda w: f"/registry/people/{_pk('person_b')(w)}/visit/",
        "POST",
        lambda w: {"note": "x"},
        multipart=True,
    ),
    Case(
        "registry/people/export.<str:fmt>",
        lambda w: "/registry/people/export.csv",
        expect=200,
        absent=lambda w: PERSON_B,
    ),
    Case(
        "registry/people/export.<str:fmt>",
        lambda w: "/registry/people/export.csv",
        "POST",
        lambda w: {"reason": "核查"},
        expect=200,
        absent=lambda w: PERSON_B,
        multipart=True,
    ),
    Case(
        "registry/key-populations/",
        lambda w: "/registry/key-populations/",
        expect=200,
        absent=lambda w: PERSON_B,
    ),
    Case(
        "registry/buildings/",
        lambda w: "/registry/buildings/",
        expect=200,
        absent=lambda w: BUILDING_B,
    ),
    Case(
        "registry/buildings/new/",
        lambda w: "/registry/buildings/new/",
        expect=200,
        not_live=A_BLANK_FORM,
    ),
    Case(
        "registry/buildings/new/",
        lambda w: "/registry/buildings/new/",
        "POST",
        _in_b(
            code="B-B-9",
            name="越界楼",
            address="x",
            use="residential",
            units=1,
            floors=1,
            rooms_per_floor=1,
        ),
        expect=200,
        multipart=True,
        live_expect=302,
    ),
    Case("registry/buildings/<int:pk>/", lambda w: f"/registry/buildings/{_pk('building_b')(w)}/"),
    Case(
        "registry/buildings/<int:pk>/edit/",
        lambda w: f"/registry/buildings/{_pk('building_b')(w)}/edit/",
    ),
    Case(
        "registry/buildings/<int:pk>/edit/",
        lambda w: f"/registry/buildings/{_pk('building_b')(w)}/edit/",
        "POST",
        _in_b(
            code="B-B-1",
            name="x",
            address="x",
            use="residential",
            units=1,
            floors=2,
            rooms_per_floor=2,
        ),
        multipart=True,
    ),
    Case("registry/houses/<int:pk>/", lambda w: f"/registry/houses/{_pk('house_b')(w)}/"),
    Case(
        "registry/houses/<int:pk>/",
        lambda w: f"/registry/houses/{_pk('house_b')(w)}/",
        "POST",
        lambda w: {"use": "residence", "state": "vacant"},
        multipart=True,
    ),
    Case(
        "registry/organizations/",
        lambda w: "/registry/organizations/",
        expect=200,
        absent=lambda w: ORG_B,
    ),
    Case(
        "registry/organizations/new/",
        lambda w: "/registry/organizations/new/",
        expect=200,
        not_live=A_BLANK_FORM,
    ),
    Case(
        "registry/organizations/new/",
        lambda w: "/registry/organizations/new/",
        "POST",
        _in_b(name="越界公司", kind="enterprise"),
        expect=200,
        multipart=True,
        live_expect=302,
    ),
    Case(
        "registry/organizations/<int:pk>/edit/",
        lambda w: f"/registry/organizations/{_pk('org_b')(w)}/edit/",
    ),
    Case(
        "registry/organizations/<int:pk>/edit/",
        lambda w: f"/registry/organizations/{_pk('org_b')(w)}/edit/",
        "POST",
        _in_b(name="x", kind="enterprise"),
        multipart=True,
    ),
    Case(
        "registry/organizations/export.<str:fmt>",
        lambda w: "/registry/organizations/export.csv",
        expect=200,
        absent=lambda w: ORG_B,
    ),
    Case("registry/places/", lambda w: "/registry/places/", expect=200, absent=lambda w: PLACE_B),
    Case(
        "registry/places/new/", lambda w: "/registry/places/new/", expect=200, not_live=A_BLANK_FORM
    ),
    Case(
        "registry/places/new/",
        lambda w: "/registry/places/new/",
        "POST",
        _in_b(name="越界设施", kind="facility"),
        expect=200,
        multipart=True,
        live_expect=302,
    ),
    Case("registry/places/<int:pk>/edit/", lambda w: f"/registry/places/{_pk('place_b')(w)}/edit/"),
    Case(
        "registry/places/<int:pk>/edit/",
        lambda w: f"/registry/places/{_pk('place_b')(w)}/edit/",
        "POST",
        _in_b(name="x", kind="facility"),
        multipart=True,
    ),
    Case("registry/import/", lambda w: "/registry/import/", expect=200, not_live=A_BLANK_FORM),
    Case(
        "registry/import/",
        lambda w: "/registry/import/",
        "POST",
        _import,
        expect=200,
        multipart=True,
        leaks=lambda w, text: 'id="import-good"' in text,  # the row in B counts as good
    ),
    Case(
        "registry/templates/<str:entity>.<str:fmt>",
        lambda w: "/registry/templates/people.csv",
        expect=200,
        not_live="the blank template of an import file",
    ),
    Case("api/v1/people", lambda w: "/api/v1/people", expect=200, absent=lambda w: PERSON_B),
    Case(
        "api/v1/people",
        lambda w: "/api/v1/people",
        "POST",
        lambda w: {"name": "x", "id_number": "410105200506150023", "house_code": "B-B-1-1-2-202"},
        expect=400,
    ),
    Case("api/v1/people/<person_id>", lambda w: f"/api/v1/people/{_pk('person_b')(w)}"),
    Case(
        "api/v1/people/<person_id>",
        lambda w: f"/api/v1/people/{_pk('person_b')(w)}",
        "PATCH",
        lambda w: {"name": "x"},
    ),
    Case(
        "api/v1/people/<person_id>/reveal",
        lambda w: f"/api/v1/people/{_pk('person_b')(w)}/reveal",
        "POST",
        lambda w: {"reason": "核实"},
    ),
    Case(
        "api/v1/people/<person_id>/merge",
        lambda w: f"/api/v1/people/{_pk('person_a')(w)}/merge",
        "POST",
        lambda w: {"duplicate": _pk("person_b")(w)},
    ),
    Case(
        "api/v1/buildings", lambda w: "/api/v1/buildings", expect=200, absent=lambda w: BUILDING_B
    ),
    Case(
        "api/v1/buildings/<building_id>/table",
        lambda w: f"/api/v1/buildings/{_pk('building_b')(w)}/table",
    ),
    Case("api/v1/houses/<house_id>", lambda w: f"/api/v1/houses/{_pk('house_b')(w)}"),
    Case(
        "api/v1/organizations",
        lambda w: "/api/v1/organizations",
        expect=200,
        absent=lambda w: ORG_B,
    ),
    Case("api/v1/places", lambda w: "/api/v1/places", expect=200, absent=lambda w: PLACE_B),
    Case("api/v1/registry/stats", lambda w: "/api/v1/registry/stats?area=410105002"),
    Case(
        "api/v1/registry/stats",
        lambda w: "/api/v1/registry/stats",
        expect=200,
        leaks=_floating,
    ),
    Case(
        "api/v1/registry/map.geojson",
        lambda w: "/api/v1/registry/map.geojson?layer=organizations",
        expect=200,
        absent=lambda w: ORG_B,
    ),
    Case(
        "api/v1/registry/map.geojson",
        lambda w: "/api/v1/registry/map.geojson?layer=buildings",
        expect=200,
        absent=lambda w: BUILDING_B[:1],
    ),
    Case(
        "api/v1/registry/map.geojson",
        lambda w: "/api/v1/registry/map.geojson?layer=places",
        expect=200,
        absent=lambda w: PLACE_B,
    ),
    Case(
        "api/v1/registry/imports",
        lambda w: "/api/v1/registry/imports",
        "POST",
        _import,
        expect=200,
        multipart=True,
        leaks=lambda w, answer: answer["good"],
    ),
    Case("registry/transfers/", lambda w: "/registry/transfers/", expect=200, absent=lambda w: PERSON_B),
    Case(
        "registry/transfers/<int:pk>/decide/",
        lambda w: f"/registry/transfers/{_pk('transfer_b')(w)}/decide/",
        "POST",
        lambda w: {"decision": "accept"},
        multipart=True,
    ),
    Case("api/v1/transfers", lambda w: "/api/v1/transfers", expect=200, absent=lambda w: PERSON_B),
    Case(
        "api/v1/transfers/<transfer_id>",
        lambda w: f"/api/v1/transfers/{_pk('transfer_b')(w)}",
    ),
    Case(
        "api/v1/transfers/<transfer_id>/decide",
        lambda w: f"/api/v1/transfers/{_pk('transfer_b')(w)}/decide",
        "POST",
        lambda w: {"accept": True},
    ),
]
