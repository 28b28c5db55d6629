"""Import 1,000,000 people (with their residences) from a CSV file, end to end and with full
validation, through the same core as the import page: read, check every field (ID checksum,
birth date, region, house, duplicates in the file), write in batches."""

import csv
import datetime
import io
import os
import time

import numpy as np
from _setup import SMOKE, start, vendor

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "5000" if SMOKE else "1000000"))
folder = start("import-people")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from gridgov.accounts.system import IMPORT, system_user  # noqa: E402
from gridgov.areas.models import Area  # noqa: E402
from gridgov.demo.names import GIVEN, SURNAMES  # noqa: E402
from gridgov.registry import importing  # noqa: E402
from gridgov.registry.identity import check_digit  # noqa: E402
from gridgov.registry.models import Building, Person, Residence  # noqa: E402

t = time.perf_counter()
call_command("load_demo", only_areas=True, no_users=True, stdout=io.StringIO())
grids = list(Area.objects.grids().values_list("code", "label_lon", "label_lat"))
rng = np.random.default_rng(11)

# Buildings and houses for everyone (setup, not measured): 18-storey towers, 2 units, 4 rooms.
houses_needed = PEOPLE // 3 + 1
per_building = 2 * 18 * 4
building_count = houses_needed // per_building + 1
with transaction.atomic():
    Building.objects.bulk_create(
        [
            Building(
                code=f"B{i:06d}",
                name=f"测试楼{i}号",
                address=f"测试地址{i}",
                units=2,
                floors=18,
                rooms_per_floor=4,
                lon=grids[i % len(grids)][1],
                lat=grids[i % len(grids)][2],
                area_code=grids[i % len(grids)][0],
            )
            for i in range(building_count)
        ],
        batch_size=2000,
    )
    ids = dict(Building.objects.values_list("code", "id"))
    rows = []
    for i in range(building_count):
        code = f"B{i:06d}"
        for unit in (1, 2):
            for floor in range(1, 19):
                for n in range(1, 5):
                    room = f"{floor}{n:02d}"
                    rows.append(
                        (
                            ids[code],
                            f"{code}-{unit}-{floor}-{room}",
                            unit,
                            floor,
                            room,
                            "residence",
                            "owner",
                            grids[i % len(grids)][0],
                        )
                    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO registry_house (building_id, code, unit, floor, room, use, state, "
            "area_code, owner_name, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', CURRENT_TIMESTAMP)",
            rows,
        )
house_codes = [r[1] for r in rows]
elapsed = time.perf_counter() - t
print(f"setup: {building_count:,} buildings, {len(house_codes):,} houses in {elapsed:.1f} s")

# The file: valid ID numbers (unique), names, phones, houses, dates.
t = time.perf_counter()
birth_days = rng.integers(0, (datetime.date(2020, 12, 31) - datetime.date(1935, 1, 1)).days, PEOPLE)
base = datetime.date(1935, 1, 1).toordinal()
sur = rng.integers(len(SURNAMES), size=PEOPLE)
given = rng.integers(len(GIVEN), size=(PEOPLE, 2))
phones = rng.integers(10**8, 10**9, size=PEOPLE)
houses = rng.integers(len(house_codes), size=PEOPLE)
out = io.StringIO()
writer = csv.writer(out)
writer.writerow([c.header for c in importing.TEMPLATES["people"]])
headers = [c.field for c in importing.TEMPLATES["people"]]
used: set[str] = set()
regions = ["410105", "410102", "410103", "410104", "410122", "410181", "410182", "110105", "320508"]
for i in range(PEOPLE):
    day = datetime.date.fromordinal(base + int(birth_days[i]))
    while True:
        first17 = f"{regions[i % len(regions)]}{day:%Y%m%d}{int(rng.integers(1000)):03d}"
        number = first17 + check_digit(first17)
        if number not in used:
            used.add(number)
            break
    name = SURNAMES[sur[i]] + GIVEN[given[i, 0]] + (GIVEN[given[i, 1]] if i % 3 else "")
    row = {
        "name": name,
        "id_number": number,
        "ethnicity": "汉族",
        "phone": f"13{phones[i]}",
        "registration": "户籍人口" if i % 5 else "流动人口",
        "house_code": house_codes[houses[i]],
        "relation": "业主" if i % 3 == 0 else "居住",
        "since": "2018-03-01",
    }
    writer.writerow([row.get(h, "") for h in headers])
data = out.getvalue().encode("utf-8")
elapsed = time.perf_counter() - t
print(f"file: {PEOPLE:,} rows, {len(data) / 2**20:.0f} MB, generated in {elapsed:.1f} s")

t = time.perf_counter()
# The data-loading system account, as `gridgov import_registry` would run it.
report = importing.commit("people", data, "people.csv", actor=system_user(IMPORT), mode="good")
seconds = time.perf_counter() - t
rate = PEOPLE / seconds
print(
    f"import: {report.created:,} created, {report.updated:,} updated, "
    f"{report.bad_rows:,} refused in {seconds:.1f} s"
)
for e in report.errors[:5]:
    print(e)
assert (
    report.created == PEOPLE
    and Person.objects.count() == PEOPLE
    and Residence.objects.count() == PEOPLE
)
database = "postgresql" if vendor() == "postgresql" else "sqlite"
print(f"BENCH import_people_{database} {rate:.0f} rows/s")
