"""Patrol positions at district scale: members on patrol 8 hours a day, one fix every 15 s.

Full size: 1,000 members × 14 days ≈ 27 million positions, bulk-loaded; then

- ingest of 1 million more positions through the batch service (batches of 50, the drop rules,
  one transaction each) as a ratio to a bare `executemany` of as many rows into the same table
  in the same run, in the same batches of 50 each committed on its own, the two taking turns
  in 10 rounds (rows a second through the service ÷ rows a second bare; goal ≥ 0.5);
- one member-day track p95 (goal ≤ 30 ms); one grid's coverage for one week p95 (≤ 150 ms);
  the live map of all on-duty members p95 (≤ 100 ms), as the API builds it (JSON included);
- the disk used by the positions table (SQLite: the file; PostgreSQL: the partitions).

    .venv/bin/python bench/positions.py                    # full size, SQLite
    .venv/bin/python bench/positions.py --days 2           # fewer days
    DATABASE_URL=postgres://… .venv/bin/python bench/positions.py
    .venv/bin/python bench/positions.py --smoke            # seconds

`measure(smoke, days, members)` returns the figures (the test suite runs it at --smoke size).
"""

import datetime
import gc
import json
import os
import random
import sys
import time

import numpy as np
from _setup import SMOKE, start, vendor

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "12" if SMOKE else "1000"))
INGEST = int(os.environ.get("BENCH_INGEST", "1500" if SMOKE else "1000000"))
STEP_S = 15
GRID_DEG = 0.005  # ≈ 550 m × 460 m grids in a lattice
COLUMNS = (
    "session_id, user_id, area_code, fix_time, server_time, lat, lon, accuracy, speed, heading, "
    "altitude, battery, source"
)


def _days() -> int:
    if "--days" in sys.argv:
        return int(sys.argv[sys.argv.index("--days") + 1])
    return 2 if SMOKE else 14


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def phase(name: str, seconds: float) -> None:
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC {name}: {seconds:.1f} s", flush=True)


