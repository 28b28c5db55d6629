"""The demo district's basic data: buildings with their houses, about 50,000 people in households
(registered, floating, a few from overseas), organizations, places and components, key service
populations. Bulk-written like an import, deterministic for the seed; the visits to key
populations (走访) are recorded through the registry service, each at its moment in the past.
The printed community and grid (`gridgov.demo.showcase`) get the first buildings and residents."""

import datetime
import json

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area, GridKind
from gridgov.demo.clock import Replay, printer
from gridgov.demo.names import mobile_number, person_name
from gridgov.demo.showcase import showcase
from gridgov.demo.size import portion
from gridgov.registry.identity import check_digit, org_code_check, uscc_check
from gridgov.registry.models import (
    Building,
    House,
    Household,
    HouseholdMember,
    KeyPopulationTag,
    Organization,
    Person,
    Place,
    Residence,
)
from gridgov.registry.services import record_visit

PEOPLE = {"district": 50_000, "city": 0}
# A key place's type is its special grid's kind, shortened to fit the category code (12).
KEY_PLACE_TYPES = {GridKind.INDUSTRIAL_PARK: "park", GridKind.OTHER_SPECIAL: "special"}
REGIONS = [
    "410105",
    "410102",
    "410103",
    "410104",
    "410108",
    "410122",
    "410181",
    "410182",
    "410183",
    "410184",
    "411302",
    "410702",
    "412702",
    "340102",
    "370102",
]
NATIONS = [("美国", "US"), ("韩国", "KR"), ("日本", "JP"), ("俄罗斯", "RU"), ("巴基斯坦", "PK")]
SHOPS = [
    "便利店",
    "超市",
    "餐馆",
    "理发店",
    "药店",
    "五金店",
    "水果店",
    "早餐店",
    "快递站",
    "干洗店",
    "面馆",
    "茶叶店",
]
COMPONENTS = [
    ("C0101", "上水井盖"),
    ("C0102", "污水井盖"),
    ("C0103", "雨水井盖"),
    ("C0109", "消防栓"),
    ("C0110", "路灯"),
    ("C0304", "垃圾箱"),
    ("C0202", "公交站亭"),
]
KEY = [
    "elderly_alone",
    "elderly_alone",
    "disabled",
    "low_income",
    "left_behind_child",
    "correction",
    "released",
    "mental",
    "drug",
    "petitioner",
]


def load(*, stdout, scale: str, seed: int, **options) -> None:
    target = portion(PEOPLE.get(scale, 0), options.get("size", "full"))
    if not target:
        return
    rng = np.random.default_rng(seed + 7)
    grids = list(Area.objects.active().grids().order_by("code"))
    shapes = shapely.from_geojson([json.dumps(g.geometry) for g in grids])
    shapely.prepare(shapes)
    community, grid = showcase()
    codes = [g.code for g in grids]
    # The printed grid first, then two more grids of the printed community.
    neighbours = [i for i, code in enumerate(codes) if code.startswith(community) and code != grid]
    first = [codes.index(grid), *neighbours[:2]]
    with transaction.atomic():
        houses = _buildings(grids, shapes, rng, target, first=first)
        people = _people(houses, rng, target)
        _organizations(grids, shapes, houses, rng)
        _places(grids, shapes, rng)
        tags = _key_populations(people, rng, shown=grid)
        visits = _visits(tags, rng)
    stdout.write(f"  {len(houses):,} houses, {len(people):,} people, {visits:,} visits")


def _point_in(shape, rng) -> tuple[float, float]:
    x0, y0, x1, y1 = shape.bounds
    for _ in range(50):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shapely.contains_xy(shape, x, y):
            return float(x), float(y)
    p = shape.representative_point()
    return p.x, p.y


