"""A red warning issued at the root of a city-scale tree (19,500 grids, ~33,000 staff with
phones): the time from issue to every receipt row and SMS outbox row committed, the
acknowledgement board's p95 (JSON API, a third of the staff having acknowledged), and the p95 of
a polling request of 2,000 staff (the active-warnings list with the ETag of their last poll).

    .venv/bin/python bench/warning_fanout.py            # city scale, SQLite
    DATABASE_URL=postgres://… .venv/bin/python bench/warning_fanout.py
    .venv/bin/python bench/warning_fanout.py --smoke    # 200 grids, a few seconds

`measure(smoke)` returns the figures (bench/fanout.py combines them with the SMS throughput).
"""

import os
import statistics
import sys
import time

from _setup import SMOKE, start, vendor

POLLERS = int(os.environ.get("BENCH_POLLERS", "100" if SMOKE else "2000"))
BOARD_RUNS = int(os.environ.get("BENCH_BOARD_RUNS", "10" if SMOKE else "50"))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


# (level, code width, children per parent): a city of 10 districts × 10 streets × 15
# communities × 13 grids = 19,500 grids; --smoke: one district of 4 × 5 × 10 = 200 grids.
CITY = [("district", 6, 10), ("street", 9, 10), ("community", 12, 15), ("grid", 14, 13)]
SMOKE_CITY = [("district", 6, 1), ("street", 9, 4), ("community", 12, 5), ("grid", 14, 10)]


def build_city(smoke: bool) -> None:
    """A city-shaped area tree and its staff: a grid member on every grid and a second on every
    other one, two at every community, one at every street, each with a (sealed) phone — about
    30,000 staff. Written in bulk (no boundaries: a fan-out needs none); reused when the database
    already holds areas."""
    import datetime

    from django.db import transaction

    from gridgov.accounts.models import User
    from gridgov.accounts.permissions import Role
    from gridgov.areas.models import Area, Level
    from gridgov.warnings.sql import insert_rows

    if Area.objects.exists():
        return
    t0 = time.perf_counter()
    since = datetime.date(2026, 1, 1)
    columns = ["code", "name", "level", "parent_id", "valid_from"]
    with transaction.atomic():
        insert_rows(Area, columns, [("4101", "郑州市", Level.CITY, None, since)])
        parents = ["4101"]
        for level, width, n in SMOKE_CITY if smoke else CITY:
            ids = dict(Area.objects.filter(code__in=parents).values_list("code", "pk"))
            rows = [
                (p + str(i).zfill(width - len(p)), f"{level}{p}{i}", level, ids[p], since)
                for p in parents
                for i in range(1, n + 1)
            ]
            insert_rows(Area, columns, rows)
            parents = [r[0] for r in rows]
        people = []  # (username, role, area pk)
        for pk, code, level in Area.objects.values_list("pk", "code", "level"):
            if level == Level.GRID:
                people.append((f"g{code}", Role.GRID_MEMBER, pk))
                if int(code[-2:]) % 2:
                    people.append((f"h{code}", Role.GRID_MEMBER, pk))
            elif level == Level.COMMUNITY:
                people += [
                    (f"c{code}", Role.COMMUNITY_STAFF, pk),
                    (f"p{code}", Role.GRID_MEMBER, pk),
                ]
            elif level == Level.STREET:
                people.append((f"s{code}", Role.STREET_OPERATOR, pk))
        phone = User._meta.get_field("phone")
        numbers = [f"139{i:08d}" for i in range(len(people))]
        sealed, index = phone.seal_many(numbers), phone.index_many(numbers)
        insert_rows(
            User,
            ["username", "role", "full_name", "password", "phone", "phone_index", "is_active"],
            [
                (name, role, f"员{i}", "!", sealed[i], index[i], True)
                for i, (name, role, _pk) in enumerate(people)
            ],
        )
        ids = dict(User.objects.values_list("username", "pk"))
        insert_rows(
            User.scope_areas.through,
            ["user_id", "area_id"],
            [(ids[name], pk) for name, _role, pk in people],
        )
    grids = Area.objects.filter(level=Level.GRID).count()
    print(f"city: {grids:,} grids, {len(people):,} staff in {time.perf_counter() - t0:.1f} s")


