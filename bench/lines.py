"""The ledgers of the business lines at city scale: disputes, inspections and hazards over three
years in a city-shaped area tree. Measures the dispute and hazard ledgers' list queries with the
usual filters (p95), the boards (p95), the Excel export of a street's dispute ledger (rows/s)
and the cockpit's special-population and foreign-affairs counts (p95; 30,000 records and 5,000
foreigners' stays in the city).

    .venv/bin/python bench/lines.py            # city: 200,000 disputes, 500,000 inspections
    DATABASE_URL=postgres://… .venv/bin/python bench/lines.py
    .venv/bin/python bench/lines.py --smoke    # one district, a few thousand rows

`measure(smoke)` returns the figures (the smoke test calls it inside its test database).
"""

import datetime
import os
import random
import statistics
import sys
import time

from _setup import SMOKE, start, vendor

RUNS = int(os.environ.get("BENCH_RUNS", "20" if SMOKE else "100"))
# (level, code width, children per parent)
CITY = [("district", 6, 10), ("street", 9, 10), ("community", 12, 15), ("grid", 14, 13)]
SMOKE_CITY = [("district", 6, 1), ("street", 9, 4), ("community", 12, 4), ("grid", 14, 5)]
SIZES = {  # disputes, inspections, places
    True: (600, 900, 300),
    False: (200_000, 500_000, 100_000),
}
POPULATIONS = {True: (300, 60), False: (30_000, 5_000)}  # special records, foreigners' stays


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def build(smoke: bool) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.accounts.permissions import Role
    from gridgov.accounts.services import create_user
    from gridgov.accounts.system import SETUP, system_user
    from gridgov.areas.models import Area, Level
    from gridgov.lines.models import (
        ChecklistItem,
        Dispute,
        DisputeParty,
        Hazard,
        Inspection,
        InspectionPlan,
    )
    from gridgov.registry.models import Organization
    from gridgov.warnings.sql import insert_rows

    rng = random.Random(12)
    n_disputes, n_inspections, n_places = SIZES[smoke]
    since = datetime.date(2024, 1, 1)
    t0 = time.perf_counter()
    with transaction.atomic():
        insert_rows(
            Area,
            ["code", "name", "level", "parent_id", "valid_from"],
            [("4101", "郑州市", Level.CITY, None, since)],
        )
        parents = ["4101"]
        for level, width, n in SMOKE_CITY if smoke else CITY:
            ids = dict(Area.objects.filter(code__in=parents).values_list("code", "pk"))
            rows = [
                (p + str(i).zfill(width - len(p)), f"{level}{p}{i}", level, ids[p], since)
                for p in parents
                for i in range(1, n + 1)
            ]
            insert_rows(Area, ["code", "name", "level", "parent_id", "valid_from"], rows)
            parents = [r[0] for r in rows]
        grids = parents
        streets = list(
            Area.objects.filter(level=Level.STREET).order_by("code").values_list("code", flat=True)
        )
        actor = system_user(SETUP)
        admin = User.objects.filter(username="bench_admin").first() or create_user(
            actor=actor,
            username="bench_admin",
            password="pw-bench-admin-1",
            role=Role.ADMIN,
            scope_codes=["4101"],
            full_name="bench",
        )
        operator = User.objects.filter(username="bench_street").first() or create_user(
            actor=actor,
            username="bench_street",
            password="pw-bench-street-1",
            role=Role.STREET_OPERATOR,
            scope_codes=[streets[0]],
            full_name="bench",
        )
        plan = InspectionPlan.objects.create(name="九小场所", place_type="nine_small")
        items = ChecklistItem.objects.bulk_create(
            ChecklistItem(plan=plan, text=t, major=m, position=i)
            for i, (t, m) in enumerate(
                [("灭火器", False), ("安全出口", True), ("电动车充电", False)]
            )
        )
        Organization.objects.bulk_create(
            (
                Organization(name=f"店{i}", kind="shop", area_code=rng.choice(grids))
                for i in range(n_places)
            ),
            batch_size=5000,
        )
        orgs = list(Organization.objects.values_list("pk", "area_code"))
        now = timezone.now()
        kinds = ["neighbourhood", "family", "property", "labour", "land", "debt"]
        states = ["registered", "mediating", "agreement", "fulfilment", "referred", "closed"]
        made = []
        for i in range(n_disputes):
            state = rng.choice(states)
            made.append(
                Dispute(
                    number=f"JF{i:012d}",
                    kind=rng.choice(kinds),
                    title=f"纠纷{i}",
                    area_code=rng.choice(grids),
                    risk=rng.choice(["low", "low", "medium", "high"]),
                    source="patrol",
                    state=state,
                    success=(rng.random() < 0.8) if state == "closed" else None,
                    created_by_id=admin.pk,
                    created_at=now - datetime.timedelta(minutes=rng.randrange(1_576_800)),
                )
            )
            if len(made) == 10_000 or i == n_disputes - 1:
                Dispute.objects.bulk_create(made, batch_size=5000)
                made = []
        parties = [
            DisputeParty(dispute_id=pk, role=role, name=name, area_code=code)
            for pk, code in Dispute.objects.values_list("pk", "area_code")
            for role, name in (("applicant", "张三"), ("respondent", "李四"))
        ]
        DisputeParty.objects.bulk_create(parties, batch_size=10_000)
        inspections = [
            Inspection(
                plan=plan,
                organization_id=pk,
                inspector_id=operator.pk,
                at=now - datetime.timedelta(minutes=rng.randrange(1_576_800)),
                area_code=code,
                failures=int(rng.random() < 0.1),
            )
            for pk, code in (rng.choice(orgs) for _ in range(n_inspections))
        ]
        Inspection.objects.bulk_create(inspections, batch_size=10_000)
        today = timezone.localdate()
        hazards = [
            Hazard(
                number=f"YH{i:012d}",
                inspection_id=pk,
                item=items[i % 3],
                organization_id=org,
                area_code=code,
                grade="major" if i % 3 == 1 else "general",
                description="隐患",
                responsible="店主",
                deadline=today + datetime.timedelta(days=rng.randrange(-60, 30)),
                state=rng.choice(["open", "open", "closed"]),
                created_at=at,
                supervised_by="street" if i % 3 == 1 else "",
            )
            for i, (pk, org, code, at) in enumerate(
                Inspection.objects.filter(failures=1).values_list(
                    "pk", "organization_id", "area_code", "at"
                )
            )
        ]
        Hazard.objects.bulk_create(hazards, batch_size=10_000)
        build_populations(rng, grids, smoke)
    print(
        f"built {len(grids)} grids, {n_disputes} disputes, {n_inspections} inspections, "
        f"{len(hazards)} hazards in {time.perf_counter() - t0:.1f} s ({vendor()})"
    )
    return {"admin": admin, "operator": operator, "streets": streets}


