"""The roll-up: case facts from timelines, tallies from facts, snapshots of what stands now.

Everything is computed in SQL over the timeline (never typed in) and is idempotent: a month's
tallies are deleted and rebuilt from its facts in one transaction, so a reader sees either the
old or the new figures. The job reads timeline entries added since its last run and rebuilds
only the cases and months they touch."""

import datetime
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Length
from django.utils import timezone

from gridgov.areas.models import Area, Level
from gridgov.assessment.models import (
    FIELD_WORK_MEASURES,
    LINE_MEASURES,
    MEASURES,
    STAGES,
    AreaSnapshot,
    LineTally,
    RollupState,
)
from gridgov.cases.models import Card, CaseEvent
from gridgov.cases.models.case import OPEN_STATUSES

PUBLIC_CHANNELS = ("citizen", "hotline", "sms", "api")
FULL_REBUILD_ABOVE = 50_000  # touched cases beyond which rebuilding everything is quicker
DAILY_WINDOW_DAYS = 120
CHUNK = 500
# Measures a staff member earns by their own work, not through the cases they reported.
REPORTER_EXCLUDED = {f"{s}_{part}" for s in STAGES for part in ("done", "on_time")} | {
    "registry_updates",
    "visits",
    *FIELD_WORK_MEASURES,
}


def _tz_name() -> str:
    name = settings.TIME_ZONE
    if not re.fullmatch(r"[A-Za-z0-9_/+\-]+", name):
        raise ValueError(f"Unexpected time zone name {name!r}")
    return name