def _buildings(grids, shapes, rng, people: int, *, first: list[int]) -> list[House]:
    households = int(people / 2.7)
    buildings, counter = [], 0
    planned = 0
    with tqdm(total=households, desc="houses", unit="house") as bar:
        while planned < households:
            i = first[counter] if counter < len(first) else int(rng.integers(len(grids)))
            grid, shape = grids[i], shapes[i]
            counter += 1
            tall = rng.random() < 0.35
            units, floors, rooms = (
                int(rng.integers(1, 4)),
                int(rng.integers(11, 27)) if tall else int(rng.integers(5, 8)),
                2 if not tall else 4,
            )
            x, y = _point_in(shape, rng)
            community = grid.name.split("第")[0].removesuffix("社区")
            buildings.append(
                Building(
                    code=f"{grid.code}-{counter:03d}",
                    name=f"{community}小区{counter}号楼",
                    address=f"金水区{community}社区{community}小区{counter}号楼",
                    use="residential",
                    units=units,
                    floors=floors,
                    rooms_per_floor=rooms,
                    built_year=int(rng.integers(1985, 2022)),
                    manager=f"{community}物业服务有限公司",
                    lon=x,
                    lat=y,
                    area_code=grid.code,
                )
            )
            planned += units * floors * rooms
            bar.update(units * floors * rooms)
    Building.objects.bulk_create(buildings, batch_size=2000)
    rows = []
    for b in buildings:
        for unit in range(1, b.units + 1):
            for floor in range(1, b.floors + 1):
                for n in range(1, b.rooms_per_floor + 1):
                    room = f"{floor}{n:02d}"
                    shop = floor == 1 and n == 1 and rng.random() < 0.25
                    state = (
                        "business"
                        if shop
                        else str(rng.choice(["owner", "rented", "vacant"], p=[0.62, 0.28, 0.10]))
                    )
                    rows.append(
                        House(
                            building=b,
                            code=House.make_code(b.code, unit, floor, room),
                            unit=unit,
                            floor=floor,
                            room=room,
                            use="shop" if shop else "residence",
                            state=state,
                            floor_area=float(rng.integers(45, 160)),
                            area_code=b.area_code,
                        )
                    )
    House.objects.bulk_create(rows, batch_size=5000)
    return rows


def _id_number(rng, birth: datetime.date, male: bool, used: set) -> str:
    while True:
        seq = int(rng.integers(0, 500)) * 2 + (1 if male else 0)
        first17 = f"{REGIONS[int(rng.integers(len(REGIONS)))]}{birth:%Y%m%d}{seq:03d}"
        number = first17 + check_digit(first17)
        if number not in used:
            used.add(number)
            return number


def _birth(rng, age: int) -> datetime.date:
    today = datetime.date(2026, 11, 1)
    return today - datetime.timedelta(days=int(age * 365.25 + rng.integers(0, 365)))


def _people(houses: list[House], rng, target: int) -> list[Person]:
    homes = [h for h in houses if h.state in ("owner", "rented")]
    used: set[str] = set()
    people, members = [], []
    households = []
    with tqdm(total=target, desc="people", unit="person") as bar:
        for house in homes:
            if len(people) >= target:
                break
            floating = house.state == "rented" and rng.random() < 0.7
            size = int(rng.choice([1, 2, 3, 4, 5], p=[0.12, 0.28, 0.33, 0.2, 0.07]))
            head_age = int(rng.integers(24, 85))
            family = [("本人", head_age, bool(rng.random() < 0.55))]
            if size >= 2:
                family.append(
                    ("配偶", max(20, head_age + int(rng.integers(-5, 4))), not family[0][2])
                )
            for _ in range(size - len(family)):
                if head_age > 60 and rng.random() < 0.5:
                    family.append(
                        ("子女", head_age - int(rng.integers(22, 35)), bool(rng.random() < 0.5))
                    )
                elif head_age < 50:
                    family.append(
                        (
                            "子女",
                            int(rng.integers(0, max(1, head_age - 20))),
                            bool(rng.random() < 0.5),
                        )
                    )
                else:
                    family.append(("孙子女", int(rng.integers(0, 15)), bool(rng.random() < 0.5)))
            household = Household(number=f"H{house.code}", house=house, area_code=house.area_code)
            households.append((household, []))
            overseas = rng.random() < 0.012
            for relation, age, male in family:
                birth = _birth(rng, max(0, age))
                if overseas:
                    nation, code = NATIONS[int(rng.integers(len(NATIONS)))]
                    person = Person(
                        name=person_name(rng),
                        other_id_type="passport",
                        other_id=f"{code}{int(rng.integers(10**7, 10**8))}",
                        sex="M" if male else "F",
                        birth_date=birth,
                        registration="overseas",
                        nationality=nation,
                        visa_expiry=datetime.date(2027, int(rng.integers(1, 13)), 1),
                    )
                else:
                    registration = (
                        "floating"
                        if floating
                        else ("unregistered" if rng.random() < 0.01 else "registered")
                    )
                    number = _id_number(rng, birth, male, used)
                    person = Person(
                        name=person_name(rng),
                        id_number=number,
                        sex="M" if male else "F",
                        birth_date=birth,
                        origin_code=number[:6],
                        registration=registration,
                        ethnicity="汉族" if rng.random() < 0.97 else "回族",
                    )
                person.phone = mobile_number(rng) if age >= 16 else ""
                person.current_house = house
                person.area_code = house.area_code
                person.occupation = (
                    ""
                    if age < 18 or age > 65
                    else str(
                        rng.choice(
                            ["职员", "个体经营", "教师", "工人", "医生", "公务员", "自由职业"]
                        )
                    )
                )
                people.append(person)
                households[-1][1].append((person, relation))
            bar.update(len(family))
    Person.objects.bulk_create(people, batch_size=5000)
    Household.objects.bulk_create([h for h, _m in households], batch_size=5000)
    today = datetime.date(2026, 11, 1)
    residences = []
    for household, group in households:
        household.head = group[0][0]
        for person, relation in group:
            members.append(
                HouseholdMember(
                    household=household,
                    person=person,
                    relation=relation,
                    since=today.replace(year=2015),
                )
            )
            residences.append(
                Residence(
                    person=person,
                    house=household.house,
                    relation="owner"
                    if relation == "本人" and household.house.state == "owner"
                    else ("tenant" if household.house.state == "rented" else "resident"),
                    since=datetime.date(int(rng.integers(2005, 2026)), int(rng.integers(1, 13)), 1),
                    area_code=household.area_code,
                )
            )
    Household.objects.bulk_update([h for h, _m in households], ["head"], batch_size=5000)
    HouseholdMember.objects.bulk_create(members, batch_size=5000)
    Residence.objects.bulk_create(residences, batch_size=5000)
    return people


