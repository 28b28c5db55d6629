"""Special populations, rentals and foreigners in the scope matrix: street A never reads
street B's records, visits, rentals, foreigners or ledger warnings, nor acts on them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.permissions import Role
from gridgov.areas.models import Area
from gridgov.cases.tests.conftest import webm
from gridgov.conftest import make_user
from gridgov.lines.models import ChecklistItem, InspectionPlan, LedgerWarning, PopulationCategory
from gridgov.lines.services import hazards_defaults, populations
from gridgov.lines.tests import populations_world as pw
from gridgov.registry.models import House
from gridgov.tests.scope import Case

MASKED_B = pw.NAME_B[0] + "**"


def setup(world) -> None:
    world.objects["pop"] = pw.build(world.users, prefix="SC")
    world.users["exporter_a"] = make_user("exporter_a", Role.DISTRICT_OPERATOR, ["410105001"])
    world.objects["pop_warning_title"] = (
        LedgerWarning.objects.filter(area_code__startswith="410105002").order_by("pk").first().title
    )
    # street B's houses not rented yet: one for the desk's form, one for the API
    pop = world.objects["pop"]
    pop["free_house_b"] = (
        House.objects.filter(building=pop["house_b"].building)
        .exclude(pk=pop["house_b"].pk)
        .order_by("pk")
        .first()
    )
    pop["api_house_b"] = pw._houses(world.users["admin"], "SC-B2", pw.POINT_B)
    hazards_defaults.load(InspectionPlan, ChecklistItem)  # flushed by a live-server test
    # a visit of street B's member (not met: the record stays lost) with a voice note
    visit, _made = populations.record_visit_once(
        pop["record_b"],
        actor=world.users["pop_member_b"],
        client_key="scope-visit-b-0001",
        met=False,
        note="未见到",
    )
    pop["visit_b"] = populations.add_visit_voice(
        visit, actor=world.users["pop_member_b"], data=webm()
    )


def _o(world, key: str):
    return world.objects["pop"][key]


def _names(world) -> list[str]:
    return [MASKED_B]


def _warning(world) -> list[str]:
    return [world.objects["pop_warning_title"]]


UNSCOPED = {
    "lines/populations/settings/": "the categories and visit intervals of the installation",
}


def _street_b_grid(world) -> list[str]:
    return [Area.objects.get(code="41010500200101").name]


def _mental(world) -> int:
    return PopulationCategory.objects.get(code="mental").pk


def _drug(world) -> int:
    return PopulationCategory.objects.get(code="drug").pk


CASES = [
    Case(
        "lines/populations/new/",
        lambda w: f"/lines/populations/new/?q={pw.NAME_B[:2]}",
        expect=200,
        absent=lambda w: [pw.NAME_B],
    ),
    Case(
        "lines/populations/new/",
        lambda w: "/lines/populations/new/",
        "POST",
        lambda w: {
            "action": "save",
            "person": _o(w, "person_b").pk,
            "category": _mental(w),
            "risk_level": "1",
        },
        expect=200,
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/populations/<int:pk>/edit/",
        lambda w: f"/lines/populations/{_o(w, 'record_b').pk}/edit/",
        absent=lambda w: [pw.NAME_B],
    ),
    Case(
        "lines/populations/<int:pk>/edit/",
        lambda w: f"/lines/populations/{_o(w, 'record_b').pk}/edit/",
        "POST",
        lambda w: {"guardian": "x"},
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/rentals/new/",
        lambda w: "/lines/rentals/new/?house_q=SC-B",
        expect=200,
        absent=lambda w: ["SC-B-1"],
    ),
    Case(
        "lines/rentals/new/",
        lambda w: "/lines/rentals/new/",
        "POST",
        lambda w: {
            "action": "save",
            "house": _o(w, "free_house_b").pk,
            "landlord_person": _o(w, "person_b").pk,
            "max_occupants": "2",
        },
        expect=200,
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/rentals/<int:pk>/edit/",
        lambda w: f"/lines/rentals/{_o(w, 'rental_b').pk}/edit/",
    ),
    Case(
        "lines/rentals/<int:pk>/edit/",
        lambda w: f"/lines/rentals/{_o(w, 'rental_b').pk}/edit/",
        "POST",
        lambda w: {"action": "lease", "start": "2026-01-01", "end": "2026-12-31"},
        multipart=True,
        live_expect=302,
    ),
    Case("lines/populations/", lambda w: "/lines/populations/", expect=200, absent=_names),
    Case(
        "lines/populations/",
        lambda w: "/lines/populations/?area=410105002",
        expect=200,
        absent=_names,
    ),
    Case(
        "lines/populations/<int:pk>/",
        lambda w: f"/lines/populations/{_o(w, 'record_b').pk}/",
        absent=lambda w: [pw.NAME_B],
    ),
    Case(
        "lines/populations/<int:pk>/",
        lambda w: f"/lines/populations/{_o(w, 'record_b').pk}/",
        "POST",
        lambda w: {"action": "visit", "met": "on", "note": "x"},
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/populations/export/",
        lambda w: "/lines/populations/export/",
        "POST",
        lambda w: {"reason": "上报台账", "fmt": "csv"},
        expect=200,
        multipart=True,
        as_user="exporter_a",
        absent=lambda w: [pw.NAME_B],
    ),
    Case(
        "lines/ledger-warnings/", lambda w: "/lines/ledger-warnings/", expect=200, absent=_warning
    ),
    Case("lines/rentals/", lambda w: "/lines/rentals/", expect=200, absent=lambda w: ["SC-B-1"]),
    Case("lines/rentals/<int:pk>/", lambda w: f"/lines/rentals/{_o(w, 'rental_b').pk}/"),
    Case(
        "lines/rentals/<int:pk>/",
        lambda w: f"/lines/rentals/{_o(w, 'rental_b').pk}/",
        "POST",
        lambda w: {"occupants": "1"} | {f"item_{r.item_id}": "pass" for r in pw.checklist()},
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/foreigners/",
        lambda w: "/lines/foreigners/",
        expect=200,
        absent=lambda w: [pw.NATION_B],
    ),
    Case(
        "lines/m/visits/",
        lambda w: "/lines/m/visits/",
        expect=200,
        as_user="member_a",
        live_as="pop_member_b",
        absent=lambda w: [MASKED_B],
    ),
    Case(
        "lines/m/visits/<int:pk>/",
        lambda w: f"/lines/m/visits/{_o(w, 'record_b').pk}/",
        as_user="member_a",
        live_as="pop_member_b",
    ),
    Case(
        "lines/m/visits/<int:pk>/",
        lambda w: f"/lines/m/visits/{_o(w, 'record_b').pk}/",
        "POST",
        lambda w: {"met": "on", "note": "x"},
        multipart=True,
        as_user="member_a",
        live_as="pop_member_b",
        live_expect=302,
    ),
    Case("api/v1/lines/populations", lambda w: "/api/v1/lines/populations", expect=200),
    Case(
        "api/v1/lines/populations/<record_id>",
        lambda w: f"/api/v1/lines/populations/{_o(w, 'record_b').pk}",
    ),
    Case(
        "api/v1/lines/populations/<record_id>/visits",
        lambda w: f"/api/v1/lines/populations/{_o(w, 'record_b').pk}/visits",
        "POST",
        lambda w: {"met": True, "note": "x"},
        live_expect=201,
    ),
    Case(
        "api/v1/lines/populations/visits/<visit_id>/voice",
        lambda w: f"/api/v1/lines/populations/visits/{_o(w, 'visit_b').pk}/voice",
        "POST",
        lambda w: {"file": SimpleUploadedFile("v.webm", webm(), content_type="audio/webm")},
        multipart=True,
        live_as="pop_member_b",
        live_expect=201,  # the visitor's own note again: answered as it is
    ),
    Case(
        "lines/populations/visits/<int:pk>/voice/",
        lambda w: f"/lines/populations/visits/{_o(w, 'visit_b').pk}/voice/",
    ),
    # the ledgers as files (CSV here, the same rows as the Excel file), and the foreigners' form
    Case(
        "lines/rentals/export.<str:fmt>",
        lambda w: "/lines/rentals/export.csv",
        expect=200,
        absent=lambda w: [_o(w, "house_b").code],
    ),
    Case(
        "lines/foreigners/export.<str:fmt>",
        lambda w: "/lines/foreigners/export.csv",
        expect=200,
        absent=lambda w: [pw.NATION_B],
    ),
    Case(
        "lines/screenings/export.<str:fmt>",
        lambda w: "/lines/screenings/export.csv",
        expect=200,
        absent=_street_b_grid,
    ),
    Case(
        "lines/foreigners/new/",
        lambda w: f"/lines/foreigners/new/?person_q={pw.NAME_B[:2]}",
        expect=200,
        absent=lambda w: [pw.NAME_B],
    ),
    Case(
        "lines/foreigners/new/",
        lambda w: "/lines/foreigners/new/",
        "POST",
        lambda w: {
            "action": "save",
            "person": _o(w, "person_b").pk,
            "nationality": "Ruritania",
            "arrived_at": "2026-11-01T10:00",
        },
        expect=200,  # the form again: street B's person is not a valid choice
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/foreigners/<int:pk>/edit/",
        lambda w: f"/lines/foreigners/{_o(w, 'stay_b').pk}/edit/",
    ),
    Case(
        "lines/foreigners/<int:pk>/edit/",
        lambda w: f"/lines/foreigners/{_o(w, 'stay_b').pk}/edit/",
        "POST",
        lambda w: {"action": "save", "nationality": "Ruritania", "arrived_at": "2026-11-01T10:00"},
        multipart=True,
        live_expect=302,
    ),
    Case("api/v1/lines/rentals", lambda w: "/api/v1/lines/rentals", expect=200),
    Case("api/v1/lines/foreigners", lambda w: "/api/v1/lines/foreigners", expect=200),
    Case("api/v1/lines/ledger-warnings", lambda w: "/api/v1/lines/ledger-warnings", expect=200),
    # the API's writes (the desk forms' fields)
    Case(
        "api/v1/lines/populations",
        lambda w: "/api/v1/lines/populations",
        "POST",
        lambda w: {"person": _o(w, "person_b").pk, "category": _drug(w), "risk_level": 0},
        expect=400,
        live_expect=201,
    ),
    Case(
        "api/v1/lines/populations/<record_id>",
        lambda w: f"/api/v1/lines/populations/{_o(w, 'record_b').pk}",
        "PATCH",
        lambda w: {"guardian": "x"},
        absent=lambda w: [pw.NAME_B],
    ),
    Case(
        "api/v1/lines/rentals",
        lambda w: "/api/v1/lines/rentals",
        "POST",
        lambda w: {
            "house": _o(w, "api_house_b").pk,
            "landlord_person": _o(w, "person_b").pk,
            "max_occupants": 2,
        },
        expect=400,
        live_expect=201,
    ),
    Case(
        "api/v1/lines/rentals/<rental_id>",
        lambda w: f"/api/v1/lines/rentals/{_o(w, 'rental_b').pk}",
    ),
    Case(
        "api/v1/lines/rentals/<rental_id>",
        lambda w: f"/api/v1/lines/rentals/{_o(w, 'rental_b').pk}",
        "PATCH",
        lambda w: {"max_occupants": 3},
    ),
    Case(
        "api/v1/lines/rentals/<rental_id>/leases",
        lambda w: f"/api/v1/lines/rentals/{_o(w, 'rental_b').pk}/leases",
        "POST",
        lambda w: {"start": "2027-01-01", "end": "2027-12-31"},
        live_expect=201,
    ),
    Case(
        "api/v1/lines/rentals/<rental_id>/tenants",
        lambda w: f"/api/v1/lines/rentals/{_o(w, 'rental_b').pk}/tenants",
        "POST",
        lambda w: {"person": _o(w, "person_b").pk, "moved_in": "2026-11-01"},
        live_expect=201,
    ),
    Case(
        "api/v1/lines/rentals/<rental_id>/tenants/<tenant_id>",
        lambda w: f"/api/v1/lines/rentals/{_o(w, 'rental_b').pk}/tenants/{_o(w, 'tenant_b').pk}",
        "PATCH",
        lambda w: {"police_registered_on": "2026-11-02"},
    ),
    Case(
        "api/v1/lines/rentals/<rental_id>/inspections",
        lambda w: f"/api/v1/lines/rentals/{_o(w, 'rental_b').pk}/inspections",
        "POST",
        lambda w: {
            "occupants": 1,
            "results": [{"item_id": r.item_id, "result": "pass"} for r in pw.checklist()],
        },
        live_expect=201,
    ),
    Case(
        "api/v1/lines/foreigners",
        lambda w: "/api/v1/lines/foreigners",
        "POST",
        lambda w: {
            "person": _o(w, "person_b").pk,
            "nationality": pw.NATION_B,
            "arrived_at": "2026-11-01T10:00:00+08:00",
        },
        expect=(400, 403),
        live_expect=201,
    ),
    Case(
        "api/v1/lines/foreigners/<stay_id>",
        lambda w: f"/api/v1/lines/foreigners/{_o(w, 'stay_b').pk}",
        "PATCH",
        lambda w: {"visa_expiry": "2027-06-30"},
        expect=(403, 404),
        absent=lambda w: [pw.NATION_B],
    ),
    Case(
        "api/v1/lines/foreigners/<stay_id>/registration",
        lambda w: f"/api/v1/lines/foreigners/{_o(w, 'stay_b').pk}/registration",
        "POST",
        lambda w: {},
        expect=(403, 404),
        absent=lambda w: [pw.NATION_B],
    ),
]