def local_text(column: str, width: int) -> str:
    """SQL for the local date of a timestamp column as text: 7 characters a month, 10 a day."""
    if connection.vendor == "postgresql":
        pattern = "YYYY-MM" if width == 7 else "YYYY-MM-DD"
        return f"to_char({column} AT TIME ZONE '{_tz_name()}', '{pattern}')"
    offset = timezone.localtime(timezone.now()).utcoffset() or datetime.timedelta()
    minutes = int(offset.total_seconds() // 60)
    return f"substr(datetime({column}, '{minutes:+d} minutes'), 1, {width})"


def _sum(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _event_aggregates(where: str) -> str:
    stage_sums = ",\n".join(
        _sum(f"stage = '{s}' AND on_time IS NOT NULL")
        + f" AS {s}_done, "
        + _sum(f"stage = '{s}' AND on_time")
        + f" AS {s}_on_time"
        for s in STAGES
    )
    return f"""
        SELECT case_id,
            {_sum("action = 'accept'")} AS accepts,
            {_sum("action = 'reject'")} AS rejects,
            {_sum("action = 'file'")} AS files,
            {_sum("action = 'dispatch'")} AS dispatches,
            {_sum("action = 'return'")} AS returns,
            {_sum("action = 'feedback'")} AS feedbacks,
            {_sum("action = 'verify_fail'")} AS reworks,
            {stage_sums}
        FROM cases_caseevent {where}
        GROUP BY case_id"""  # noqa: S608


def _fact_select(case_filter: str, event_filter: str) -> str:
    """The facts of the cases; the last measures (registry updates, visits, summons and
    arrivals, field work) come from other rows than a case's and are zero here."""
    public = "c.channel IN ({})".format(", ".join(f"'{c}'" for c in PUBLIC_CHANNELS))
    valid = "(COALESCE(e.accepts, 0) > 0 OR c.self_handled)"
    stage_columns = ", ".join(
        f"COALESCE(e.{s}_done, 0), COALESCE(e.{s}_on_time, 0)" for s in STAGES
    )
    return f"""
        SELECT c.id, {local_text("c.created_at", 7)}, {local_text("c.created_at", 10)},
            CASE WHEN c.status = 'closed' THEN COALESCE({local_text("c.closed_at", 10)}, '')
                ELSE '' END,
            c.area_code, c.department_id, c.reporter_id,
            COALESCE(cat.code, ''), COALESCE(major.code, cat.code, ''),
            1,
            CASE WHEN {public} THEN 1 ELSE 0 END,
            CASE WHEN COALESCE(e.accepts, 0) + COALESCE(e.rejects, 0) > 0 THEN 1 ELSE 0 END,
            CASE WHEN COALESCE(e.accepts, 0) > 0 THEN 1 ELSE 0 END,
            CASE WHEN {valid} THEN 1 ELSE 0 END,
            CASE WHEN {valid} AND {public} THEN 1 ELSE 0 END,
            CASE WHEN c.self_handled THEN 1 ELSE 0 END,
            CASE WHEN COALESCE(e.files, 0) > 0 THEN 1 ELSE 0 END,
            CASE WHEN COALESCE(e.files, 0) > 0 AND c.status = 'cancelled' THEN 1 ELSE 0 END,
            CASE WHEN COALESCE(e.dispatches, 0) > 0 THEN 1 ELSE 0 END,
            COALESCE(e.returns, 0),
            CASE WHEN COALESCE(e.feedbacks, 0) > 0 THEN 1 ELSE 0 END,
            CASE WHEN COALESCE(e.reworks, 0) > 0 THEN 1 ELSE 0 END,
            CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END,
            c.escalations,
            COALESCE(k.yellow, 0), COALESCE(k.red, 0),
            COALESCE(c.satisfaction, 0), CASE WHEN c.satisfaction IS NULL THEN 0 ELSE 1 END,
            {stage_columns},
            {", ".join(["0"] * (4 + len(FIELD_WORK_MEASURES)))}
        FROM cases_case c
        LEFT JOIN cases_category cat ON cat.id = c.category_id
        LEFT JOIN cases_category major ON major.id = cat.parent_id
        LEFT JOIN ({_event_aggregates(event_filter)}) e ON e.case_id = c.id
        LEFT JOIN (
            SELECT case_id, {_sum("kind = 'yellow'")} AS yellow, {_sum("kind = 'red'")} AS red
            FROM cases_card {event_filter} GROUP BY case_id
        ) k ON k.case_id = c.id
        {case_filter}"""  # noqa: S608


FACT_COLUMNS = (
    "case_id, month, day, closed_day, area_code, department_id, reporter_id, category_code, "
    "major_code, " + ", ".join(MEASURES)
)


@dataclass
class Touched:
    """The months and days whose tallies a change of facts affects."""

    months: set[str] = field(default_factory=set)
    days: set[str] = field(default_factory=set)

    def add(self, rows) -> None:
        for month, day, closed_day in rows:
            self.months.add(month)
            self.days.add(day)
            if closed_day:
                self.days.add(closed_day)


def rebuild_facts(case_ids: Iterable[int] | None = None) -> Touched | None:
    """Recompute the facts of these cases, each chunk in one short transaction; return the
    months and days they touch (before and after). All cases when None (returns None)."""
    with connection.cursor() as cursor:
        if case_ids is None:
            with transaction.atomic():
                cursor.execute("DELETE FROM assessment_casefact")
                select = _fact_select("", "")
                cursor.execute(f"INSERT INTO assessment_casefact ({FACT_COLUMNS}) {select}")
            return None
        touched = Touched()
        ids = sorted(set(case_ids))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            dates = (
                "SELECT month, day, closed_day FROM assessment_casefact "  # noqa: S608
                f"WHERE case_id IN ({marks})"
            )
            with transaction.atomic():
                cursor.execute(dates, chunk)
                touched.add(cursor.fetchall())
                cursor.execute(f"DELETE FROM assessment_casefact WHERE case_id IN ({marks})", chunk)  # noqa: S608
                select = _fact_select(f"WHERE c.id IN ({marks})", f"WHERE case_id IN ({marks})")
                cursor.execute(
                    f"INSERT INTO assessment_casefact ({FACT_COLUMNS}) {select}",
                    chunk * 3,
                )
                cursor.execute(dates, chunk)
                touched.add(cursor.fetchall())
                # Summons count in the month they were made, which may differ from the cohort.
                cursor.execute(
                    f"SELECT DISTINCT {local_text('called_at', 7)} FROM cases_whistlecall "  # noqa: S608
                    f"WHERE case_id IN ({marks})",
                    chunk,
                )
                touched.months.update(m for (m,) in cursor.fetchall())
        return touched


def area_levels() -> list[tuple[str, int]]:
    """(level, code length) of the levels in use, from the top down."""
    found = set(
        Area.objects.annotate(width=Length("code")).values_list("level", "width").distinct()
    )
    order = Level.order()
    return sorted(found, key=lambda lw: (order.index(lw[0]), lw[1]))


def _in(values: list[str]) -> tuple[str, list]:
    return ", ".join(["%s"] * len(values)), list(values)


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


TALLY_COLUMNS = ("month", "unit_kind", "unit_key", "level", "area_code", *MEASURES)


def rebuild_tallies(months: Iterable[str]) -> None:
    """Rebuild the area, department and staff tallies and the category counts of these months.
    The sums are read first (readers and writers carry on meanwhile); only swapping the rows is
    a transaction, a short one."""
    months = sorted(set(months))
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    for start in range(0, len(months), 12):
        part = months[start : start + 12]
        marks, params = _in(part)
        tallies: list[tuple] = []
        categories: list[tuple] = []
        for level, width in area_levels():
            key = f"substr(area_code, 1, {width})"
            tallies += _rows(
                f"SELECT month, 'area', {key}, '{level}', {key}, {sums} "  # noqa: S608
                f"FROM assessment_casefact WHERE month IN ({marks}) "
                f"AND length(area_code) >= {width} GROUP BY month, {key}",
                params,
            )
            if level != Level.GRID:
                categories += _rows(
                    f"SELECT month, {key}, major_code, COUNT(*) "  # noqa: S608
                    f"FROM assessment_casefact WHERE month IN ({marks}) "
                    f"AND length(area_code) >= {width} GROUP BY month, {key}, major_code",
                    params,
                )
        tallies += _rows(
            "SELECT f.month, 'department', CAST(f.department_id AS VARCHAR(20)), d.level, "  # noqa: S608
            f"d.area_code, {', '.join(f'SUM(f.{m})' for m in MEASURES)} "
            "FROM assessment_casefact f JOIN accounts_department d ON d.id = f.department_id "
            f"WHERE f.month IN ({marks}) GROUP BY f.month, f.department_id, d.level, "
            "d.area_code",
            params,
        )
        tallies = _with_whistle_measures(tallies, part)
        tallies += _staff_rows(part)
        names = ", ".join(TALLY_COLUMNS)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM assessment_tally WHERE month IN ({marks})", params)  # noqa: S608
            cursor.execute(f"DELETE FROM assessment_categorytally WHERE month IN ({marks})", params)  # noqa: S608
            cursor.executemany(
                f"INSERT INTO assessment_tally ({names}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(TALLY_COLUMNS))})",
                tallies,
            )
            cursor.executemany(
                "INSERT INTO assessment_categorytally (month, area_code, major_code, reports) "
                "VALUES (%s, %s, %s, %s)",
                categories,
            )


def _with_whistle_measures(tallies: list[tuple], months: list[str]) -> list[tuple]:
    """Add each department's summons (吹哨) and on-time arrivals (报到) by the local month of the
    summons; a department summoned in a month without cases of its own gets a row of its own."""
    first, last = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    month_of_call = local_text("w.called_at", 7)
    found = _rows(
        f"SELECT {month_of_call}, CAST(w.department_id AS VARCHAR(20)), d.level, d.area_code, "  # noqa: S608
        f"COUNT(*), {_sum('w.reported_at IS NOT NULL AND w.reported_at <= w.due_at')} "
        "FROM cases_whistlecall w JOIN accounts_department d ON d.id = w.department_id "
        "WHERE w.called_at >= %s AND w.called_at < %s "
        f"GROUP BY {month_of_call}, w.department_id, d.level, d.area_code",
        [first, last],
    )
    wanted = set(months)
    calls = MEASURES.index("whistle_calls")
    on_time = MEASURES.index("whistle_on_time")
    offset = len(TALLY_COLUMNS) - len(MEASURES)
    rows = {(t[0], t[1], t[2]): list(t) for t in tallies}
    for month, department, level, area_code, count, in_time in found:
        if month not in wanted:
            continue
        key = (month, "department", department)
        row = rows.setdefault(
            key, [month, "department", department, level, area_code] + [0] * len(MEASURES)
        )
        row[offset + calls] += count
        row[offset + on_time] += in_time or 0
    return [tuple(r) for r in rows.values()]


def _field_work(cursor, rows, wanted: set[str], first, last) -> None:
    """Field tasks and due visits by the month they fell due (counted once due, or once done),
    and reviewed diary entries by their day (gridgov.patrol): results, never activity."""
    month_of_due = local_text("due", 7)
    now = timezone.now()
    cursor.execute(
        f"SELECT {month_of_due}, assignee_id, "  # noqa: S608
        "CASE WHEN kind = 'visit' THEN 1 ELSE 0 END, COUNT(*), "
        f"{_sum('completed_at IS NOT NULL AND completed_at <= due')} "
        "FROM patrol_task WHERE status <> 'cancelled' AND due >= %s AND due < %s "
        "AND (due < %s OR status = 'done') GROUP BY 1, 2, 3",
        [first, last, now],
    )
    for month, user, visit, due, on_time in cursor.fetchall():
        if month in wanted:
            prefix = "visits" if visit else "tasks"
            rows[(month, user)][f"{prefix}_due"] += due
            rows[(month, user)][f"{prefix}_on_time"] += on_time or 0
    month_of_day = (
        "to_char(day, 'YYYY-MM')" if connection.vendor == "postgresql" else ("substr(day, 1, 7)")
    )
    cursor.execute(
        f"SELECT {month_of_day}, author_id, COUNT(*), SUM(rating) "  # noqa: S608
        "FROM patrol_diaryentry WHERE rating IS NOT NULL AND day >= %s AND day < %s "
        "GROUP BY 1, 2",
        [timezone.localdate(first), timezone.localdate(last)],
    )
    for month, user, reviewed, rating_sum in cursor.fetchall():
        if month in wanted:
            rows[(month, user)]["diary_reviewed"] += reviewed
            rows[(month, user)]["diary_rating_sum"] += rating_sum or 0


def _staff_rows(months: list[str]) -> list[tuple]:
    """Staff tallies join four sources: cases they reported, stages they completed, registry
    records they changed and visits they recorded."""
    from gridgov.accounts.models import User

    rows: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    marks, params = _in(months)
    with connection.cursor() as cursor:
        # Every case measure of the cases they reported (as the drill-down lists them); the
        # stage measures are the person's own work, counted from the timeline below.
        reported = [m for m in MEASURES if m not in REPORTER_EXCLUDED]
        cursor.execute(
            f"SELECT month, reporter_id, {', '.join(f'SUM({m})' for m in reported)} "  # noqa: S608
            "FROM assessment_casefact "
            f"WHERE reporter_id IS NOT NULL AND month IN ({marks}) GROUP BY month, reporter_id",
            params,
        )
        for month, user, *sums in cursor.fetchall():
            rows[(month, user)].update(zip(reported, sums, strict=True))
        first, last = month_bounds(months[0])[0], month_bounds(months[-1])[1]
        month_of_event = local_text("time", 7)
        cursor.execute(
            f"SELECT {month_of_event}, actor_id, stage, COUNT(*), {_sum('on_time')} "  # noqa: S608
            "FROM cases_caseevent WHERE actor_id IS NOT NULL AND on_time IS NOT NULL "
            "AND stage <> '' AND time >= %s AND time < %s "
            f"GROUP BY {month_of_event}, actor_id, stage",
            [first, last],
        )
        wanted = set(months)
        for month, user, stage, done, on_time in cursor.fetchall():
            if month in wanted:
                row = rows[(month, user)]
                row[f"{stage}_done"] += done
                row[f"{stage}_on_time"] += on_time
        cursor.execute(
            f"SELECT {month_of_event}, actor_id, COUNT(*) FROM audit_changelog "  # noqa: S608
            "WHERE actor_id IS NOT NULL AND object_type LIKE 'registry.%%' "
            f"AND time >= %s AND time < %s GROUP BY {month_of_event}, actor_id",
            [first, last],
        )
        for month, user, count in cursor.fetchall():
            if month in wanted:
                rows[(month, user)]["registry_updates"] += count
        cursor.execute(
            f"SELECT {month_of_event}, visitor_id, COUNT(*) FROM registry_visit "  # noqa: S608
            f"WHERE visitor_id IS NOT NULL AND time >= %s AND time < %s "
            f"GROUP BY {month_of_event}, visitor_id",
            [first, last],
        )
        for month, user, count in cursor.fetchall():
            if month in wanted:
                rows[(month, user)]["visits"] += count
        _field_work(cursor, rows, wanted, first, last)
    users = {u: (role, "") for u, role in User.objects.values_list("id", "role")}
    for user_id, code in (
        User.scope_areas.through.objects.order_by("area__code")
        .values_list("user_id", "area__code")
        .reverse()
    ):
        if user_id in users:
            users[user_id] = (users[user_id][0], code)
    return [
        (
            month,
            "staff",
            str(user),
            users[user][0],
            users[user][1],
            *(values.get(m, 0) for m in MEASURES),
        )
        for (month, user), values in rows.items()
        if user in users
    ]


def month_bounds(month: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of a local month and of the next one."""
    year, mon = int(month[:4]), int(month[5:7])
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, mon, 1, tzinfo=tz)
    end = datetime.datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=tz)
    return start, end


def rebuild_daily(days: Iterable[str] | None = None, today: datetime.date | None = None) -> None:
    """Daily reports and closings for areas above grids: the last DAILY_WINDOW_DAYS days, or
    only the given days (those a change touched) when there are some."""
    today = today or timezone.localdate()
    since = (today - datetime.timedelta(days=DAILY_WINDOW_DAYS)).isoformat()
    wanted = None if days is None else sorted(d for d in days if d and d >= since)
    if wanted is not None and not wanted:
        return
    if wanted is None:
        condition, params = "{col} >= %s", [since]
    else:
        condition, params = "{col} IN (" + ", ".join(["%s"] * len(wanted)) + ")", wanted
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for level, width in area_levels():
        if level == Level.GRID:
            continue
        key = f"substr(area_code, 1, {width})"
        for slot, column in ((0, "day"), (1, "closed_day")):
            for day, code, n in _rows(
                f"SELECT {column}, {key}, COUNT(*) FROM assessment_casefact "  # noqa: S608
                f"WHERE {condition.format(col=column)} AND length(area_code) >= {width} "
                f"GROUP BY {column}, {key}",
                params,
            ):
                counts[(code, day)][slot] += n
    with transaction.atomic(), connection.cursor() as cursor:
        if wanted is None:
            cursor.execute("DELETE FROM assessment_dailytally")
        else:
            cursor.execute(
                f"DELETE FROM assessment_dailytally WHERE {condition.format(col='day')}",  # noqa: S608
                params,
            )
        cursor.executemany(
            "INSERT INTO assessment_dailytally (area_code, day, reports, closed) "
            "VALUES (%s, %s, %s, %s)",
            [(code, day, r, c) for (code, day), (r, c) in counts.items()],
        )


def rebuild_line_tallies(now: datetime.datetime | None = None) -> int:
    """The business lines' figures of every area and month (gridgov.lines.figures, summed up
    the area tree). Read whole each run — the deadlines passing change them, not only edits —
    then only the rows that differ are written, in one short transaction. Returns how many."""
    from gridgov.lines.figures import monthly_figures

    wanted: dict[tuple[str, str], dict[str, int]] = {}
    levels = area_levels()
    for (month, code), counts in monthly_figures(now).items():
        for level, width in levels:
            if len(code) < width:
                continue
            row = wanted.setdefault(
                (month, code[:width]), {"level": level, **dict.fromkeys(LINE_MEASURES, 0)}
            )
            for measure in LINE_MEASURES:
                row[measure] += counts.get(measure, 0)
    existing = {(t.month, t.area_code): t for t in LineTally.objects.all()}
    stale = [t.pk for key, t in existing.items() if key not in wanted]
    new, changed = [], []
    for (month, code), row in wanted.items():
        tally = existing.get((month, code))
        if tally is None:
            new.append(LineTally(month=month, area_code=code, **row))
        elif any(getattr(tally, f) != v for f, v in row.items()):
            for f, v in row.items():
                setattr(tally, f, v)
            changed.append(tally)
    with transaction.atomic():
        LineTally.objects.filter(pk__in=stale).delete()
        LineTally.objects.bulk_update(changed, ["level", *LINE_MEASURES], batch_size=500)
        LineTally.objects.bulk_create(new, batch_size=1000)
    return len(stale) + len(changed) + len(new)


def rebuild_snapshots(now: datetime.datetime | None = None, registry: bool = True) -> None:
    """Open, overdue and red-carded cases per area now; with `registry`, its figures too."""
    now = now or timezone.now()
    levels = area_levels()
    marks, statuses = _in([str(s) for s in OPEN_STATUSES])
    figures: dict[str, dict] = {}
    red_sum = _sum("stage_card = 'red'")
    for _level, width in levels:
        key = f"substr(area_code, 1, {width})"
        for code, open_, overdue, red in _rows(
            f"SELECT {key}, COUNT(*), {_sum('stage_deadline < %s')}, "  # noqa: S608
            f"{red_sum} FROM cases_case "
            f"WHERE status IN ({marks}) AND length(area_code) >= {width} GROUP BY {key}",
            [now, *statuses],
        ):
            figures[code] = {"open": open_, "overdue": overdue, "red_open": red}
    existing = {s.area_code: s for s in AreaSnapshot.objects.all()}
    registry_figures = _registry_figures(levels) if registry else None
    level_of = dict(Area.objects.values_list("code", "level"))
    for code in set(figures) | set(existing) | set(registry_figures or {}):
        snap = existing.get(code) or AreaSnapshot(area_code=code, level=level_of.get(code, ""))
        f = figures.get(code, {"open": 0, "overdue": 0, "red_open": 0})
        snap.open, snap.overdue, snap.red_open = f["open"], f["overdue"], f["red_open"]
        if registry_figures is not None:
            snap.registry = registry_figures.get(code, {})
            snap.people = snap.registry.get("people", 0)
        existing[code] = snap
    with transaction.atomic():
        AreaSnapshot.objects.all().delete()
        AreaSnapshot.objects.bulk_create(existing.values(), batch_size=2000)


def _registry_figures(levels: list[tuple[str, int]]) -> dict[str, dict]:
    """People by registration and sex, elderly, houses by state, organizations by kind."""
    elderly_before = timezone.localdate().replace(year=timezone.localdate().year - 60)
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    with connection.cursor() as cursor:
        for _level, width in levels:
            key = f"substr(area_code, 1, {width})"
            cursor.execute(
                f"SELECT {key}, registration, sex, {_sum('birth_date <= %s')}, COUNT(*) "  # noqa: S608
                "FROM registry_person WHERE merged_into_id IS NULL "
                f"AND length(area_code) >= {width} "
                f"GROUP BY {key}, registration, sex",
                [elderly_before],
            )
            for code, registration, sex, elderly, n in cursor.fetchall():
                f = out[code]
                f["people"] += n
                f[f"reg_{registration}"] += n
                f[f"sex_{sex or 'unknown'}"] += n
                f["elderly"] += elderly
            cursor.execute(
                f"SELECT {key}, state, COUNT(*) FROM registry_house "  # noqa: S608
                f"WHERE length(area_code) >= {width} GROUP BY {key}, state"
            )
            for code, state, n in cursor.fetchall():
                out[code]["houses"] += n
                out[code][f"house_{state}"] += n
            cursor.execute(
                f"SELECT {key}, kind, COUNT(*) FROM registry_organization "  # noqa: S608
                f"WHERE length(area_code) >= {width} GROUP BY {key}, kind"
            )
            for code, kind, n in cursor.fetchall():
                out[code]["organizations"] += n
                out[code][f"org_{kind}"] += n
    return {code: dict(f) for code, f in out.items()}


def roll_up(*, full: bool = False, progress=None) -> dict:
    """Bring facts, tallies and snapshots up to date with the timeline. Returns what it did."""
    started = time.perf_counter()
    state, _created = RollupState.objects.get_or_create(name="cases")
    last_event = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    last_card = Card.objects.order_by("-id").values_list("id", flat=True).first() or 0
    touched: set[int] | None
    if full or state.rolled_at is None:
        touched = None
    else:
        touched = set(
            CaseEvent.objects.filter(id__gt=state.last_event_id, id__lte=last_event).values_list(
                "case_id", flat=True
            )
        )
        touched |= set(
            Card.objects.filter(id__gt=state.last_card_id, id__lte=last_card).values_list(
                "case_id", flat=True
            )
        )
        if len(touched) > FULL_REBUILD_ABOVE:
            touched = None
    steps = ["facts", "tallies", "daily", "snapshots", "lines"]
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(steps))

    registry_due = (
        state.registry_rolled_at is None
        or touched is None
        or timezone.now() - state.registry_rolled_at > datetime.timedelta(minutes=10)
    )
    # Each step is its own short transaction (a reader may see new facts a moment before their
    # tallies); the state moves on last, so a run cut short is simply done again.
    changed = rebuild_facts(touched)
    step()
    months = _all_months() if changed is None else changed.months
    rebuild_tallies(months)
    step()
    rebuild_daily(None if changed is None else changed.days)
    step()
    rebuild_snapshots(registry=registry_due)
    step()
    line_rows = rebuild_line_tallies()
    step()
    state.last_event_id, state.last_card_id = last_event, last_card
    state.rolled_at = timezone.now()
    if registry_due:
        state.registry_rolled_at = state.rolled_at
    state.seconds = time.perf_counter() - started
    state.save()
    return {
        "cases": "all" if touched is None else len(touched),
        "months": len(months),
        "line_rows": line_rows,
        "seconds": round(state.seconds, 2),
    }


def _all_months() -> set[str]:
    """Every month with case facts or summons (a summons counts in its own month)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT month FROM assessment_casefact")
        months = {m for (m,) in cursor.fetchall()}
        cursor.execute(f"SELECT DISTINCT {local_text('called_at', 7)} FROM cases_whistlecall")  # noqa: S608
        return months | {m for (m,) in cursor.fetchall()}


def rolled_at() -> datetime.datetime | None:
    return RollupState.objects.filter(name="cases").values_list("rolled_at", flat=True).first()