def _credit_code(rng, kind: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org8 = "".join(alphabet[int(i)] for i in rng.integers(0, 10, 8))
    org = org8 + org_code_check(org8)
    if org[-1] == "X":
        org = org[:-1] + "0"
        org = org8[:7] + "1" + org_code_check(org8[:7] + "1")
    first17 = ("92" if kind == "shop" else "91") + "410105" + org
    return first17 + uscc_check(first17)


def _organizations(grids, shapes, houses, rng) -> None:
    shops = [h for h in houses if h.use == "shop"]
    rows, seen = [], set()
    for house in shops:
        name = f"{house.building.name.split('小区')[0]}{SHOPS[int(rng.integers(len(SHOPS)))]}"
        code = _credit_code(rng, "shop")
        if code in seen:
            continue
        seen.add(code)
        rows.append(
            Organization(
                name=name,
                credit_code=code,
                kind="shop",
                industry="零售",
                legal_representative=person_name(rng),
                phone=mobile_number(rng),
                address=house.building.address,
                house=house,
                staff_count=int(rng.integers(1, 8)),
                lon=house.building.lon,
                lat=house.building.lat,
                area_code=house.area_code,
            )
        )
    for i, grid in enumerate(grids):
        if rng.random() < 0.35:
            x, y = _point_in(shapes[i], rng)
            kind = str(
                rng.choice(["enterprise", "social", "party", "public"], p=[0.6, 0.15, 0.15, 0.1])
            )
            name = {
                "enterprise": "商贸有限公司",
                "social": "社会工作服务中心",
                "party": "党支部",
                "public": "社区卫生服务站",
            }[kind]
            code = _credit_code(rng, kind)
            if code in seen:
                continue
            seen.add(code)
            rows.append(
                Organization(
                    name=f"{grid.name.split('第')[0]}{name}",
                    credit_code=code,
                    kind=kind,
                    industry="服务业",
                    legal_representative=person_name(rng),
                    phone=mobile_number(rng),
                    staff_count=int(rng.integers(3, 200)),
                    key_unit=bool(rng.random() < 0.1),
                    security_officer=person_name(rng),
                    fire_officer=person_name(rng),
                    lon=x,
                    lat=y,
                    area_code=grid.code,
                )
            )
    Organization.objects.bulk_create(rows, batch_size=2000)


def _places(grids, shapes, rng) -> None:
    water = Department.objects.filter(line="供水").first()
    city = Department.objects.filter(line="城市管理", level="district").first()
    rows, serial = [], 0
    for i, grid in enumerate(grids):
        for code, name in COMPONENTS:
            for _ in range(int(rng.integers(0, 3))):
                serial += 1
                x, y = _point_in(shapes[i], rng)
                rows.append(
                    Place(
                        name=f"{name}{serial}",
                        kind="facility",
                        category_code=code,
                        component_code=f"410105{code[1:]}{serial:06d}",
                        owner_department=water if code == "C0101" else city,
                        state="normal" if rng.random() < 0.95 else "damaged",
                        lon=x,
                        lat=y,
                        area_code=grid.code,
                    )
                )
        x, y = _point_in(shapes[i], rng)
        rows.append(
            Place(
                name=f"{grid.name}视频监控",
                kind="camera",
                category_code="C0114",
                lon=x,
                lat=y,
                area_code=grid.code,
            )
        )
        if grid.kind != GridKind.REGULAR:
            x, y = _point_in(shapes[i], rng)
            rows.append(
                Place(
                    name=grid.name.replace("专属网格", ""),
                    kind="key_place",
                    category_code=KEY_PLACE_TYPES.get(grid.kind, grid.kind),
                    lon=x,
                    lat=y,
                    area_code=grid.code,
                )
            )
        if rng.random() < 0.1:
            x, y = _point_in(shapes[i], rng)
            rows.append(
                Place(
                    name=f"{grid.name}应急物资储备点",
                    kind="supplies",
                    category_code="supplies",
                    lon=x,
                    lat=y,
                    area_code=grid.code,
                )
            )
    Place.objects.bulk_create(rows, batch_size=5000)


def _key_populations(people: list[Person], rng, *, shown: str) -> list[KeyPopulationTag]:
    """About 3% of the people (a tenth in the printed grid, where the first always is)."""
    staff = dict(User.objects.filter(username__startswith="g").values_list("username", "id"))
    tags = []
    shown_seen = False
    for person in people:
        first_shown = person.area_code == shown and not shown_seen
        shown_seen = shown_seen or first_shown
        if first_shown or rng.random() < (0.1 if person.area_code == shown else 0.03):
            age = 2026 - person.birth_date.year
            category = (
                "elderly_alone"
                if age > 70
                else ("left_behind_child" if age < 14 else KEY[int(rng.integers(2, len(KEY)))])
            )
            tags.append(
                KeyPopulationTag(
                    person=person,
                    category=category,
                    level=str(rng.choice(["low", "medium", "high"], p=[0.6, 0.3, 0.1])),
                    responsible_id=staff.get(f"g{person.area_code}"),
                    visit_every_days=int(rng.choice([7, 14, 30])),
                    since=datetime.date(2025, 1, 1),
                    area_code=person.area_code,
                )
            )
    KeyPopulationTag.objects.bulk_create(tags, batch_size=5000)
    return tags


VISIT_NOTES = [
    "上门走访，身体状况良好，生活正常",
    "电话询问近况，无异常情况",
    "上门走访，协助申请临时救助",
    "帮助联系社区医生上门随访",
    "了解近期思想动态，情绪稳定",
    "走访家属，叮嘱按时服药",
    "了解就业意向，推荐公益性岗位",
]
VISIT_WINDOW_DAYS = 30


def _visits(tags: list[KeyPopulationTag], rng) -> int:
    """Each tag's responsible grid member visited at about the tag's frequency over the last
    weeks (a few fell behind), recorded through `record_visit` at the moment of the visit."""
    now = timezone.now()
    members = {u.pk: u for u in User.objects.filter(pk__in={t.responsible_id for t in tags})}
    replay = Replay()
    for tag in tags:
        visitor = members.get(tag.responsible_id)
        if visitor is None:
            continue
        behind = rng.random() < 0.1  # the last visit is overdue
        back = float(rng.uniform(0, tag.visit_every_days))
        if behind:
            back += tag.visit_every_days
        while back < VISIT_WINDOW_DAYS:
            day = timezone.localtime(now - datetime.timedelta(days=back)).replace(
                hour=int(rng.integers(9, 17)), minute=int(rng.integers(0, 60))
            )
            note = VISIT_NOTES[int(rng.integers(len(VISIT_NOTES)))]

            def step(when, person=tag.person, visitor=visitor, note=note) -> None:
                record_visit(person, actor=visitor, note=note, when=when)

            replay.at(day, step)
            back += tag.visit_every_days * float(rng.uniform(0.8, 1.1))
    replay.run(now, progress=printer("visits"))
    return replay.taken