def build_populations(rng: random.Random, grids: list[str], smoke: bool) -> None:
    """Special-population records by category and risk, and foreigners' stays, each of its own
    person (the cockpit's counts read only the records' own columns)."""
    from django.utils import timezone

    from gridgov.lines.models import (
        ForeignerStay,
        PopulationCategory,
        SpecialRecord,
        VisitInterval,
    )
    from gridgov.lines.services.populations_defaults import load
    from gridgov.registry.models import Person
    from gridgov.warnings.sql import insert_rows

    if not PopulationCategory.objects.exists():
        load(PopulationCategory, VisitInterval)
    categories = list(PopulationCategory.objects.values_list("pk", "max_risk"))
    n_records, n_stays = POPULATIONS[smoke]
    first = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    places = [rng.choice(grids) for _ in range(n_records + n_stays)]
    insert_rows(
        Person,
        ["name", "sex", "registration", "area_code"],
        [
            (f"人员{i}", "M", "overseas" if i >= n_records else "floating", code)
            for i, code in enumerate(places)
        ],
    )
    people = list(
        Person.objects.filter(pk__gte=first).order_by("pk").values_list("pk", "area_code")
    )
    today = timezone.localdate()
    records = []
    for pk, code in people[:n_records]:
        category, top = rng.choice(categories)
        records.append(
            SpecialRecord(
                person_id=pk,
                category_id=category,
                risk_level=rng.randint(0, top),
                state=rng.choice(["active"] * 8 + ["lost", "closed"]),
                next_visit_due=today + datetime.timedelta(days=rng.randrange(-20, 90)),
                area_code=code,
            )
        )
    SpecialRecord.objects.bulk_create(records, batch_size=10_000)
    now = timezone.now()
    stays = []
    for pk, code in people[n_records:]:
        arrived = now - datetime.timedelta(hours=rng.randrange(1, 24 * 400))
        stays.append(
            ForeignerStay(
                person_id=pk,
                nationality=rng.choice(["韩国", "KR", "美国", "日本", "俄罗斯", "巴基斯坦"]),
                arrived_at=arrived,
                registered_at=(
                    arrived + datetime.timedelta(hours=rng.randrange(1, 72))
                    if rng.random() < 0.9
                    else None
                ),
                visa_expiry=today + datetime.timedelta(days=rng.randrange(-30, 365)),
                left_on=today if rng.random() < 0.2 else None,
                area_code=code,
            )
        )
    ForeignerStay.objects.bulk_create(stays, batch_size=10_000)


