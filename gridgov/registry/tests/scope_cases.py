from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.registry.models import TransferRequest
from gridgov.registry.tests.conftest import homes as _homes_fixture
from gridgov.tests.scope import Case


def setup(world) -> None:
    world.objects.update(_homes_fixture.__wrapped__(world.tree, world.users))
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


def _b(world) -> list[str]:
    return ["李四", "花园小区1号楼", "乙街道商贸公司", "乙街道消防栓", "B-B-1"]


def _pk(name):
    return lambda w: w.objects[name].pk


CASES = [
    Case("registry/people/", lambda w: "/registry/people/", expect=200, absent=_b),
    Case("registry/people/", lambda w: "/registry/people/?q=李", expect=200, absent=_b),
    Case("registry/people/new/", lambda w: "/registry/people/new/", expect=200, absent=_b),
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
        "registry/people/<int:pk>/move-out/",
        lambda w: f"/registry/people/{_pk('person_b')(w)}/move-out/",
        "POST",
        multipart=True,
    ),
    Case(
        "registry/people/<int:pk>/merge/",
        lambda w: f"/registry/people/{_pk('person_a')(w)}/merge/",
        "POST",
        lambda w: {"other": _pk("person_b")(w)},
        expect=302,
        multipart=True,
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
        absent=_b,
    ),
    Case(
        "registry/key-populations/", lambda w: "/registry/key-populations/", expect=200, absent=_b
    ),
    Case("registry/buildings/", lambda w: "/registry/buildings/", expect=200, absent=_b),
    Case("registry/buildings/new/", lambda w: "/registry/buildings/new/", expect=200, absent=_b),
    Case("registry/buildings/<int:pk>/", lambda w: f"/registry/buildings/{_pk('building_b')(w)}/"),
    Case(
        "registry/buildings/<int:pk>/edit/",
        lambda w: f"/registry/buildings/{_pk('building_b')(w)}/edit/",
    ),
    Case("registry/houses/<int:pk>/", lambda w: f"/registry/houses/{_pk('house_b')(w)}/"),
    Case("registry/organizations/", lambda w: "/registry/organizations/", expect=200, absent=_b),
    Case(
        "registry/organizations/new/",
        lambda w: "/registry/organizations/new/",
        expect=200,
        absent=_b,
    ),
    Case(
        "registry/organizations/<int:pk>/edit/",
        lambda w: f"/registry/organizations/{_pk('org_b')(w)}/edit/",
    ),
    Case(
        "registry/organizations/export.<str:fmt>",
        lambda w: "/registry/organizations/export.csv",
        expect=200,
        absent=_b,
    ),
    Case("registry/places/", lambda w: "/registry/places/", expect=200, absent=_b),
    Case("registry/places/new/", lambda w: "/registry/places/new/", expect=200, absent=_b),
    Case("registry/places/<int:pk>/edit/", lambda w: f"/registry/places/{_pk('place_b')(w)}/edit/"),
    Case("registry/import/", lambda w: "/registry/import/", expect=200, absent=_b),
    Case(
        "registry/import/",
        lambda w: "/registry/import/",
        "POST",
        lambda w: {
            "entity": "people",
            "file": SimpleUploadedFile(
                "p.csv",
                "姓名,公民身份号码,房屋编码\n王五,410105200506150023,B-B-1-1-2-202\n".encode(),
            ),
        },
        expect=200,
        absent=lambda w: ["B-B-1-1-2-202 "],
        multipart=True,
    ),
    Case(
        "registry/templates/<str:entity>.<str:fmt>",
        lambda w: "/registry/templates/people.csv",
        expect=200,
    ),
    Case("api/v1/people", lambda w: "/api/v1/people", expect=200, absent=_b),
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
    Case("api/v1/buildings", lambda w: "/api/v1/buildings", expect=200, absent=_b),
    Case(
        "api/v1/buildings/<building_id>/table",
        lambda w: f"/api/v1/buildings/{_pk('building_b')(w)}/table",
    ),
    Case("api/v1/houses/<house_id>", lambda w: f"/api/v1/houses/{_pk('house_b')(w)}"),
    Case("api/v1/organizations", lambda w: "/api/v1/organizations", expect=200, absent=_b),
    Case("api/v1/places", lambda w: "/api/v1/places", expect=200, absent=_b),
    Case("api/v1/registry/stats", lambda w: "/api/v1/registry/stats?area=410105002"),
    Case(
        "api/v1/registry/stats",
        lambda w: "/api/v1/registry/stats",
        expect=200,
        absent=lambda w: ['"floating", "label": "流动人口", "count": 1'],
    ),
    Case(
        "api/v1/registry/map.geojson",
        lambda w: "/api/v1/registry/map.geojson?layer=organizations",
        expect=200,
        absent=_b,
    ),
    Case(
        "api/v1/registry/imports",
        lambda w: "/api/v1/registry/imports",
        "POST",
        lambda w: {
            "entity": "people",
            "file": SimpleUploadedFile(
                "p.csv",
                "姓名,公民身份号码,房屋编码\n王五,410105200506150023,B-B-1-1-2-202\n".encode(),
            ),
        },
        expect=200,
        multipart=True,
    ),
    Case("registry/transfers/", lambda w: "/registry/transfers/", expect=200, absent=_b),
    Case(
        "registry/transfers/<int:pk>/decide/",
        lambda w: f"/registry/transfers/{_pk('transfer_b')(w)}/decide/",
        "POST",
        lambda w: {"decision": "accept"},
        multipart=True,
    ),
    Case("api/v1/transfers", lambda w: "/api/v1/transfers", expect=200, absent=_b),
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
