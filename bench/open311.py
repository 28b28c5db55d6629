"""The address gazetteer and Open311 at city scale.

- `gazetteer_p95_ms`: search-as-you-type over a fixed mix of 1,000 queries (one or two
  characters, partial names, pinyin initials, "A与B交叉口", one-character typos) at 300,000
  addresses, as a district operator; `gazetteer_found_share`: the share of the mix that finds
  an address (printed per kind of query too: a search that quietly finds less shows here);
- `open311_requests_p95_ms`: `GET /open311/v2/requests.json` with the usual filters (none, a
  service_code, status=open, a date window, a page) over 1,000,000 cases.

    .venv/bin/python bench/open311.py            # full size (SQLite; DATABASE_URL=postgres://… for PG)
    .venv/bin/python bench/open311.py --smoke    # 800 addresses, 120 queries, 600 cases

Sizes: BENCH_ADDRESSES, BENCH_CASES, BENCH_REQUESTS (e.g. BENCH_ADDRESSES=1000 for the Open311
half alone). The addresses and their search keys are bulk-loaded (one insert of 5,000 addresses,
one executemany of their keys), the cases by bulk_create: the full size builds in minutes.
"""

import datetime
import io
import os
import random
import statistics
import sys
import time

from _setup import SMOKE, start, vendor

ADDRESSES = int(os.environ.get("BENCH_ADDRESSES", "800" if SMOKE else "300000"))
CASES = int(os.environ.get("BENCH_CASES", "600" if SMOKE else "1000000"))
QUERIES = 120 if SMOKE else 1000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100" if SMOKE else "300"))

CHARS = "金水花园经纬农业文化东西南北中新华建设人民政和平丰庆黄河郑州嵩山商城未来紫荆健康"
KINDS = ["小区", "花园", "家园", "公寓", "新村"]
LANDMARKS = ["医院", "小学", "中学", "公园", "广场", "超市", "银行", "派出所", "图书馆", "体育馆"]


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return round(values[max(0, int(len(values) * 0.95) - 1)], 2)


def _roads(rng: random.Random, n: int) -> list[str]:
    names = set()
    while len(names) < n:
        names.add(rng.choice(CHARS) + rng.choice(CHARS) + rng.choice(["路", "街", "大道"]))
    return sorted(names)


