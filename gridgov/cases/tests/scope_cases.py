import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import create_department
from gridgov.accounts.system import JOBS, SETUP, system_user
from gridgov.areas.models import Area
from gridgov.cases import services, whistle
from gridgov.cases.models import AttachmentKind, RoutingRule
from gridgov.cases.models import Case as CaseRow
from gridgov.cases.photos import check_photo
from gridgov.cases.tests.conftest import POINT_B, jpeg, webm
from gridgov.cases.voice import check_voice_note
from gridgov.conftest import make_user
from gridgov.tests.scope import Case

TITLE_B = "乙街道的井盖问题"
KEY_B = "scope-key-of-member-b"  # street B's reporter sent their case with this key
ROUTING_NOTE_B = "乙街道的路由规则"
NEAR_B = "乙街道边界上的井盖问题"
CALLER_B = "乙街道来电反映的噪声问题"
CALLER_PHONE_B = "13900009999"
OWN_REPORT = "the answer is the asker's own new report"
A_SHELL = "a page whose data comes from the API (its cases are checked there)"


def setup(world) -> None:
    department = create_department(
        actor=system_user(SETUP),
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
            actor=system_user(SETUP),
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
        idempotency_key=KEY_B,
    )
    world.users["member_b"] = member_b
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
    services.sweep_deadlines(actor=system_user(JOBS))
    world.objects["case_b"] = case
    world.objects["photo_b"] = case.attachments.get()
    world.objects["voice_b"] = services.add_voice_note(
        case, check_voice_note(webm()), actor=member_b
    )
    # A case street B's command center holds, with street B's squad summoned to it (吹哨报到).
    street_case, _ = services.report_case(
        actor=world.users["op_b"],
        channel="hotline",
        description="乙街道占道经营",
        lon=POINT_B[0],
        lat=POINT_B[1],
    )
    CaseRow.objects.filter(pk=street_case.pk).update(level_code="410105002")  # held by the street
    street_case = services.perform(street_case, "accept", actor=world.users["op_b"])
    whistle.blow_whistle(
        street_case,
        acting_user=world.users["op_b"],
        departments=[department],
        minutes=60,
        note="联合执法",
    )
    world.objects["street_case_b"] = street_case
    # A caller of street B: the hotline's look-up of earlier calls never shows it to street A.
    world.objects["caller_case_b"], _ = services.report_case(
        actor=world.users["op_b"],
        channel="hotline",
        description=CALLER_B,
        title=CALLER_B,
        lon=POINT_B[0],
        lat=POINT_B[1],
        reporter_name="乙来电人",
        reporter_phone=CALLER_PHONE_B,
    )
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
        "api/v1/cases/by-caller",
        lambda w: f"/api/v1/cases/by-caller?phone={CALLER_PHONE_B}",
        expect=200,
        absent=lambda w: [CALLER_B],
    ),
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
        "api/v1/cases",
        lambda w: "/api/v1/cases",
        "POST",
        lambda w: {
            "description": "x",
            "lon": POINT_B[0],
            "lat": POINT_B[1],
            "idempotency_key": KEY_B,
        },
        expect=(200, 201),
        codes=(),  # a new report of the asker's own, not street B's case with that key
        leaks=lambda w, answer: (
            isinstance(answer, dict) and answer.get("id") == w.objects["case_b"].pk
        ),
        live_as="member_b",
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
    Case(
        "api/v1/cases/<case_id>/voice",
        lambda w: f"/api/v1/cases/{_case(w)}/voice",
        "POST",
        lambda w: {"file": SimpleUploadedFile("v.webm", webm())},
        multipart=True,
    ),
    Case("api/v1/cases/<case_id>/duplicates", lambda w: f"/api/v1/cases/{_case(w)}/duplicates"),
    Case("api/v1/cases/<case_id>/whistle", lambda w: f"/api/v1/cases/{_case(w)}/whistle"),
    Case(
        "api/v1/cases/<case_id>/whistle",
        lambda w: f"/api/v1/cases/{w.objects['street_case_b'].pk}/whistle",
        "POST",
        lambda w: {"departments": ["410105002-ZF"], "minutes": 60, "note": "x"},
        live_as="op_b",
    ),
    Case(
        "api/v1/cases/<case_id>/report-in",
        lambda w: f"/api/v1/cases/{w.objects['street_case_b'].pk}/report-in",
        "POST",
        lambda w: {},
        as_user="handler_a",
        live_as="handler_b",
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
    Case("cases/voice/<int:pk>/", lambda w: f"/cases/voice/{w.objects['voice_b'].pk}/"),
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
    Case(
        "cases/settings/routing/",
        lambda w: "/cases/settings/routing/",
        expect=200,
        absent=lambda w: [ROUTING_NOTE_B, "乙街道执法中队"],
    ),
    Case(
        "cases/settings/routing/",
        lambda w: "/cases/settings/routing/",
        "POST",
        lambda w: {"area_prefix": "410105002", "department": w.objects["routing_b"].department_id},
        expect=400,
        live_expect=302,
        multipart=True,
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
    "api/v1/categories": "the case categories, the same for every area",
}
