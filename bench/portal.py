"""The public portal's "is it one of these?" query at city scale: open public reports of a kind
within 300 m of a point, nearest first, among 300,000 public portal reports spread over the city
(about 1,200 km² around 郑州, 18 public categories, a third of them closed).

    .venv/bin/python bench/portal.py            # 300,000 reports, 1,000 queries
    .venv/bin/python bench/portal.py --smoke    # 2,000 reports, 50 queries
    DATABASE_URL=postgres://… .venv/bin/python bench/portal.py   # on PostgreSQL (fresh database)

Ends with `BENCH nearby_p95_ms <value>` (the goal is ≤ 50 ms).
"""

import datetime
import os
import sys
import time

import numpy as np
from _setup import SMOKE, start, vendor

CENTRE = (113.65, 34.75)
SPAN = (0.35, 0.30)  # degrees: about 32 km × 33 km


def p95(samples: list[float]) -> float:
    return round(float(np.percentile(samples, 95)), 2)


def build(n: int, seed: int = 7) -> None:
    import importlib

    from django.apps import apps as django_apps
    from django.db import transaction
    from django.utils import timezone

    from gridgov.accounts.system import SETUP, system_user
    from gridgov.cases.models import Case, Category
    from gridgov.portal import services
    from gridgov.portal.models import Moderation, PortalReport, PublicCategory
    from gridgov.portal.privacy import snap

    if not Category.objects.exists():
        importlib.import_module("gridgov.cases.migrations.0002_seed_taxonomy").load(
            django_apps, None
        )
    services.seed_public_categories(actor=system_user(SETUP))
    cats = list(PublicCategory.objects.values_list("pk", "category_id"))
    rng = np.random.default_rng(seed)
    lons = CENTRE[0] + rng.uniform(-SPAN[0] / 2, SPAN[0] / 2, n)
    lats = CENTRE[1] + rng.uniform(-SPAN[1] / 2, SPAN[1] / 2, n)
    kinds = rng.integers(0, len(cats), n)
    closed = rng.random(n) < 0.33
    now = timezone.now()
    start_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    batch = 5_000
    for lo in range(0, n, batch):
        hi = min(n, lo + batch)
        with transaction.atomic():
            cases = [
                Case(
                    id=start_id + i,
                    title="bench",
                    channel="portal",
                    category_id=cats[kinds[i]][1],
                    area_code="41010500100101",
                    level_code="410105001001",
                    lon=float(lons[i]),
                    lat=float(lats[i]),
                    status="closed" if closed[i] else "reported",
                    created_at=now - datetime.timedelta(minutes=i),
                )
                for i in range(lo, hi)
            ]
            Case.objects.bulk_create(cases, batch_size=1000)
            rows = []
            for i in range(lo, hi):
                x, y = snap(float(lons[i]), float(lats[i]))
                rows.append(
                    PortalReport(
                        case_id=start_id + i,
                        number=f"B-{start_id + i}",
                        category_id=cats[kinds[i]][0],
                        area_code="41010500100101",
                        street_code="410105001",
                        moderation=Moderation.PUBLISHED if i % 2 else Moderation.LISTED,
                        public_lon=x,
                        public_lat=y,
                        public_status="closed" if closed[i] else "received",
                        created_at=now - datetime.timedelta(minutes=i),
                    )
                )
            PortalReport.objects.bulk_create(rows, batch_size=1000)
    if vendor() == "postgresql":
        from django.db import connection

        with connection.cursor() as c:
            c.execute("ANALYZE portal_portalreport")


def measure(smoke: bool = SMOKE) -> dict[str, float]:
    from gridgov.portal import queries
    from gridgov.portal.models import PublicCategory

    n = 2_000 if smoke else int(os.environ.get("BENCH_REPORTS", "300000"))
    runs = 50 if smoke else 1_000
    t = time.perf_counter()
    build(n)
    build_s = time.perf_counter() - t
    cats = list(PublicCategory.objects.values_list("pk", flat=True))
    rng = np.random.default_rng(11)
    samples, found = [], 0
    for _ in range(runs):
        lon = CENTRE[0] + rng.uniform(-SPAN[0] / 2, SPAN[0] / 2)
        lat = CENTRE[1] + rng.uniform(-SPAN[1] / 2, SPAN[1] / 2)
        cat = int(rng.choice(cats))
        t = time.perf_counter()
        rows = queries.nearby(cat, lon, lat)
        samples.append((time.perf_counter() - t) * 1000)
        found += len(rows)
    return {
        "reports": n,
        "queries": runs,
        "build_s": round(build_s, 1),
        "found_mean": round(found / runs, 2),
        "nearby_p50_ms": round(float(np.percentile(samples, 50)), 2),
        "nearby_p95_ms": p95(samples),
    }


if __name__ == "__main__":
    os.environ.setdefault("GRIDGOV_REQUIRE_2FA", "0")
    start("portal")
    figures = measure(SMOKE)
    print(f"database: {vendor()}")
    for key in ("reports", "queries", "build_s", "found_mean", "nearby_p50_ms"):
        print(f"{key}: {figures[key]}")
    print(f"BENCH nearby_p95_ms {figures['nearby_p95_ms']}")
    sys.stdout.flush()