def _root_and_grids():
    from django.core.management import call_command

    from gridgov.areas.models import Area

    if not Area.objects.exists():
        call_command("load_demo", only_areas=True, size="small", stdout=io.StringIO())
    root = Area.objects.active().filter(parent__isnull=True).order_by("code").first()
    grids = list(
        Area.objects.active()
        .filter(children__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return root, grids


def _operator(root):
    from gridgov.accounts.models import User
    from gridgov.accounts.permissions import Role

    user, made = User.objects.get_or_create(
        username="bench-o311",
        defaults={"role": Role.DISTRICT_OPERATOR, "full_name": "热线坐席", "password": "!"},
    )
    if made:
        user.scope_areas.set([root])
    return User.objects.get(pk=user.pk)


def _load(batch: list) -> None:
    """Bulk-load addresses and their search keys (the keys gazetteer_build._write would give them):
    one bulk insert of the addresses, one executemany of their keys."""
    from django.db import connection, transaction

    from gridgov.registry import gazetteer
    from gridgov.registry.models import Address, AddressKey

    for r in batch:
        texts = [r.name, *r.aliases.splitlines()]
        r.initials = "\n".join(gazetteer.initials(t) for t in texts if t)[:400]
    with transaction.atomic():
        Address.objects.bulk_create(batch, batch_size=2000)
        table = connection.ops.quote_name(AddressKey._meta.db_table)
        rows = [(r.pk, k) for r in batch for k in sorted(gazetteer.keys_of(r))]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (address_id, {connection.ops.quote_name('key')}) "
                "VALUES (%s, %s)",
                rows,
            )
    batch.clear()


def build_addresses(n: int, grids: list[str], rng: random.Random) -> tuple[list, list]:
    from gridgov.registry.models import Address, AddressKind

    roads = _roads(rng, max(20, n // 300))
    made: list[tuple[str, str, str]] = []  # (name, road, kind)
    crossings: list[tuple[str, str]] = []
    batch: list = []

    for i in range(n):
        road = rng.choice(roads)
        lon, lat = 113.6 + rng.random() * 0.1, 34.7 + rng.random() * 0.1
        r = rng.random()
        if r < 0.8:
            compound = rng.choice(CHARS) + rng.choice(CHARS) + rng.choice(KINDS)
            name = f"{road}{rng.randint(1, 300)}号{compound}{rng.randint(1, 40)}号楼"
            kind = AddressKind.BUILDING
            aliases = ""
        elif r < 0.95:
            name = f"{road}{rng.choice(CHARS)}{rng.choice(LANDMARKS)}"
            kind, aliases = AddressKind.LANDMARK, ""
        else:
            other = rng.choice(roads)
            name = f"{road}与{other}交叉口"
            # the other names an import gives an intersection (gazetteer_build._check_row)
            aliases = f"{other}与{road}交叉口\n{road}{other}路口\n{other}{road}路口"
            kind = AddressKind.INTERSECTION
            crossings.append((road, other))
        batch.append(
            Address(
                kind=kind, name=name, aliases=aliases, road=road, lon=lon, lat=lat,
                area_code=rng.choice(grids), source=f"bench:{i}",
            )
        )  # fmt: skip
        made.append((name, road, kind))
        if len(batch) >= 5000:
            _load(batch)
    if batch:
        _load(batch)
    return made, crossings


# The kinds of query in the mix, in turn (query_mix).
QUERY_KINDS = ("short", "beginning", "middle", "initials", "intersection", "typo")


def query_mix(made, crossings, rng: random.Random, count: int = QUERIES) -> list[str]:
    from gridgov.registry.gazetteer import initials

    mix: list[str] = []
    for i in range(count):
        name, _road, _kind = rng.choice(made)
        kind = i % 6
        if kind == 0:  # one or two characters
            mix.append(name[: rng.choice([1, 2])])
        elif kind == 1:  # a partial name from its start
            mix.append(name[: rng.randint(3, max(3, len(name) - 1))])
        elif kind == 2:  # a part from the middle
            start = rng.randint(1, max(1, len(name) - 4))
            mix.append(name[start : start + rng.randint(3, 6)])
        elif kind == 3:  # pinyin initials
            ini = initials(name)
            mix.append(ini[: rng.randint(2, min(8, len(ini)))])
        elif kind == 4 and crossings:  # an intersection, either order, either wording
            a, b = rng.choice(crossings)
            mix.append(rng.choice([f"{a}与{b}交叉口", f"{b}和{a}路口", f"{a}{b}"]))
        else:  # one wrong character
            text = name[: rng.randint(5, max(5, len(name)))]
            pos = rng.randrange(len(text))
            mix.append(text[:pos] + rng.choice(CHARS) + text[pos + 1 :])
    return mix


def _analyze(*tables: str) -> None:
    """Fresh planner statistics on PostgreSQL after a bulk load (as autovacuum would give a
    live database)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def build_cases(n: int, grids: list[str], rng: random.Random) -> None:
    from django.utils import timezone

    from gridgov.cases.models import Case, Category, Status

    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    statuses = [Status.REPORTED, Status.HANDLING, Status.CLOSED, Status.CLOSED, Status.DISPATCHED]
    now = timezone.now()
    rows = []
    for _i in range(n):
        code = rng.choice(grids)
        rows.append(
            Case(
                title="井盖缺失", description="路边井盖缺失", category_id=rng.choice(categories),
                status=rng.choice(statuses), channel="grid_member", area_code=code,
                level_code=code[:12], lon=113.6 + rng.random() * 0.1, lat=34.7 + rng.random() * 0.1,
                created_at=now - datetime.timedelta(minutes=rng.randint(0, 180 * 24 * 60)),
            )
        )  # fmt: skip
        if len(rows) >= 5000:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
    _analyze(Case._meta.db_table)


def measure(smoke: bool = SMOKE) -> dict[str, float]:
    from django.test import Client
    from django.utils import timezone

    from gridgov.exchange.open311.mapping import public_categories
    from gridgov.registry import gazetteer

    rng = random.Random(11)
    root, grids = _root_and_grids()
    user = _operator(root)
    n_addr = 800 if smoke else ADDRESSES
    n_cases = 600 if smoke else CASES
    t0 = time.perf_counter()
    made, crossings = build_addresses(n_addr, grids, rng)
    _analyze("registry_address", "registry_addresskey")
    built_s = time.perf_counter() - t0
    mix = query_mix(made, crossings, rng, 120 if smoke else 1000)
    timings, found = [], 0
    found_by_kind = [0] * len(QUERY_KINDS)
    for i, q in enumerate(mix):
        t = time.perf_counter()
        hits = gazetteer.search(user, q)
        timings.append((time.perf_counter() - t) * 1000)
        found += bool(hits)
        found_by_kind[i % len(QUERY_KINDS)] += bool(hits)
    t0 = time.perf_counter()
    build_cases(n_cases, grids, rng)
    cases_s = time.perf_counter() - t0
    client = Client()
    codes = [c.code for c in public_categories()]
    end = timezone.localtime().replace(microsecond=0)
    filters = [
        {},
        {"status": "open"},
        {
            "start_date": (end - datetime.timedelta(days=30)).isoformat(),
            "end_date": end.isoformat(),
        },
        {"page_size": "50", "page": "3"},
    ]
    client.get("/open311/v2/requests.json")  # warm up
    o311 = []
    for i in range(REQUESTS if not smoke else 40):
        params = dict(filters[i % len(filters)])
        if i % 3 == 0:
            params["service_code"] = rng.choice(codes)
        t = time.perf_counter()
        answer = client.get("/open311/v2/requests.json", params)
        o311.append((time.perf_counter() - t) * 1000)
        assert answer.status_code == 200, answer.content[:200]
    return {
        "addresses": n_addr,
        "cases": n_cases,
        "gazetteer_build_s": round(built_s, 1),
        "cases_build_s": round(cases_s, 1),
        "gazetteer_p95_ms": _p95(timings),
        "gazetteer_median_ms": round(statistics.median(timings), 2),
        "gazetteer_found_share": round(found / len(mix), 3),
        "gazetteer_found_share_by_kind": ", ".join(
            f"{kind} {n / len(mix[i :: len(QUERY_KINDS)]):.3f}"
            for i, (kind, n) in enumerate(zip(QUERY_KINDS, found_by_kind, strict=True))
        ),
        "open311_requests_p95_ms": _p95(o311),
    }


if __name__ == "__main__":
    os.environ.setdefault("GRIDGOV_REQUIRE_2FA", "0")
    start("open311")
    figures = measure(SMOKE)
    print(f"database: {vendor()}")
    for key, value in figures.items():
        if key not in ("gazetteer_p95_ms", "gazetteer_found_share", "open311_requests_p95_ms"):
            print(f"{key}: {value}")
    print(f"BENCH gazetteer_p95_ms {figures['gazetteer_p95_ms']} ms")
    print(f"BENCH gazetteer_found_share {figures['gazetteer_found_share']}")
    print(f"BENCH open311_requests_p95_ms {figures['open311_requests_p95_ms']} ms")
    sys.stdout.flush()