def measure(smoke: bool) -> dict:
    from django.test import RequestFactory

    from gridgov.areas.models import Area
    from gridgov.lines import queries_cockpit, queries_disputes
    from gridgov.lines.filters_disputes import DisputeFilter, HazardFilter
    from gridgov.lines.views_disputes import export_disputes

    world = build(smoke)
    rng = random.Random(5)
    users = [world["admin"], world["operator"]]
    queries = [
        lambda s: DisputeFilter({"area": s, "state": "mediating"}, users[0]),
        lambda s: DisputeFilter({"kind": "labour", "risk": "high"}, users[1]),
        lambda s: DisputeFilter({"area": s, "q": "纠纷1"}, users[0]),
        lambda s: HazardFilter({"area": s, "grade": "major", "state": "open"}, users[0]),
        lambda s: HazardFilter({"overdue": "on"}, users[1]),
    ]
    lists, boards = [], []
    for i in range(RUNS):
        street = rng.choice(world["streets"])
        t0 = time.perf_counter()
        list(queries[i % len(queries)](street).rows()[:50])
        lists.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        queries_disputes.board(users[i % 2], within=street if i % 2 == 0 else "")
        boards.append((time.perf_counter() - t0) * 1000)
    # the cockpit's special-population and foreign-affairs counts, for the city and a street
    cockpit = []
    areas = {a.code: a for a in Area.objects.filter(code__in=["4101", *world["streets"]])}
    for i in range(RUNS):
        area = areas["4101"] if i % 4 == 0 else areas[rng.choice(world["streets"])]
        t0 = time.perf_counter()
        queries_cockpit.populations(world["admin"], area.code)
        queries_cockpit.foreigners(world["admin"], area)
        cockpit.append((time.perf_counter() - t0) * 1000)
    request = RequestFactory().get("/lines/disputes/export.xlsx", {"area": world["streets"][0]})
    request.user = world["admin"]
    request.session = {}
    t0 = time.perf_counter()
    response = export_disputes(request, "xlsx")
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.status_code
    from gridgov.audit.models import AccessLog

    rows = AccessLog.objects.filter(subject_type="lines.dispute").latest("pk").record_count
    return {
        "lines_list_p95_ms": round(p95(lists), 1),
        "lines_list_median_ms": round(statistics.median(lists), 1),
        "lines_board_p95_ms": round(p95(boards), 1),
        "lines_export_rows_per_s": round(rows / elapsed),
        "lines_cockpit_p95_ms": round(p95(cockpit), 1),
        "export_rows": rows,
    }


if __name__ == "__main__":
    start("lines")
    figures = measure(SMOKE)
    print(f"export of one street's dispute ledger: {figures['export_rows']} rows")
    print(f"BENCH lines_list_p95_ms {figures['lines_list_p95_ms']} ms")
    print(f"BENCH lines_board_p95_ms {figures['lines_board_p95_ms']} ms")
    print(f"BENCH lines_export_rows_per_s {figures['lines_export_rows_per_s']} rows/s")
    print(f"BENCH lines_cockpit_p95_ms {figures['lines_cockpit_p95_ms']} ms")
    sys.exit(0)
