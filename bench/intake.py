"""Case intake under load: the platform on SQLite with production settings and 2 gunicorn sync
workers, 64 concurrent connections from wrk, beside a bare Django view that inserts one row into
the same database on the same server. Afterwards every accepted report must be exactly one case.

    .venv/bin/python bench/intake.py                 # gunicorn sync workers, as the figures so far
    .venv/bin/python bench/intake.py --front serve   # through `gridgov serve` (granian), 2 workers
    .venv/bin/python bench/intake.py --smoke         # 5 s runs

The baseline and the intake run in three alternating rounds of a third of the duration each;
the ratio is of their totals, so drift on a shared machine falls on both alike.
"""

import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import shapely
from _setup import ROOT, SMOKE, ensure_wrk, free_port, throwaway

DURATION = int(os.environ.get("BENCH_SECONDS", "5" if SMOKE else "20"))
CONNECTIONS = 64
ROUNDS = 3
ROUND_SECONDS = max(2, DURATION // ROUNDS)
FRONT = sys.argv[sys.argv.index("--front") + 1] if "--front" in sys.argv else "gunicorn"

folder = throwaway("intake")
env = {
    **os.environ,
    "GRIDGOV_VAR_DIR": str(folder),
    "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
    "GRIDGOV_BENCH_BARE": "1",
    "GRIDGOV_DEBUG": "0",
    "GRIDGOV_LOG_LEVEL": "ERROR",
    "DJANGO_SETTINGS_MODULE": "gridgov.settings",
}
os.environ.update(env)
sys.path.insert(0, str(ROOT))
from gridgov.tests.migrated import migrated_database  # noqa: E402

# a copy of the migrated database this code makes (made once, kept in var/migrated)
shutil.copyfile(migrated_database(), folder / "bench.sqlite3")
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402

from gridgov.accounts.models import User  # noqa: E402
from gridgov.accounts.services import issue_token  # noqa: E402
from gridgov.areas.models import Area  # noqa: E402
from gridgov.cases.benchmark import create_table  # noqa: E402
from gridgov.cases.models import Case, CaseEvent  # noqa: E402

call_command("migrate", verbosity=0)
call_command("load_demo", only_areas=True, stdout=io.StringIO())
create_table()
token = issue_token(User.objects.get(username="district_op"), name="bench")

# Points inside the grids, so that every report is a valid one.
rng = np.random.default_rng(3)
grids = [
    shapely.from_geojson(json.dumps(g))
    for g in Area.objects.grids().values_list("geometry", flat=True)[:400]
]
points = [
    (round(g.representative_point().x + 0, 6), round(g.representative_point().y, 6)) for g in grids
]
lua_points = ",".join(f"{{{x},{y}}}" for x, y in points)

LUA = """
local counter = 0
sent = 0
local threads = {}
local next_id = 0
local points = {%(points)s}
setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
init = function(args)
  created = 0
  other = 0
  prefix = "%(run)s-" .. id
end
request = function()
  counter = counter + 1
  sent = sent + 1
  local p = points[(counter %% #points) + 1]
  local body = %(body)s
  return wrk.format("POST", nil, nil, body)
end
response = function(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
done = function(summary, latency, requests)
  local c, o, s = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
    s = s + t:get("sent")
  end
  io.write(string.format("SENT %%d\\n", s))
  local e = summary.errors
  io.write(string.format("CREATED %%d\\nOTHER %%d\\nREQUESTS %%d\\n", c, o, summary.requests))
  io.write(string.format("SECONDS %%f\\n", summary.duration / 1e6))
  io.write(string.format("SOCKET_ERRORS %%d\\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("P50 %%f\\n", latency:percentile(50) / 1000))
  io.write(string.format("P99 %%f\\n", latency:percentile(99) / 1000))
end
"""
# A reporter's phone in every report, so the intake measured includes sealing it (SM4-GCM).
INTAKE_BODY = (
    'string.format(\'{"description":"井盖松动","category":"C0101","channel":"api","lon":%f,"lat":%f,'
    '"reporter_phone":"138%08d","idempotency_key":"%s-%d"}\', p[1], p[2], counter % 100000000, '
    "prefix, counter)"
)
BARE_BODY = (
    'string.format(\'{"description":"井盖松动","lon":%f,"lat":%f,"key":"%s-%d"}\', '
    "p[1], p[2], prefix, counter)"
)

port = free_port()
SERVE = [sys.executable, "-m", "gridgov", "serve", "--port", str(port), "--workers", "2"]
GUNICORN = [
    *(sys.executable, "-m", "gunicorn", "gridgov.wsgi:application"),
    *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync"),
    *("--log-level", "error"),
]
server = subprocess.Popen(
    [*SERVE, "--no-worker"] if FRONT == "serve" else GUNICORN,
    cwd=ROOT,
    env=env,
    stdout=subprocess.DEVNULL,
)
wrk = ensure_wrk()


def run(path: str, body: str, headers: list[str], seconds: int = DURATION) -> dict:
    script = folder / f"load-{abs(hash(path))}.lua"
    run_id = f"r{time.time_ns()}"  # begins every idempotency key of this run
    script.write_text(LUA % {"points": lua_points, "body": body, "run": run_id})
    args = [
        wrk,
        "-t",
        "2",
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        "-H",
        "Content-Type: application/json",
        *[arg for h in headers for arg in ("-H", h)],
        f"http://127.0.0.1:{port}{path}",
    ]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    out = done.stdout
    if "REQUESTS" not in out:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    values = dict(re.findall(r"^([A-Z_0-9]+) ([0-9.]+)$", out, re.M))
    result = {k: float(v) for k, v in values.items()}
    result["rps"] = result["REQUESTS"] / result["SECONDS"]
    result["run_id"] = run_id
    return result


def combined(rounds: list[dict]) -> dict:
    """The rounds of one endpoint as one run: counts and seconds added, the worst p99."""
    total = {k: sum(r[k] for r in rounds) for k in ("SENT", "CREATED", "OTHER", "REQUESTS")}
    total["SECONDS"] = sum(r["SECONDS"] for r in rounds)
    total["rps"] = total["REQUESTS"] / total["SECONDS"]
    total["P50"] = sorted(r["P50"] for r in rounds)[len(rounds) // 2]
    total["P99"] = max(r["P99"] for r in rounds)
    return total


try:
    for _ in range(240):  # serve starts its front and imports Django: allow for a busy machine
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.5)
    # The front listens before its workers have imported Django: on a loaded machine the
    # rounds once ran against workers still starting and counted 0 requests. Wait for answers.
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                break
        except (OSError, http.client.HTTPException):
            time.sleep(0.5)
    # Warm both workers (imports, the locator's index) before measuring.
    run("/api/v1/cases", INTAKE_BODY, [f"Authorization: Bearer {token}"], seconds=2)
    # Baseline and intake take turns, so a slow patch of a shared machine falls on both.
    bare_rounds, intake_rounds = [], []
    for _round in range(ROUNDS):
        bare_rounds.append(run("/bench/bare", BARE_BODY, [], seconds=ROUND_SECONDS))
        intake_rounds.append(
            run("/api/v1/cases", INTAKE_BODY, [f"Authorization: Bearer {token}"], ROUND_SECONDS)
        )
    bare, intake = combined(bare_rounds), combined(intake_rounds)
finally:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

# Each round's cases by the run id its idempotency keys begin with: requests of one round still
# being written while the next runs (or the warm-up's) count where they were sent.
lost = doubled = cases = reports = in_flight = 0
for measured in intake_rounds:
    mine = Case.objects.filter(idempotency_key__startswith=f"{measured['run_id']}-")
    made, accepted = mine.count(), int(measured["CREATED"])
    # Requests still in flight when wrk stopped got no answer: a case may or may not exist.
    unanswered = int(measured["SENT"]) - accepted - int(measured["OTHER"])
    lost += max(0, accepted - made)
    doubled += max(0, made - accepted - unanswered)
    cases, in_flight = cases + made, in_flight + unanswered
    reports += CaseEvent.objects.filter(action="report", case__in=mine).count()
created, other = int(intake["CREATED"]), int(intake["OTHER"])
duplicate_keys = (
    Case.objects.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1).count()
)
lost_or_doubled = lost + doubled + abs(reports - cases) + duplicate_keys + other
ratio = intake["rps"] / bare["rps"] if bare["rps"] else float("nan")
print(f"bare insert: {bare['rps']:,.0f} req/s, p50 {bare['P50']:.1f} ms, p99 {bare['P99']:.1f} ms")
print(
    f"intake:      {intake['rps']:,.0f} req/s, "
    f"p50 {intake['P50']:.1f} ms, p99 {intake['P99']:.1f} ms"
)
print(
    f"accepted reports (201): {created:,}; cases written: {cases:,}; "
    f"unanswered at the end: {in_flight}; other answers: {other}"
)
print(f"front: {FRONT}")
print(f"BENCH intake_rps {intake['rps']:.0f} req/s")
print(f"BENCH bare_insert_rps {bare['rps']:.0f} req/s")
print(f"BENCH intake_vs_bare_ratio {ratio:.3f}")
print(f"BENCH intake_p99_ms {intake['P99']:.1f} ms")
print(f"BENCH intake_lost_or_doubled {lost_or_doubled}")