def build(members: int, days: int, hours: float, first_day: datetime.date) -> dict:
    """Grids, members, one session per member and day, and their fixes (a walk in the grid)."""
    import shapely
    from django.db import transaction

    from gridgov.accounts.models import StaffAssignment, User
    from gridgov.accounts.permissions import Role
    from gridgov.areas.models import Area, Level
    from gridgov.patrol.models.tracks import PatrolSession

    since = datetime.date(2026, 1, 1)
    tz = datetime.timezone(datetime.timedelta(hours=8))
    with transaction.atomic():
        district = Area.objects.create(
            code="410105", name="bench", level=Level.DISTRICT, valid_from=since
        )
        street = Area.objects.create(
            code="410105001", name="street", level=Level.STREET, parent=district, valid_from=since
        )
        communities = {}
        for c in range((members + 99) // 100):
            code = f"410105001{c + 1:03d}"
            communities[c] = Area.objects.create(
                code=code,
                name=f"community {c}",
                level=Level.COMMUNITY,
                parent=street,
                valid_from=since,
            )
        side = int(members**0.5) + 1
        grids = []
        for i in range(members):
            x0, y0 = 113.5 + (i % side) * GRID_DEG, 34.6 + (i // side) * GRID_DEG
            box = shapely.box(x0, y0, x0 + GRID_DEG, y0 + GRID_DEG)
            parent = communities[i // 100]
            grids.append(
                Area(
                    code=f"{parent.code}{i % 100:02d}",
                    name=f"grid {i}",
                    level=Level.GRID,
                    parent=parent,
                    valid_from=since,
                    geometry=shapely.geometry.mapping(box),
                )
            )
        Area.objects.bulk_create(grids)
        users = User.objects.bulk_create(
            [
                User(username=f"bench{i}", role=Role.GRID_MEMBER, full_name=f"巡查{i}")
                for i in range(members)
            ]
        )
        grid_ids = dict(Area.objects.filter(level=Level.GRID).values_list("code", "pk"))
        through = User.scope_areas.through
        through.objects.bulk_create(
            [
                through(user_id=u.pk, area_id=grid_ids[g.code])
                for u, g in zip(users, grids, strict=True)
            ]
        )
        StaffAssignment.objects.bulk_create(
            [
                StaffAssignment(
                    user=u,
                    grid_id=grid_ids[g.code],
                    area_code=g.code,
                    force_type="grid_member",
                    since=since,
                )
                for u, g in zip(users, grids, strict=True)
            ]
        )
    per_day = int(hours * 3600 / STEP_S)
    rng = np.random.default_rng(7)
    boxes = np.array([shapely.geometry.shape(g.geometry).bounds for g in grids])
    user_ids = [u.pk for u in users]
    codes = [g.code for g in grids]
    loaded = 0
    t0 = time.perf_counter()
    for d in range(days):
        day = first_day + datetime.timedelta(days=d)
        begin = datetime.datetime.combine(day, datetime.time(8, 30), tz)
        end = begin + datetime.timedelta(hours=hours)
        times = [_time_text(begin + datetime.timedelta(seconds=STEP_S * k)) for k in range(per_day)]
        lat, lon = _walks(rng, boxes, per_day)
        with transaction.atomic():
            sessions = PatrolSession.objects.bulk_create(
                [
                    PatrolSession(
                        user=u, area_code=g.code, started_at=begin, ended_at=end, accepted=per_day
                    )
                    for u, g in zip(users, grids, strict=True)
                ]
            )
            _load_day([s.pk for s in sessions], user_ids, codes, times, lat, lon)
        loaded += members * per_day
    return {
        "users": users,
        "grids": grids,
        "loaded": loaded,
        "load_s": time.perf_counter() - t0,
        "per_day": per_day,
    }


def _time_text(when: datetime.datetime) -> str:
    """A fix time as the database takes it in text (SQLite stores UTC text; COPY reads ISO)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return when.isoformat()
    return connection.ops.adapt_datetimefield_value(when)


def _walks(rng, boxes, steps: int) -> tuple:
    """One random walk per grid, from its centre, folded back at the grid's edges
    (latitudes, longitudes: arrays of grids × steps)."""
    x0, y0, x1, y1 = (boxes[:, i : i + 1] for i in range(4))
    dx = rng.uniform(-0.00012, 0.00012, (len(boxes), steps)).cumsum(axis=1)
    dy = rng.uniform(-0.0001, 0.0001, (len(boxes), steps)).cumsum(axis=1)

    def fold(offset, lo, hi):
        width = hi - lo
        u = np.mod(offset + width / 2, 2 * width)
        return lo + width - np.abs(u - width)

    return np.round(fold(dy, y0, y1), 7), np.round(fold(dx, x0, x1), 7)


def _load_day(session_ids, user_ids, codes, times, lat, lon) -> None:
    """One day of fixes of every member: COPY on PostgreSQL, one executemany on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY patrol_position ({COLUMNS}) FROM STDIN") as copy:
                for m, sid in enumerate(session_ids):
                    head = f"{sid}\t{user_ids[m]}\t{codes[m]}\t"
                    tail = "\t8\t1.1\t90\t100\t80\tbrowser\n"
                    copy.write(
                        "".join(
                            f"{head}{t}\t{t}\t{y}\t{x}{tail}"
                            for t, y, x in zip(times, lat[m].tolist(), lon[m].tolist(), strict=True)
                        )
                    )
            return
        sql = f"INSERT INTO patrol_position ({COLUMNS}) VALUES ({', '.join(['%s'] * 13)})"
        for m, sid in enumerate(session_ids):
            head = (sid, user_ids[m], codes[m])
            cursor.executemany(
                sql,
                [
                    (*head, t, t, y, x, 8.0, 1.1, 90.0, 100.0, 80.0, "browser")
                    for t, y, x in zip(times, lat[m].tolist(), lon[m].tolist(), strict=True)
                ],
            )


def drop_indexes() -> list[str]:
    """Drop the positions table's indexes, unique and foreign-key constraints (not the primary
    key) before the bulk load; returns the statements that make them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'patrol_position'::regclass AND contype IN ('u', 'f') "
                "ORDER BY contype DESC"
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'patrol_position' "
                "AND indexname <> 'patrol_position_pkey' AND indexname <> ALL(%s)",
                [[name for name, _sql in constraints]],
            )
            indexes = cursor.fetchall()
            for name, _sql in constraints:
                cursor.execute(f'ALTER TABLE patrol_position DROP CONSTRAINT "{name}"')
            for name, _sql in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            # pg_indexes shows a partitioned index as made ON ONLY the parent (the partitions'
            # own indexes attached later); made again without ONLY it covers every partition.
            return [sql.replace(" ON ONLY ", " ON ", 1) for _name, sql in indexes] + [
                f'ALTER TABLE patrol_position ADD CONSTRAINT "{name}" {sql}'
                for name, sql in constraints
            ]
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'patrol_position' AND sql IS NOT NULL"
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in indexes]


def make_indexes(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Foreign keys cannot be added while the deferred checks of rows made in the same
            # transaction (the smoke test's) are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "ANALYZE patrol_position" if connection.vendor == "postgresql" else "ANALYZE"
        )


def disk_bytes() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "WHERE c.relname LIKE 'patrol_position%%' AND c.relkind IN ('r', 'p')"
            )
            return int(cursor.fetchone()[0])
    name = settings.DATABASES["default"]["NAME"]
    try:
        return os.path.getsize(name) + (
            os.path.getsize(f"{name}-wal") if os.path.exists(f"{name}-wal") else 0
        )
    except (OSError, TypeError):
        with connection.cursor() as cursor:  # an in-memory test database: pages in use
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return int(pages * cursor.fetchone()[0])


def measure(smoke: bool = SMOKE, days: int | None = None, members: int = MEMBERS) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from gridgov.patrol.api_tracks import track_json
    from gridgov.patrol.models.tracks import PatrolSession, Position
    from gridgov.patrol.partitions import ensure_partitions
    from gridgov.patrol.services import tracks as services
    from gridgov.patrol.services import tracks_coverage as covering
    from gridgov.patrol.services import tracks_geo as geo

    days = days or _days()
    hours = 1.0 if smoke else 8.0
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=days)
    months = (today.year - first_day.year) * 12 + today.month - first_day.month + 1
    ensure_partitions(first_day, months=months)
    recreate = drop_indexes()
    built = build(members, days, hours, first_day)
    users, grids = built["users"], built["grids"]
    figures: dict = {"positions_loaded": built["loaded"], "load_s": round(built["load_s"], 1)}
    phase("build", built["load_s"])
    t0 = time.perf_counter()
    make_indexes(recreate)
    figures["index_s"] = round(time.perf_counter() - t0, 1)
    phase("index + analyze", figures["index_s"])

    import shapely

    # Ingest: today's sessions, open; the same number of rows through the service and bare.
    now = timezone.now()
    count = INGEST
    per_member = max(50, -(-count // members))
    start_at = now - datetime.timedelta(seconds=STEP_S * per_member * 2 + 600)
    sessions = []
    for u in users:
        s = services.start_session(actor=u)
        PatrolSession.objects.filter(pk=s.pk).update(started_at=start_at)
        s.refresh_from_db()
        sessions.append(s)
    rng = random.Random(11)
    batches = []  # the service gets the fixes as the API hands them over, made beforehand
    for s, u in zip(sessions, users, strict=True):
        for b in range(0, per_member, 50):
            fixes = [
                services.Fix(
                    lat=34.6 + rng.uniform(0, 0.004),
                    lon=113.5 + rng.uniform(0, 0.004) * 0.001,
                    fix_time=start_at + datetime.timedelta(seconds=STEP_S * (b + k) + 1),
                    accuracy=8,
                    speed=1.0,
                    battery=70,
                )
                for k in range(min(50, per_member - b))
            ]
            batches.append((s, u, fixes))
            count -= len(fixes)
        if count <= 0:
            break
    sql = f"INSERT INTO patrol_position ({COLUMNS}) VALUES ({', '.join(['%s'] * 13)})"
    ops = connection.ops
    bare_begin = start_at + datetime.timedelta(seconds=STEP_S * per_member + 7)
    offered = sum(len(fixes) for _s, _u, fixes in batches)
    rows = []  # as many rows for the bare inserts, later in the same sessions
    for s in sessions:
        for k in range(per_member):
            when = ops.adapt_datetimefield_value(
                bare_begin + datetime.timedelta(seconds=STEP_S * k)
            )
            row = (s.pk, s.user_id, s.area_code, when, when, 34.6, 113.5, 8.0, 1.0)
            rows.append((*row, None, None, 70.0, "import"))
            if len(rows) >= offered:
                break
        if len(rows) >= offered:
            break
    # The fixes and rows made beforehand stay out of the garbage collector's full collections
    # (a server worker does not hold a million of them). The service and the bare inserts take
    # turns in rounds, so neither gains from pages the other warmed or loses to a slow patch
    # of a shared machine; the bare inserts go in the same batches of 50, each in its own
    # transaction, as the service commits them.
    gc.collect()
    gc.freeze()
    rounds = 2 if smoke else 10
    service_rows = bare_rows = 0
    service_s = bare_s = 0.0
    for r in range(rounds):
        mine = batches[r * len(batches) // rounds : (r + 1) * len(batches) // rounds]
        t0 = time.perf_counter()
        for s, u, fixes in mine:
            service_rows += services.ingest(s, fixes, actor=u).accepted
        service_s += time.perf_counter() - t0
        bare = rows[r * len(rows) // rounds : (r + 1) * len(rows) // rounds]
        t0 = time.perf_counter()
        for i in range(0, len(bare), 50):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, bare[i : i + 50])
        bare_s += time.perf_counter() - t0
        bare_rows += len(bare)
    figures["ingested_through_service"] = service_rows
    # rows a second through the service ÷ rows a second bare
    service_rate, bare_rate = service_rows / service_s, bare_rows / bare_s
    figures["positions_ingest_vs_bare_ratio"] = round(service_rate / bare_rate, 3)
    phase(f"ingest {service_rows} through the service", service_s)
    phase(f"ingest {bare_rows} bare", bare_s)

    # The reads are timed as a server's worker does them: without the million rows and fixes
    # this process made for the ingest (when they were not frozen, every full collection of
    # Python's garbage collector walked them, ≈ 0.2 s at 40 members, and landed in the p95 of
    # whichever read it interrupted).
    gc.unfreeze()
    del batches, rows
    gc.collect()
    gc.freeze()

    # Track of one member-day, coverage of one grid for one week, the live map.
    # Member-days the ingest did not add to: its fixes begin up to ≈ 8.5 hours ago, so shortly
    # after local midnight they fall on yesterday (a track of 3,888 points, not 1,920).
    clean_days = min(days, (timezone.localtime(start_at).date() - first_day).days)
    samples = []
    for _i in range(30 if smoke else 200):
        u = users[rng.randrange(len(users))]
        day = first_day + datetime.timedelta(days=rng.randrange(max(1, clean_days)))
        t0 = time.perf_counter()
        data = geo.track(Position.objects.filter(user=u), day)
        track_json(data)  # as the API writes it
        samples.append((time.perf_counter() - t0) * 1000)
    figures["positions_track_p95_ms"] = round(p95(samples), 1)
    phase(f"{len(samples)} tracks", sum(samples) / 1000)
    figures["track_points"] = data["count"]

    samples = []
    for _i in range(10 if smoke else 50):
        g = grids[rng.randrange(len(grids))]
        shape = shapely.geometry.shape(g.geometry)
        start, end = geo.period_bounds(
            "week", first_day + datetime.timedelta(days=rng.randrange(days))
        )
        t0 = time.perf_counter()
        positions = Position.objects.filter(area_code=g.code)
        result = covering.coverage(shape, covering.coverage_points(positions, shape, start, end))
        samples.append((time.perf_counter() - t0) * 1000)
    figures["positions_coverage_p95_ms"] = round(p95(samples), 1)
    phase(f"{len(samples)} coverages", sum(samples) / 1000)
    figures["coverage_share_sample"] = round(result.share, 3)

    samples = []
    for _i in range(20 if smoke else 100):
        t0 = time.perf_counter()
        rows_live = geo.live(PatrolSession.objects.all())
        json.dumps(rows_live)
        samples.append((time.perf_counter() - t0) * 1000)
    figures["positions_live_p95_ms"] = round(p95(samples), 1)
    phase(f"{len(samples)} live maps", sum(samples) / 1000)
    figures["live_members"] = len(rows_live)
    figures["positions_disk_mb"] = round(disk_bytes() / 1e6, 1)
    figures["positions_total"] = Position.objects.count()
    figures["bytes_per_position"] = round(
        figures["positions_disk_mb"] * 1e6 / figures["positions_total"]
    )
    gc.unfreeze()
    return figures


if __name__ == "__main__":
    os.environ.setdefault("GRIDGOV_REQUIRE_2FA", "0")
    start("positions")
    figures = measure(SMOKE)
    db = vendor()
    for key, value in figures.items():
        if not key.startswith("positions_") or key in ("positions_loaded", "positions_total"):
            print(f"{key}: {value}")
    print(f"database: {db}; positions: {figures['positions_total']}")
    for key in (
        "positions_ingest_vs_bare_ratio",
        "positions_track_p95_ms",
        "positions_coverage_p95_ms",
        "positions_live_p95_ms",
        "positions_disk_mb",
    ):
        print(f"BENCH {key} {figures[key]}")
    sys.stdout.flush()
