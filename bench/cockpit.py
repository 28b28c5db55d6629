"""The cockpit and rankings at city scale: 1,000,000 cases over three years (with their
timelines and cards), 1,000,000 people and ~20,000 grids. Builds the data, rolls it up with the
platform's own job, then times every cockpit panel and ranking query for the city, one district
and one street (p50/p95), beside the same question asked of DuckDB over the raw rows. Ends with
the page load of the real cockpit in Chromium.

    .venv/bin/python bench/cockpit.py                      # SQLite
    DATABASE_URL=postgres://… .venv/bin/python bench/cockpit.py   # SQLite, then PostgreSQL too
"""

import datetime
import gc
import io
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from _setup import ROOT, SMOKE, free_port, start, vendor

CASES = int(os.environ.get("BENCH_CASES", "20000" if SMOKE else "1000000"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "20000" if SMOKE else "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "2" if SMOKE else "25"))
POSTGRES_URL = os.environ.get("DATABASE_URL", "") if not os.environ.get("BENCH_CHILD") else ""
if POSTGRES_URL and not POSTGRES_URL.startswith("postgres"):
    POSTGRES_URL = ""
folder = start(
    "cockpit", keep_database_url=bool(os.environ.get("BENCH_CHILD")), fresh_postgres=False
)

import duckdb  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gridgov.accounts.models import Department, User  # noqa: E402
from gridgov.accounts.permissions import Role  # noqa: E402
from gridgov.areas.models import Area, Level  # noqa: E402
from gridgov.assessment import periods  # noqa: E402
from gridgov.assessment import queries as assessment  # noqa: E402
from gridgov.assessment.rollup import roll_up  # noqa: E402
from gridgov.cases.models import Card, Case, CaseEvent, Category  # noqa: E402
from gridgov.dashboard import queries as cockpit  # noqa: E402
from gridgov.registry.models import Person  # noqa: E402

DATABASE = "postgresql" if vendor() == "postgresql" else "sqlite"
rng = np.random.default_rng(7)
now = timezone.now().replace(microsecond=0)
NOW_S = int(now.timestamp())


def insert(model, columns: list[str], rows) -> None:
    """Append rows fast: COPY on PostgreSQL, executemany on SQLite. Columns not given get the
    field's default, so the rows are what the ORM would have written."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    extra = [f for f in fields if f.column not in columns]
    defaults = []
    for f in extra:
        value = f.get_default() if f.has_default() else (None if f.null else "")
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        defaults.append(f.get_db_prep_save(value, connection))
    names = columns + [f.column for f in extra]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
            batch = []
            for row in rows:
                batch.append((*row, *defaults))
                if len(batch) >= 50_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)


def stamp(seconds) -> str | datetime.datetime:
    """A database timestamp for epoch seconds: UTC text on SQLite, aware datetimes elsewhere."""
    value = datetime.datetime.fromtimestamp(int(seconds), tz=datetime.UTC)
    if connection.vendor == "sqlite":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


# ------------------------------------------------------------------------------------------
# The city: areas, departments, staff, cases with timelines and cards, people

t0 = time.perf_counter()
call_command(
    "load_demo",
    scale="district" if SMOKE else "city",
    only_areas=True,
    no_users=True,
    stdout=io.StringIO(),
)
grids = list(Area.objects.active().grids().values_list("code", "label_lon", "label_lat"))
districts = list(Area.objects.active().filter(level=Level.DISTRICT).order_by("code"))
root = Area.objects.active().filter(parent__isnull=True).order_by("code").first()
print(
    f"areas: {len(grids):,} grids, {len(districts)} districts in {time.perf_counter() - t0:.0f} s"
)

t0 = time.perf_counter()
departments = [
    Department.objects.create(
        code=f"{d.code}-{line}", name=f"{d.name}{line}", level="district", area=d, area_code=d.code
    )
    for d in districts
    for line in ("城管", "水务", "交通")
]
User.objects.bulk_create(
    [
        User(username=f"g{i}", full_name=f"网格员{i}", role=Role.GRID_MEMBER, password="!")
        for i in range(600)
    ]
)
members = list(User.objects.filter(role=Role.GRID_MEMBER).values_list("id", flat=True))
viewer = User.objects.create(
    username="bench", role=Role.ADMIN, password=make_password("bench-pw"), full_name="大屏"
)
viewer.scope_areas.set([root])
minors = list(Category.objects.filter(parent__isnull=False).select_related("parent"))

n = CASES
grid_index = rng.integers(0, len(grids), n)
span = 3 * 365 * 86400
created = np.sort(NOW_S - span + (rng.power(1.4, n) * span).astype(np.int64))
age_days = (NOW_S - created) / 86400
story = np.where(
    rng.random(n) < 0.03,
    0,  # rejected
    np.where(age_days > 20, 7, rng.integers(1, 8, n)),  # steps completed: 7 = closed
)
category_index = rng.integers(0, len(minors), n)
department_index = rng.integers(0, len(departments), n)
late = rng.random((n, 6)) < np.array([0.02, 0.03, 0.04, 0.15, 0.05, 0.08])
reporter = np.where(rng.random(n) < 0.6, rng.choice(members, n), 0)
STEPS = [  # action, stage, status after, hours after the step before
    ("accept", "accept", "accepted", 0.2),
    ("file", "file", "filed", 0.3),
    ("dispatch", "dispatch", "dispatched", 1.0),
    ("start", "", "handling", 2.0),
    ("feedback", "handle", "handled", 40.0),
    ("verify_pass", "verify", "verified", 3.0),
    ("close", "close", "closed", 2.0),
]
STATUS_AT = ["reported"] + [s[2] for s in STEPS]
case_cols = [
    "title", "category_id", "status", "channel", "lon", "lat", "area_code", "level_code",
    "reporter_id", "department_id", "stage", "stage_deadline", "stage_card", "created_at",
    "closed_at", "updated_at",
]  # fmt: skip
event_cols = [
    "case_id", "time", "actor_id", "action", "from_status", "to_status", "area_code",
    "level_code", "stage", "deadline", "on_time",
]  # fmt: skip
card_cols = ["case_id", "kind", "stage", "deadline", "raised_at", "area_code", "level_code"]
with connection.cursor() as cursor:
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
    first_id = cursor.fetchone()[0] + 1
case_rows, event_rows, card_rows, card_raised = [], [], [], []
closed_at = np.zeros(n, dtype=np.int64)
open_deadline = np.zeros(n, dtype=np.int64)
red = np.zeros(n, dtype=bool)
event_arrays = {"case": [], "time": [], "action": [], "stage": [], "on_time": []}
for i in tqdm(range(n), desc="cases", unit="case", mininterval=2):
    case_id = first_id + i
    grid, lon, lat = grids[grid_index[i]]
    community = grid[:12]
    t = int(created[i])
    steps = int(story[i])
    reporter_id = int(reporter[i]) or None
    event_rows.append(
        (case_id, stamp(t), reporter_id, "report", "", "reported", grid, community, "", None, None)
    )
    status = "reported"
    if steps == 0:
        event_rows.append(
            (
                case_id,
                stamp(t + 600),
                None,
                "reject",
                "reported",
                "rejected",
                grid,
                community,
                "accept",
                stamp(t + 1800),
                True,
            )
        )
        status = "rejected"
    for k in range(min(steps, 7)):
        action, stage, to_status, hours = STEPS[k]
        limit = hours * 3600 * 2
        was_late = stage and late[i, min(k, 5)]
        t += int(hours * 3600 * (rng.random() + (2.5 if was_late else 0.2)))
        deadline = t - int(limit * (0.3 if was_late else -0.5)) if stage else None
        event_rows.append(
            (
                case_id,
                stamp(t),
                None,
                action,
                status,
                to_status,
                grid,
                community,
                stage,
                stamp(deadline) if deadline else None,
                (not was_late) if stage else None,
            )
        )
        event_arrays["case"].append(i)
        event_arrays["time"].append(t)
        event_arrays["action"].append(action)
        event_arrays["stage"].append(stage)
        event_arrays["on_time"].append(bool(not was_late) if stage else None)
        if was_late:
            card_rows.append(
                (case_id, "yellow", stage, stamp(deadline), stamp(deadline + 60), grid, community)
            )
            card_raised.append(deadline + 60)
            if rng.random() < 0.2:
                card_rows.append(
                    (
                        case_id,
                        "red",
                        stage,
                        stamp(deadline),
                        stamp(deadline + 3600),
                        grid,
                        community,
                    )
                )
                card_raised.append(deadline + 3600)
                red[i] = True
        status = to_status
    final = status == "closed" or status == "rejected"
    stage_now = "" if final else ("accept" if steps == 0 else (STEPS[steps][1] or "handle"))
    deadline_now = t + int(rng.normal(4, 30) * 3600) if not final else 0
    open_deadline[i] = deadline_now
    closed_at[i] = t if status == "closed" else 0
    category = minors[category_index[i]]
    case_rows.append((
        category.name, category.pk, status, "grid_member", lon + rng.normal(0, 0.002), lat + rng.normal(0, 0.002),
        grid, community, reporter_id, departments[department_index[i]].pk if steps >= 3 else None,
        stage_now, stamp(deadline_now) if deadline_now else None, "red" if (red[i] and not final) else "",
        stamp(created[i]), stamp(t) if status == "closed" else None, stamp(NOW_S),
    ))  # fmt: skip
    if len(case_rows) >= 100_000:
        with transaction.atomic():
            insert(Case, case_cols, case_rows)
            insert(CaseEvent, event_cols, event_rows)
        case_rows.clear()
        event_rows.clear()
with transaction.atomic():
    insert(Case, case_cols, case_rows)
    insert(CaseEvent, event_cols, event_rows)
    insert(Card, card_cols, card_rows)
print(
    f"cases: {n:,} with {CaseEvent.objects.count():,} timeline entries, {len(card_rows):,} cards in {time.perf_counter() - t0:.0f} s"
)

t0 = time.perf_counter()
person_area = rng.integers(0, len(grids), PEOPLE)
births = NOW_S - rng.integers(0, 90 * 365, PEOPLE) * 86400
registrations = rng.choice(["registered", "floating", "overseas"], PEOPLE, p=[0.72, 0.26, 0.02])
sexes = rng.choice(["M", "F"], PEOPLE)


def people_rows():
    for i in range(PEOPLE):
        birth = datetime.date.fromtimestamp(int(births[i]))
        yield (
            f"居民{i}",
            sexes[i],
            birth,
            registrations[i],
            grids[person_area[i]][0],
        )


with transaction.atomic():
    insert(
        Person,
        # No ID numbers: they are sealed at rest (SM4), and the cockpit never reads them.
        ["name", "sex", "birth_date", "registration", "area_code"],
        people_rows(),
    )
print(f"people: {PEOPLE:,} in {time.perf_counter() - t0:.0f} s")

t0 = time.perf_counter()
result = roll_up(full=True)
rollup_seconds = time.perf_counter() - t0
print(f"roll-up (full): {rollup_seconds:.1f} s for {result['months']} months")
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
else:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

# ------------------------------------------------------------------------------------------
# DuckDB over the raw rows: the same questions, no roll-ups

duck = duckdb.connect()
case_ids = np.arange(n)
open_mask = ~np.isin(story, [0, 7])
duck.register(
    "raw_c",
    {
        "id": case_ids,
        "area": np.array([grids[g][0] for g in grid_index]),
        "created": created.astype("datetime64[s]"),
        "closed_at": np.where(closed_at > 0, closed_at, NOW_S * 2).astype("datetime64[s]"),
        "is_closed": closed_at > 0,
        "is_open": open_mask,
        "deadline": np.where(open_deadline > 0, open_deadline, NOW_S * 2).astype("datetime64[s]"),
        "major": np.array([minors[k].parent.code for k in category_index]),
        "lat": np.array([grids[g][2] for g in grid_index]),
        "lon": np.array([grids[g][1] for g in grid_index]),
    },
)
duck.register(
    "raw_e",
    {
        "case_id": np.array(event_arrays["case"]),
        "time": np.array(event_arrays["time"]).astype("datetime64[s]"),
        "action": np.array(event_arrays["action"]),
        "stage": np.array(event_arrays["stage"]),
        "on_time": np.array([bool(v) for v in event_arrays["on_time"]]),
    },
)
duck.register(
    "raw_p",
    {
        "area": np.array([grids[g][0] for g in person_area]),
        "registration": registrations,
        "sex": sexes,
    },
)
duck.register(
    "raw_k",
    {
        "area": np.array([r[5] for r in card_rows]),
        "kind": np.array([r[1] for r in card_rows]),
        "raised": np.array(card_raised, dtype=np.int64).astype("datetime64[s]"),
    },
)
for table in "cepk":
    duck.execute(f"CREATE TABLE {table} AS SELECT * FROM raw_{table}")
    duck.unregister(f"raw_{table}")
# The generator's millions of Python objects would make every full collection of this process
# take half a second; a served process has none of them and freezes its start-up objects
# (gridgov/wsgi.py), so do the same before timing.
del event_arrays, case_rows, event_rows, card_rows, card_raised
gc.collect()
gc.freeze()
month_start = timezone.localdate().replace(day=1)
DUCK = {
    "counts": "SELECT count(*) FILTER (created >= now()::DATE), count(*) FILTER (created >= ?), "
    "count(*) FILTER (closed_at >= ?), count(*) FILTER (is_open), "
    "count(*) FILTER (is_open AND deadline < now()) FROM c WHERE starts_with(area, ?)",
    "trend_days": "SELECT created::DATE, count(*) FROM c WHERE created >= now() - INTERVAL 30 DAY "
    "AND starts_with(area, ?) GROUP BY 1",
    "trend_months": "SELECT date_trunc('month', created), count(*), count(*) FILTER (is_closed) "
    "FROM c WHERE created >= now() - INTERVAL 365 DAY AND starts_with(area, ?) GROUP BY 1",
    "top_classes": "SELECT major, count(*) n FROM c WHERE created >= ? AND starts_with(area, ?) "
    "GROUP BY 1 ORDER BY n DESC LIMIT 8",
    "funnel": "SELECT e.action, count(DISTINCT e.case_id) FROM e JOIN c ON c.id = e.case_id "
    "WHERE c.created >= ? AND starts_with(c.area, ?) GROUP BY 1",
    "children": "SELECT substr(area, 1, ?), count(*) FILTER (is_open), "
    "count(*) FILTER (is_open AND deadline < now()), count(*) FILTER (created >= ?) "
    "FROM c WHERE starts_with(area, ?) GROUP BY 1",
    "heat": "SELECT lat, lon FROM c WHERE created >= now() - INTERVAL 30 DAY "
    "AND starts_with(area, ?) LIMIT 5000",
    "ranking": "SELECT substr(c.area, 1, ?), count(DISTINCT c.id), "
    "count(*) FILTER (e.stage = 'close'), count(*) FILTER (e.stage = 'close' AND e.on_time) "
    "FROM c JOIN e ON e.case_id = c.id WHERE c.created >= ? AND starts_with(c.area, ?) GROUP BY 1",
    "registry": "SELECT registration, sex, count(*) FROM p WHERE starts_with(area, ?) GROUP BY 1, 2",
    "red_cards": "SELECT * FROM k WHERE kind = 'red' AND starts_with(area, ?) "
    "ORDER BY raised DESC LIMIT 8",
}


def duck_params(name: str, area: Area) -> list:
    child_width = {Level.CITY: 6, Level.DISTRICT: 9, Level.STREET: 12}.get(area.level, 14)
    previous = (month_start - datetime.timedelta(days=1)).replace(day=1)
    return {
        "counts": [month_start, month_start, area.code],
        "top_classes": [month_start, area.code],
        "funnel": [month_start, area.code],
        "children": [child_width, month_start, area.code],
        "ranking": [child_width, previous, area.code],
    }.get(name, [area.code])


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def timed(fn, runs: int = RUNS) -> tuple[float, float]:
    for _i in range(2):
        fn()
    samples = []
    for _i in range(runs):
        start_time = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start_time) * 1000)
    return percentiles(samples)


district = districts[len(districts) // 2]
street = Area.objects.active().filter(parent=district).order_by("code").first()
targets = [("city", root), ("district", district), ("street", street)]
print(f"\nquery times, ms ({DATABASE}, {RUNS} runs each; DuckDB over the raw rows beside)")
print(f"{'query':<34}{'area':<10}{'p50':>8}{'p95':>8}{'duck p50':>10}{'duck p95':>10}")
worst = 0.0
for label, area in targets:
    for name, panel in cockpit.PANELS.items():
        p50, p95 = timed(lambda panel=panel, area=area: panel(viewer, area))
        worst = max(worst, p95)
        if name not in DUCK:  # a panel over data this bench does not generate (business lines)
            print(f"{'cockpit.' + name:<34}{label:<10}{p50:>8.1f}{p95:>8.1f}{'—':>10}{'—':>10}")
            continue
        d50, d95 = timed(
            lambda name=name, area=area: duck.execute(
                DUCK[name], duck_params(name, area)
            ).fetchall()
        )
        print(f"{'cockpit.' + name:<34}{label:<10}{p50:>8.1f}{p95:>8.1f}{d50:>10.1f}{d95:>10.1f}")
month = periods.current_month()
ranking_queries = [
    ("ranking.districts", lambda: assessment.ranking(viewer, "area", "district", month)),
    ("ranking.streets_of_district", lambda: assessment.ranking(viewer, "area", "street", month, parent=district.code)),
    ("ranking.communities_of_district", lambda: assessment.ranking(viewer, "area", "community", month, parent=district.code)),
    ("ranking.grids_of_street", lambda: assessment.ranking(viewer, "area", "grid", month, parent=street.code)),
    ("ranking.departments", lambda: assessment.ranking(viewer, "department", "", month)),
    ("ranking.grid_members", lambda: assessment.ranking(viewer, "staff", "grid_member", month)),
    ("indicators.district_quarter", lambda: assessment.unit_report(viewer, "area", district.code, f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}")),
    ("drill.closing_rate_street", lambda: assessment.cases_behind(viewer, "area", street.code, month, "closing_rate", "denominator").count()),
]  # fmt: skip
for name, fn in ranking_queries:
    p50, p95 = timed(fn)
    worst = max(worst, p95)
    print(f"{name:<34}{'':<10}{p50:>8.1f}{p95:>8.1f}")
print(f"\nworst p95 on {DATABASE}: {worst:.1f} ms")
figures = [
    f"BENCH cockpit_worst_p95_ms_{DATABASE} {worst:.1f} ms",
    f"BENCH cockpit_rollup_full_s_{DATABASE} {rollup_seconds:.1f} s",
]


# ------------------------------------------------------------------------------------------
# The real page in Chromium, served by gunicorn (SQLite run only)


def page_load() -> float | None:
    if not os.path.exists("/usr/bin/chromium"):
        print("page load: /usr/bin/chromium missing, skipped")
        return None
    from playwright.sync_api import sync_playwright

    call_command("collectstatic", interactive=False, verbosity=0)
    env = {
        **os.environ,
        "GRIDGOV_VAR_DIR": str(folder),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "GRIDGOV_REQUIRE_2FA": "0",  # the wall screen's account signs in with its password
    }
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gridgov", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"]
            )
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            for _i in range(240):  # serve starts its front and imports Django: a busy machine
                try:
                    page.goto(f"{base}/accounts/login/")
                    break
                except Exception:
                    time.sleep(0.5)
            page.fill("input[name=username]", "bench")
            page.fill("input[name=password]", "bench-pw")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            samples = []
            for code in [root.code, district.code, street.code] * 3:
                start_time = time.perf_counter()
                page.goto(f"{base}/cockpit/?area={code}")
                page.wait_for_selector(f"body[data-loaded='{code}']", timeout=30000)
                samples.append((time.perf_counter() - start_time) * 1000)
            page.screenshot(path=str(folder / "cockpit.png"))
            browser.close()
        print(
            f"page load samples (ms): {[round(s) for s in samples]}; screenshot {folder / 'cockpit.png'}"
        )
        return max(samples)
    finally:
        server.terminate()
        server.wait(timeout=20)


if not os.environ.get("BENCH_CHILD"):
    load = page_load()
    if POSTGRES_URL:
        print("\n== the same on PostgreSQL ==", flush=True)
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS gridgov_bench_cockpit")
            admin.execute("CREATE DATABASE gridgov_bench_cockpit")
        fresh = POSTGRES_URL.rsplit("/", 1)[0] + "/gridgov_bench_cockpit"
        child = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:]],
            env={**os.environ, "DATABASE_URL": fresh, "BENCH_CHILD": "1"},
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = child.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith("BENCH")))
        if child.returncode:
            print(child.stderr[-3000:])
        pg_lines = [line for line in lines if line.startswith("BENCH")]
        if "--keep" not in sys.argv:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                admin.execute("DROP DATABASE IF EXISTS gridgov_bench_cockpit")
    else:
        pg_lines = []
    figures += pg_lines
    if load is not None:
        figures.append(f"BENCH cockpit_page_load_ms {load:.0f} ms")
print("\n".join(figures))
