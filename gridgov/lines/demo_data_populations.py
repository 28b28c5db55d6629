"""Demo special populations, rentals and foreigners, through the services: records of each
category with visits over the last weeks (a few behind, one lost contact), rented houses with
leases, tenants and inspections against the rental-housing checklist (one overcrowded, two
failing an item, which become hazards of the house), and a few foreigners (one not registered
with the police in time); then the warning sweeps run once."""

import datetime

import numpy as np
import time_machine
from django.utils import timezone

from gridgov.accounts.models import StaffAssignment, User
from gridgov.accounts.permissions import Role
from gridgov.lines.models import ChecklistItem, InspectionPlan, ItemResult, PopulationCategory
from gridgov.lines.services import hazards, hazards_defaults, populations, rentals
from gridgov.registry.models import House, Person

RECORDS = {"small": 16, "full": 120}
RENTALS = {"small": 5, "full": 40}
FOREIGNERS = [("韩国", 60), ("美国", 20), ("俄罗斯", 200)]
OFFICES = ["经八路司法所", "花园路司法所", "文化路司法所"]
RENTAL_FINDINGS = ["隔断分租，住7人", "楼道内给电动自行车充电", "安全出口上锁"]
NOTES = ["上门走访，情绪稳定", "电话联系，按时报到", "走访家属，了解近况", "协助联系就业"]


def _member_of(code: str, members: dict) -> User | None:
    if code not in members:
        assignment = (
            StaffAssignment.objects.filter(area_code=code, until__isnull=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        members[code] = assignment.user if assignment else None
    return members[code]


def load(*, stdout, scale: str, seed: int, size: str = "full", **options) -> None:
    actor = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if actor is None:
        return
    rng = np.random.default_rng(seed + 12)
    small = size == "small"
    people = list(
        Person.objects.filter(current_house__isnull=False, merged_into__isnull=True)
        .exclude(registration="overseas")
        .order_by("pk")[: (RECORDS["small"] if small else RECORDS["full"]) * 3]
    )
    if not people:
        return
    categories = list(PopulationCategory.objects.filter(active=True).order_by("code"))
    members: dict = {}
    now = timezone.now().replace(microsecond=0)
    start = now - datetime.timedelta(days=60)
    picked = [
        people[i]
        for i in sorted(
            rng.choice(
                len(people),
                min(len(people), RECORDS["small"] if small else RECORDS["full"]),
                replace=False,
            )
        )
    ]
    made = []
    with time_machine.travel(start, tick=False):
        for i, person in enumerate(picked):
            category = categories[i % len(categories)]
            made.append(
                populations.create_record(
                    person,
                    actor=actor,
                    category=category,
                    risk_level=int(rng.integers(0, category.max_risk + 1)),
                    facts=populations.RecordFacts(
                        period_start=timezone.localdate()
                        - datetime.timedelta(days=int(rng.integers(30, 400))),
                        supervising_office=OFFICES[i % len(OFFICES)]
                        if category.code == "correction"
                        else "",
                        guardian=f"{person.name[0]}某（家属）" if category.code == "mental" else "",
                        assistance_group="社区干部、民警、家属"
                        if category.group == "control"
                        else "",
                        responsible=_member_of(person.area_code, members),
                    ),
                )
            )
    visits = 0
    for record in made:
        visitor = record.responsible or actor
        days = 60 - int(rng.integers(1, 20))
        behind = rng.random() < 0.2
        while days > 0 and not behind:
            with time_machine.travel(now - datetime.timedelta(days=days), tick=False):
                populations.record_visit(
                    record, actor=visitor, note=NOTES[int(rng.integers(len(NOTES)))]
                )
            visits += 1
            days -= populations.interval_days(record.category, record.risk_level)
    lost = next((r for r in made if r.category.group == "control"), None)
    if lost is not None:
        populations.mark_lost_contact(lost, actor=lost.responsible or actor)
    houses = list(
        House.objects.filter(residences__isnull=False, rental__isnull=True)
        .distinct()
        .order_by("pk")[: RENTALS["small"] if small else RENTALS["full"]]
    )
    tenants_pool = [p for p in people if p not in picked]
    plan = hazards.rental_plan() or hazards_defaults.load(InspectionPlan, ChecklistItem)
    checklist = list(plan.current_items())
    today = timezone.localdate()
    made_rentals = []
    for i, house in enumerate(houses):
        landlord = tenants_pool[i % len(tenants_pool)] if tenants_pool else picked[0]
        rental = rentals.save_rental(
            house,
            actor=actor,
            landlord_person=landlord,
            max_occupants=4,
            duty_signed_on=today - datetime.timedelta(days=100),
        )
        made_rentals.append(rental)
        ended = i == 1
        rentals.add_lease(
            rental,
            actor=actor,
            start=today - datetime.timedelta(days=300),
            end=today - datetime.timedelta(days=5)
            if ended
            else today + datetime.timedelta(days=65),
        )
        for j in range(2):
            tenant = tenants_pool[(i * 2 + j + 7) % len(tenants_pool)] if tenants_pool else landlord
            rentals.add_tenant(
                rental,
                tenant,
                actor=actor,
                moved_in=today - datetime.timedelta(days=int(rng.integers(2, 200))),
                permit_expiry=today + datetime.timedelta(days=int(rng.integers(10, 400))),
                police_registered_on=None
                if (i == 2 and j == 0)
                else today - datetime.timedelta(days=1),
            )
        # the rental-housing checklist (the hazard part's inspection): the first house is
        # overcrowded (群租), the fourth charges e-bikes in the stairway, the fifth has its fire
        # exit locked (a major hazard); the others pass
        failing = {0: 0, 3: 1, 4: 2}.get(i)
        rentals.inspect_rental(
            rental,
            actor=actor,
            occupants=7 if i == 0 else 2,
            results=[
                hazards.ResultInput(
                    item.pk,
                    ItemResult.FAIL if n == failing else ItemResult.PASS,
                    RENTAL_FINDINGS[n] if n == failing else "",
                    b"\xff\xd8 demo photo" if n == failing else b"",
                )
                for n, item in enumerate(checklist)
            ],
        )
    overseas = list(
        Person.objects.filter(registration="overseas").order_by("pk")[: len(FOREIGNERS)]
    )
    for k, person in enumerate(overseas):
        nationality, visa_days = FOREIGNERS[k]
        rentals.record_stay(
            person,
            actor=actor,
            nationality=person.nationality or nationality,
            arrived_at=now - datetime.timedelta(days=3 + k),
            registered_at=None if k == 0 else now - datetime.timedelta(days=2 + k),
            visa_expiry=today + datetime.timedelta(days=visa_days),
            rental=made_rentals[k % len(made_rentals)] if made_rentals else None,
        )
    populations.sweep_overdue_visits()
    rentals.sweep_rentals()
    stdout.write(
        f"  {len(made)} special-population records, {visits} visits, {len(made_rentals)} rentals, "
        f"{len(overseas)} foreigners"
    )
