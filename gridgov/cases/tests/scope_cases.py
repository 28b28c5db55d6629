from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import create_department
from gridgov.areas.models import Area
from gridgov.cases import services
from gridgov.cases.models import AttachmentKind, RoutingRule
from gridgov.cases.photos import check_photo
from gridgov.cases.tests.conftest import POINT_B, jpeg
from gridgov.conftest import make_user
from gridgov.tests.scope import Case

TITLE_B = "乙街道的井盖问题"
ROUTING_NOTE_B = "乙街道的路由规则"


def setup(world) -> None:
    department = create_department(
        actor=None,
        code="410105002-ZF",
        name="乙街道执法中队",
        level="street",
        area=Area.objects.get(code="410105002"),
        line="城市管理",
    )
    world.objects["routing_b"] = RoutingRule.objects.create(
        area_prefix="410105002", department=department, note=ROUTING_NOTE_B
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
    world.objects["case_b"] = case
    world.objects["photo_b"] = case.attachments.get()
    assert Department.objects.filter(code="410105002-ZF").exists()
    assert AttachmentKind.REPORT


def _absent(world) -> list[str]:
    return [TITLE_B]


def _case(world) -> int:
    return world.objects["case_b"].pk


CASES = [
    Case("api/v1/categories", lambda w: "/api/v1/categories", expect=200),
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
    Case("api/v1/cases/<case_id>/whistle", lambda w: f"/api/v1/cases/{_case(w)}/whistle"),
    Case(
        "api/v1/cases/<case_id>/whistle",
        lambda w: f"/api/v1/cases/{_case(w)}/whistle",
        "POST",
        lambda w: {"departments": ["410105002-ZF"], "minutes": 60, "note": "x"},
    ),
    Case(
        "api/v1/cases/<case_id>/report-in",
        lambda w: f"/api/v1/cases/{_case(w)}/report-in",
        "POST",
        lambda w: {},
        as_user="handler_a",
    ),
    Case(
        "cases/<int:pk>/rating/",
        lambda w: f"/cases/{_case(w)}/rating/",
        "POST",
        lambda w: {"score": "5"},
        multipart=True,
    ),
    Case(
        "cases/<int:pk>/whistle/",
        lambda w: f"/cases/{_case(w)}/whistle/",
        "POST",
        lambda w: {"note": "x", "minutes": "60"},
        multipart=True,
    ),
    Case(
        "cases/<int:pk>/report-in/",
        lambda w: f"/cases/{_case(w)}/report-in/",
        "POST",
        lambda w: {},
        multipart=True,
        as_user="handler_a",
    ),
    Case("cases/", lambda w: "/cases/?queue=all", expect=200, absent=_absent),
    Case("cases/", lambda w: "/cases/?queue=overdue", expect=200, absent=_absent),
    Case("cases/<int:pk>/", lambda w: f"/cases/{_case(w)}/"),
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
    Case("cases/report/", lambda w: "/cases/report/", expect=(200, 403), absent=_absent),
    Case("cases/hotline/", lambda w: "/cases/hotline/", expect=200, absent=_absent),
    Case("cases/map/", lambda w: "/cases/map/", expect=200, absent=_absent),
    Case(
        "cases/settings/routing/",
        lambda w: "/cases/settings/routing/",
        expect=200,
        absent=lambda w: [ROUTING_NOTE_B, "乙街道执法中队"],
    ),
    Case(
        "cases/settings/rules/<str:kind>/<int:pk>/delete/",
        lambda w: f"/cases/settings/rules/routing/{w.objects['routing_b'].pk}/delete/",
        "POST",
        lambda w: {},
        multipart=True,
    ),
]

UNSCOPED = {
    "api/v1/cases/sms": "the SMS gateway's entry, authenticated by its own token",
    "cases/calendar/": "the working calendar is the whole platform's (rights: test_calendar.py)",
    "cases/calendar/day/": "the working calendar is the whole platform's (rights: test_calendar.py)",
    "cases/calendar/notice/": "the working calendar is the whole platform's (rights: test_calendar.py)",
    "api/v1/calendar/<year>": "the working calendar is the whole platform's",
    "api/v1/calendar/days/<day>": "the working calendar is the whole platform's (admins only)",
    "api/v1/calendar/<year>/notice": "the working calendar is the whole platform's (admins only)",
    "cases/settings/classes/": "case classes are the whole platform's (admins only: test_settings_pages)",
    "cases/settings/classes/<str:code>/": "case classes are the whole platform's (admins only)",
    "cases/settings/classes/<str:code>/limits/": "time limits are the whole platform's (admins only)",
    "cases/settings/classes/<str:code>/grades/": "grade rules are the whole platform's (admins only)",
}