def _issuer():
    from gridgov.accounts.models import User
    from gridgov.accounts.permissions import Role
    from gridgov.areas.models import Area

    root = Area.objects.active().filter(parent__isnull=True).order_by("code").first()
    user, made = User.objects.get_or_create(
        username="bench-issuer",
        defaults={"role": Role.DISTRICT_OPERATOR, "full_name": "预警值班员", "password": "!"},
    )
    if made:
        user.scope_areas.set([root])
    return User.objects.get(pk=user.pk), root


def measure(smoke: bool = SMOKE) -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    from gridgov.accounts.models import User
    from gridgov.accounts.permissions import Role
    from gridgov.accounts.services import issue_token
    from gridgov.notify.models import Outbox
    from gridgov.warnings import services
    from gridgov.warnings.models import Channel, Receipt
    from gridgov.warnings.services import WarningInput

    build_city(smoke)
    issuer, root = _issuer()
    grids = User.objects.filter(role=Role.GRID_MEMBER).count()
    print(f"tree: root {root.code}, {User.objects.count():,} users ({grids:,} grid members)")
    draft = services.create_draft(
        acting_user=issuer,
        area_code=root.code,
        data=WarningInput(
            event="暴雨",
            colour="red",
            headline="暴雨红色预警",
            instruction="立即停止户外作业，转移低洼地带群众",
            target_codes=[root.code],
        ),
    )
    draft = services.approve(draft, acting_user=issuer)
    t0 = time.perf_counter()
    warning = services.issue(draft, acting_user=issuer)
    fanout_s = time.perf_counter() - t0
    receipts = Receipt.objects.filter(warning=warning).count()
    sms = Outbox.objects.filter(source__startswith="warnings.receipt:").count()
    print(f"issue: {receipts:,} receipt rows and {sms:,} SMS outbox rows in {fanout_s:.2f} s")

    app = Receipt.objects.filter(warning=warning, channel=Channel.APP)
    ids = list(app.values_list("pk", flat=True))
    Receipt.objects.filter(pk__in=ids[::3]).update(
        acknowledged_at=warning.sent, read_at=warning.sent
    )
    client = Client()
    client.force_login(issuer)
    board_url = f"/api/v1/warnings/{warning.pk}/board"
    client.get(board_url)  # the first request of a process builds the URLconf and the API
    board_ms = []
    for i in range(BOARD_RUNS):
        services.bump_board(warning)  # every request computes the board afresh
        t0 = time.perf_counter()
        response = client.get(board_url)
        board_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        if i == 0:
            print("board:", response.json()["totals"])

    pollers = list(
        User.objects.filter(role=Role.GRID_MEMBER).order_by("pk").values_list("pk", flat=True)
    )[:POLLERS]
    tokens = [issue_token(User(pk=pk), name="bench") for pk in pollers]
    etags, first_ms, poll_ms = {}, [], []
    for rounds, samples in ((0, first_ms), (1, poll_ms)):
        for token in tokens:
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            if rounds:
                headers["HTTP_IF_NONE_MATCH"] = etags[token]
            t0 = time.perf_counter()
            response = Client().get("/api/v1/warnings/active", **headers)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code in (200, 304), response.status_code
            etags[token] = response["ETag"]
    print(
        f"poll: {len(tokens)} staff, first poll p95 {p95(first_ms):.1f} ms, "
        f"with their ETag p95 {p95(poll_ms):.1f} ms ({connection.vendor})"
    )
    return {
        "warning_fanout_s": round(fanout_s, 3),
        "ack_board_p95_ms": round(p95(board_ms), 1),
        "ack_board_median_ms": round(statistics.median(board_ms), 1),
        "poll_p95_ms": round(p95(poll_ms), 1),
        "receipts": receipts,
        "sms_rows": sms,
    }


if __name__ == "__main__":
    os.environ.setdefault("GRIDGOV_REQUIRE_2FA", "0")
    start("warning-fanout")
    figures = measure(SMOKE)
    print(f"database: {vendor()}")
    for key in ("warning_fanout_s", "ack_board_p95_ms", "poll_p95_ms"):
        print(f"BENCH {key} {figures[key]}")
    sys.stdout.flush()
