import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import create_department
from gridgov.areas.models import Area
from gridgov.cases import services
from gridgov.cases.models import AttachmentKind
from gridgov.cases.models import Case as CaseRow
from gridgov.cases.photos import check_photo
from gridgov.cases.tests.conftest import POINT_B, jpeg
from gridgov.conftest import make_user
from gridgov.tests.scope import Case

TITLE_B = "乙街道的井盖问题"
NEAR_B = "乙街道边界上的井盖问题"
OWN_REPORT = "the answer is the asker's own new report"
A_SHELL = "a page whose data comes from the API (its cases are checked there)"


def setup(world) -> None:
    department = create_department(
        actor=None,
        code="410105002-ZF",
        name="乙街道执法中队",
        level="street",
        area=Area.objects.get(code="410105002"),
        line="城市管理",
    )
    world.users["handler_a"] = make_user(
        "handler_a",
        Role.DEPARTMENT_HANDLER,
        ["410105001"],
        department=create_department(
            actor=None,
            code="410105001-ZF",
            name="甲街道执法中队",
            level="street",
            area=Area.objects.get(code="410105001"),
            line="城市管理",
        ),
    )
    member_b = make_user("member_b", Role.GRID_MEMBER, ["41010500200101"])
    case, _ = services.report_case(
        actor=member_b,
        channel="grid_member",
        description=TITLE_B,
        title=TITLE_B,
        category="C0101",
        lon=POINT_B[0],
        lat=POINT_B[1],
        photos=[check_photo(jpeg())],
    )
    op_b = world.users["op_b"]
    for action, kw in (("accept", {}), ("file", {}), ("dispatch", {"department": department})):
        case = services.perform(case, action, actor=op_b, **kw)
    world.users["handler_b"] = make_user(
        "handler_b", Role.DEPARTMENT_HANDLER, ["410105002"], department=department
    )
    # Overdue, with a yellow card: it belongs in the overdue queue and on the card boards.
    CaseRow.objects.filter(pk=case.pk).update(
        stage_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    services.sweep_deadlines()
    world.objects["case_b"] = case
    world.objects["photo_b"] = case.attachments.get()
    # Two new reports of one problem on the border of the streets, one in each: merge candidates.
    member_a = world.users["member_a"]
    for key, who, lon in (("near_a", member_a, 113.6199), ("near_b", member_b, 113.6201)):
        world.objects[key], _ = services.report_case(
            actor=who,
            channel="grid_member",
            description=NEAR_B if key == "near_b" else "甲街道的井盖问题",
            title=NEAR_B if key == "near_b" else "甲街道的井盖问题",
            category="C0101",
            lon=lon,
            lat=POINT_B[1],
        )
    assert Department.objects.filter(code="410105002-ZF").exists()
    assert AttachmentKind.REPORT


def _absent(world) -> list[str]:
    return [TITLE_B]


def _case(world) -> int:
    return world.objects["case_b"].pk


def _report() -> dict:
    """A report of a problem in street B (anyone may report what they see, anywhere)."""
    return {
        "description": "x",
        "lon": POINT_B[0],
        "lat": POINT_B[1],
        "crs": "wgs84",
        "urgency": "normal",
    }


def _near_b(world) -> list[str]:
    return [NEAR_B, world.objects["near_b"].number]


CASES = [
    Case("api/v1/cases", lambda w: "/api/v1/cases?queue=all", expect=200, absent=_absent),
    Case(
        "api/v1/cases",
        lambda w: "/api/v1/cases?queue=handle",
        expect=200,
        absent=_absent,
        as_user="handler_a",
    ),
    Case(
        "api/v1/cases",
        lambda w: "/api/v1/cases",
        "POST",
        lambda w: {
            "description": "x",
            "lon": POINT_B[0],
            "lat": POINT_B[1],
            "idempotency_key": "scope-test-0001",
        },
        expect=(200, 201),
        absent=_absent,
        codes=(),  # the asker's own report, in street B where they saw the problem
        not_live=OWN_REPORT,
    ),
    Case(
        "api/v1/cases/map.geojson",
        lambda w: "/api/v1/cases/map.geojson?status=all",
        expect=200,
        absent=_absent,
    ),
    Case("api/v1/cases/<case_id>", lambda w: f"/api/v1/cases/{_case(w)}"),
    Case("api/v1/cases/<case_id>", lambda w: f"/api/v1/cases/{_case(w)}", as_user="handler_a"),
    Case("api/v1/cases/<case_id>/timeline", lambda w: f"/api/v1/cases/{_case(w)}/timeline"),
    Case(
        "api/v1/cases/<case_id>/rating",
        lambda w: f"/api/v1/cases/{_case(w)}/rating",
        "POST",
        lambda w: {"score": 5},
    ),
    Case(
        "api/v1/cases/<case_id>/actions/<action>",
        lambda w: f"/api/v1/cases/{_case(w)}/actions/start",
        "POST",
        lambda w: {},
        live_as="handler_b",
    ),
    Case(
        "api/v1/cases/<case_id>/actions/<action>",
        lambda w: f"/api/v1/cases/{_case(w)}/actions/remind",
        "POST",
        lambda w: {"note": "x"},
    ),
    Case(
        "api/v1/cases/<case_id>/photos",
        lambda w: f"/api/v1/cases/{_case(w)}/photos",
        "POST",
        lambda w: {"file": SimpleUploadedFile("p.jpg", jpeg())},
        multipart=True,
    ),
    Case("api/v1/cases/<case_id>/duplicates", lambda w: f"/api/v1/cases/{_case(w)}/duplicates"),
    Case(
        "api/v1/cases/<case_id>/duplicates",
        lambda w: f"/api/v1/cases/{w.objects['near_a'].pk}/duplicates",
        expect=200,
        absent=_near_b,
    ),
    Case("cases/", lambda w: "/cases/?queue=all", expect=200, absent=_absent),
    Case("cases/", lambda w: "/cases/?queue=overdue", expect=200, absent=_absent),
    Case("cases/<int:pk>/", lambda w: f"/cases/{_case(w)}/"),
    Case(
        "cases/<int:pk>/",
        lambda w: f"/cases/{w.objects['near_a'].pk}/",
        expect=200,
        absent=_near_b,  # the merge candidates on street A's own case
    ),
    Case(
        "cases/<int:pk>/do/<str:action>/",
        lambda w: f"/cases/{_case(w)}/do/remind/",
        "POST",
        lambda w: {"note": "x"},
        multipart=True,
    ),
    Case(
        "cases/photos/<int:pk>/<str:variant>/",
        lambda w: f"/cases/photos/{w.objects['photo_b'].pk}/thumbnail/",
    ),
    Case("cases/report/", lambda w: "/cases/report/", expect=200, not_live="a blank form"),
    Case(
        "cases/report/",
        lambda w: "/cases/report/",
        "POST",
        lambda w: _report(),
        expect=302,
        multipart=True,
        not_live=OWN_REPORT,
    ),
    Case("cases/hotline/", lambda w: "/cases/hotline/", expect=200, not_live="a blank form"),
    Case(
        "cases/hotline/",
        lambda w: "/cases/hotline/",
        "POST",
        lambda w: {**_report(), "caller_name": "王先生", "caller_phone": "13800003333"},
        expect=302,
        multipart=True,
        not_live=OWN_REPORT,
    ),
    Case("cases/map/", lambda w: "/cases/map/", expect=200, not_live=A_SHELL),
]

UNSCOPED = {
    "api/v1/cases/sms": "the SMS gateway's entry, authenticated by its own token",
    "api/v1/categories": "the case categories, the same for every area",
}
