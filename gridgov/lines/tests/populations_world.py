"""Special-population records, rentals and foreigners in street A and street B for the tests
(built through the services)."""

import datetime

from django.utils import timezone

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area
from gridgov.conftest import make_user
from gridgov.lines.models import PopulationCategory
from gridgov.lines.services import populations, rentals
from gridgov.registry import services as registry
from gridgov.registry.models import House

POINT_A = (113.605, 34.7175)
POINT_B = (113.625, 34.7175)
NAME_A = "甲大海"
NAME_B = "乙丙丁"
NATION_B = "Ruritania"


def _houses(admin, code: str, point) -> House:
    building = registry.save_building(
        {
            "code": code,
            "name": f"{code}楼",
            "address": f"{code}号",
            "units": 1,
            "floors": 1,
            "rooms_per_floor": 2,
            "lon": point[0],
            "lat": point[1],
        },
        actor=admin,
    )
    registry.generate_houses(building, actor=admin)
    return House.objects.filter(building=building).order_by("code").first()


def _person(admin, name: str, passport: str, house: House, **extra):
    person, _created = registry.save_person(
        {
            "name": name,
            "other_id": passport,
            "other_id_type": "passport",
            "registration": extra.pop("registration", "floating"),
            **extra,
        },
        actor=admin,
        house=house,
    )
    return person


def build(users: dict, prefix: str = "PW") -> dict:
    """A's and B's people, records, rentals and foreigners; B's record has lost contact."""
    if not PopulationCategory.objects.exists():  # a live-server test before this one flushed them
        from gridgov.lines.models import VisitInterval
        from gridgov.lines.services.populations_defaults import load

        load(PopulationCategory, VisitInterval)
    admin = users["admin"]
    found = {}
    if "pop_member_b" not in users:
        grid_b = registry.grid_at(*POINT_B)
        users["pop_member_b"] = make_user("pop_member_b", Role.GRID_MEMBER, [grid_b])
        assign_staff(
            users["pop_member_b"],
            Area.objects.get(code=grid_b),
            ForceType.GRID_MEMBER,
            actor=system_user(SETUP),
        )
    mental = PopulationCategory.objects.get(code="mental")
    youth = PopulationCategory.objects.get(code="key_youth")
    for side, point, name, member in (
        ("a", POINT_A, NAME_A, users["member_a"]),
        ("b", POINT_B, NAME_B, users["pop_member_b"]),
    ):
        house = _houses(admin, f"{prefix}-{side.upper()}", point)
        # A's residents are registered: the registry's scope case reads a floating count as B's.
        registration = "registered" if side == "a" else "floating"
        person = _person(admin, name, f"E{prefix}{side}001", house, registration=registration)
        found[f"house_{side}"] = house
        found[f"person_{side}"] = person
        found[f"record_{side}"] = populations.create_record(
            person,
            actor=admin,
            category=mental if side == "a" else youth,
            risk_level=1,
            facts=populations.RecordFacts(
                guardian=f"{name}之母",
                details={"diagnosis": "精神分裂症"} if side == "a" else {"school": "某中学"},
                responsible=member,
            ),
        )
        rental = rentals.save_rental(house, actor=admin, landlord_person=person, max_occupants=2)
        found[f"rental_{side}"] = rental
        today = timezone.localdate()
        rentals.add_lease(
            rental,
            actor=admin,
            start=today - datetime.timedelta(days=30),
            end=today + datetime.timedelta(days=300),
        )
        tenant_person = _person(
            admin, f"{name[0]}租客", f"T{prefix}{side}001", house, registration=registration
        )
        found[f"tenant_{side}"] = rentals.add_tenant(
            rental,
            tenant_person,
            actor=admin,
            moved_in=today,
            permit_expiry=today + datetime.timedelta(days=200),
        )
        foreigner = _person(
            admin,
            f"{name[0]}外籍",
            f"F{prefix}{side}001",
            house,
            registration="overseas",
            nationality=NATION_B if side == "b" else "Freedonia",
        )
        found[f"stay_{side}"] = rentals.record_stay(
            foreigner,
            actor=admin,
            nationality=NATION_B if side == "b" else "Freedonia",
            arrived_at=timezone.now() - datetime.timedelta(hours=2),
            visa_expiry=today + datetime.timedelta(days=90),
            rental=rental,
        )
    populations.mark_lost_contact(found["record_b"], actor=admin)
    found["warning_b"] = found["record_b"].pk
    return found


PHOTO = b"\xff\xd8\xff\xe0 a photo"


def checklist(*failing: str) -> list:
    """Answers to the rental-housing checklist: items whose text holds one of `failing` fail
    (with a photo), the others pass."""
    from gridgov.lines.models import ChecklistItem, InspectionPlan
    from gridgov.lines.services import hazards, hazards_defaults

    plan = hazards.rental_plan() or hazards_defaults.load(InspectionPlan, ChecklistItem)
    answers = []
    for item in plan.current_items():
        failed = any(word in item.text for word in failing)
        answers.append(
            hazards.ResultInput(
                item.pk,
                "fail" if failed else "pass",
                "查见" if failed else "",
                PHOTO if failed else b"",
            )
        )
    return answers
