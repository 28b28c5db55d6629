"""Imports from Excel (.xlsx) and CSV (UTF-8 or GBK), one core for the web page, the API, the
command line and the benchmark.

`check()` is the dry run: every row is checked and every problem reported with its row number,
column and reason. `commit()` checks again and writes, in one of two modes: `good` imports the
good rows and skips the bad ones; `all` imports nothing unless every row is good. Rows are written
in batches, each batch one transaction, so an interrupted import leaves no half-written row.
"""

import contextlib
import csv
import datetime
import gc
import io
import multiprocessing
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, has_global_scope, user_may
from gridgov.areas.locator import locator
from gridgov.audit.models import ChangeAction, ChangeLog
from gridgov.audit.services import change_entry, record_changes, snapshot
from gridgov.registry import lookups, transfers
from gridgov.registry.identity import parse_citizen_id, parse_credit_code
from gridgov.registry.models import (
    Building,
    BuildingUse,
    House,
    Organization,
    Person,
    RegistrationType,
    Residence,
    ResidenceRelation,
)
from gridgov.registry.services import PERSON_FIELDS

ETHNICITIES = frozenset(
    (Path(__file__).parent / "data" / "ethnicities.txt")
    .read_text(encoding="utf-8")
    .split("\n", 1)[1]
    .split()
)
BATCH = 20000
# Files from this size on are read and prechecked in a child process while this one writes.
CHILD_ABOVE_BYTES = 4 * 2**20
MAX_ERRORS_SHOWN = 1000
_PHONE = re.compile(r"^\d{7,12}$")


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header of the template
    field: str
    required: bool = False
    kind: str = "text"  # text, int, float, date, choice, phone, bool
    choices: dict | None = None  # Chinese label → value
    max_length: int = 100
    example: str = ""


# Template values are Chinese whatever the interface language (the templates are Chinese).
BUILDING_USES = {
    "住宅": "residential",
    "商业": "commercial",
    "商住混合": "mixed",
    "办公": "office",
    "工业": "industrial",
    "公共服务": "public",
    "其他": "other",
}
HOUSE_USES = {
    "住宅": "residence",
    "商铺": "shop",
    "办公": "office",
    "仓储": "warehouse",
    "其他": "other",
}
HOUSE_STATES = {
    "自住": "owner",
    "出租": "rented",
    "空置": "vacant",
    "经营": "business",
    "未知": "unknown",
}
ORGANIZATION_KINDS = {
    "企业": "enterprise",
    "个体工商户": "shop",
    "社会组织": "social",
    "党组织": "party",
    "事业单位": "public",
    "机关": "government",
    "其他": "other",
}


TEMPLATES: dict[str, list[Column]] = {
    "people": [
        Column("姓名", "name", True, example="张三", max_length=50),
        Column("公民身份号码", "id_number", example="11010519491231002X"),
        Column(
            "其他证件类型",
            "other_id_type",
            kind="choice",
            choices={
                "护照": "passport",
                "出生医学证明": "birth",
                "港澳台居民证件": "hmt",
                "外国人居留许可": "residence",
                "其他": "other",
            },
        ),
        Column("其他证件号码", "other_id", max_length=40),
        Column("曾用名", "former_name", max_length=50),
        Column("民族", "ethnicity", example="汉族", max_length=20),
        Column("联系电话", "phone", kind="phone", example="13800000000"),
        Column(
            "人口类型",
            "registration",
            kind="choice",
            choices={
                "户籍人口": "registered",
                "流动人口": "floating",
                "境外人员": "overseas",
                "未落户人员": "unregistered",
            },
            example="户籍人口",
        ),
        Column("国籍", "nationality", max_length=40),
        Column("签证有效期", "visa_expiry", kind="date"),
        Column("房屋编码", "house_code", example="410105001-001-1-1-3-302", max_length=48),
        Column(
            "居住关系",
            "relation",
            kind="choice",
            choices={"业主": "owner", "租户": "tenant", "居住": "resident"},
            example="业主",
        ),
        Column("入住日期", "since", kind="date", example="2020-05-01"),
        Column("文化程度", "education", max_length=20),
        Column("职业", "occupation", max_length=50),
        Column("工作单位", "employer", max_length=100),
        Column("婚姻状况", "marital_status", max_length=10),
        Column("政治面貌", "political_status", max_length=20),
    ],
    "buildings": [
        Column("楼栋编码", "code", True, example="410105001-001-1", max_length=32),
        Column("楼栋名称", "name", True, example="体育社区1号楼"),
        Column(
            "标准地址",
            "address",
            True,
            example="金水区经八路街道体育社区经八路12号院1号楼",
            max_length=200,
        ),
        Column("经度", "lon", True, kind="float", example="113.7"),
        Column("纬度", "lat", True, kind="float", example="34.8"),
        Column("用途", "use", kind="choice", choices=BUILDING_USES, example="住宅"),
        Column("单元数", "units", kind="int", example="2"),
        Column("层数", "floors", kind="int", example="6"),
        Column("每层户数", "rooms_per_floor", kind="int", example="2"),
        Column("建成年份", "built_year", kind="int"),
        Column("物业", "manager"),
    ],
    "houses": [
        Column("楼栋编码", "building_code", True, example="410105001-001-1", max_length=32),
        Column("单元", "unit", True, kind="int", example="1"),
        Column("楼层", "floor", True, kind="int", example="3"),
        Column("房号", "room", True, example="302", max_length=10),
        Column("用途", "use", kind="choice", choices=HOUSE_USES, example="住宅"),
        Column("使用状态", "state", kind="choice", choices=HOUSE_STATES, example="自住"),
        Column("建筑面积", "floor_area", kind="float"),
        Column("产权人", "owner_name", max_length=50),
    ],
    "organizations": [
        Column("单位名称", "name", True, example="某某商贸有限公司", max_length=120),
        Column("统一社会信用代码", "credit_code", example="91110000600037341L", max_length=18),
        Column("单位类型", "kind", kind="choice", choices=ORGANIZATION_KINDS, example="企业"),
        Column("行业", "industry", max_length=50),
        Column("法定代表人", "legal_representative", max_length=50),
        Column("联系电话", "phone", kind="phone"),
        Column("地址", "address", max_length=200),
        Column("房屋编码", "house_code", max_length=48),
        Column("经度", "lon", kind="float"),
        Column("纬度", "lat", kind="float"),
        Column("从业人数", "staff_count", kind="int"),
        Column("治安负责人", "security_officer", max_length=50),
        Column("消防负责人", "fire_officer", max_length=50),
        Column("重点单位", "key_unit", kind="bool"),
    ],
}
ENTITY_LABELS = {
    "people": gettext_lazy("People (with residences)"),
    "buildings": gettext_lazy("Buildings"),
    "houses": gettext_lazy("Houses"),
    "organizations": gettext_lazy("Organizations"),
}


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class Report:
    entity: str
    total: int = 0
    good_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: int = 0
    created: int = 0
    updated: int = 0
    committed: bool = False
    writing: bool = False  # checks made while writing: held-elsewhere rows become requests

    def summary(self) -> dict:
        return {
            "entity": self.entity,
            "total": self.total,
            "good": self.good_count,
            "bad_rows": self.bad_rows,
            "errors": [e.__dict__ for e in self.errors[:MAX_ERRORS_SHOWN]],
            "error_count": len(self.errors),
            "created": self.created,
            "updated": self.updated,
            "committed": self.committed,
        }


# ---------------------------------------------------------------------------------------------
# reading files


def read_rows(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """Headers and (row number, values) from an .xlsx or .csv file, or ValidationError."""
    name = filename.lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(data)
    raise ValidationError(_("Upload an Excel (.xlsx) or CSV file."))


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ValidationError(_("The Excel file cannot be read: %(e)s") % {"e": exc}) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        raise ValidationError(_("The file is empty.")) from None
    return headers, ((n, list(values)) for n, values in enumerate(rows, start=2))


def _read_csv(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The CSV file is neither UTF-8 nor GBK text."))
    reader = csv.reader(io.StringIO(text))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError(_("The file is empty.")) from None
    return headers, ((n, values) for n, values in enumerate(reader, start=2))


# ---------------------------------------------------------------------------------------------
# checking values


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    if re.match(r"^\d{8}$", text):
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise ValueError(_("not a date (use YYYY-MM-DD)"))


def _converter(column: Column) -> Callable:
    """A function turning a raw cell into the column's value: the common cases are made direct."""
    if column.kind == "text":
        limit = column.max_length
        too_long = _("longer than %(n)d characters") % {"n": limit}

        def text(value):
            if type(value) is str:
                value = value.strip()
                if len(value) > limit:
                    raise ValueError(too_long)
                if value:
                    return value
            return _convert(column, value)

        return text
    if column.kind == "choice":
        options, values = column.choices, set(column.choices.values())

        def choice(value):
            found = options.get(value) if type(value) is str else None
            if found is not None:
                return found
            if value in values:
                return value
            return _convert(column, value)

        return choice
    return lambda value: _convert(column, value)


def _convert(column: Column, value):
    """The value for the column, or ValueError with a reason."""
    if column.kind == "text" and type(value) is str:
        text = value.strip()
        if text:
            if len(text) > column.max_length:
                raise ValueError(_("longer than %(n)d characters") % {"n": column.max_length})
            return text
    if value is None or (isinstance(value, str) and not value.strip()):
        if column.required:
            raise ValueError(_("required"))
        return None
    if column.kind == "int":
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(_("not a whole number")) from None
        if not number.is_integer() or number < 0 or number > 1_000_000:
            raise ValueError(_("not a whole number"))
        return int(number)
    if column.kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(_("not a number")) from None
    if column.kind == "date":
        day = _date(value)
        if day.year < 1900 or day > datetime.date.today() + datetime.timedelta(days=3650):
            raise ValueError(_("date out of range"))
        return day
    if column.kind == "bool":
        text = str(value).strip().lower()
        if text in ("是", "true", "1", "yes", "y"):
            return True
        if text in ("否", "false", "0", "no", "n"):
            return False
        raise ValueError(_("use 是 or 否"))
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if column.kind == "choice":
        if text in column.choices:
            return column.choices[text]
        if text in column.choices.values():
            return text
        raise ValueError(
            _("unknown value %(v)s (use one of: %(c)s)")
            % {"v": text, "c": "、".join(column.choices)}
        )
    if column.kind == "phone":
        text = text.replace("-", "").replace(" ", "")
        if not _PHONE.match(text):
            raise ValueError(_("a phone number has 7 to 12 digits"))
        return text
    if len(text) > column.max_length:
        raise ValueError(_("longer than %(n)d characters") % {"n": column.max_length})
    return text


def _guard(entity: str, actor) -> None:
    if entity not in TEMPLATES:
        raise ValidationError(_("Unknown import kind %(e)s.") % {"e": entity})
    if actor is not None and not user_may(actor, Action.CHANGE):
        raise PermissionDenied(_("You may not import records."))


def _prechecked_batches(entity: str, data: bytes, filename: str, report: Report):
    """Rows read, converted and checked as far as needs no database, in batches; problems go
    into the report. Pure Python, so it can run in another process."""
    headers, rows = read_rows(data, filename)
    columns = TEMPLATES[entity]
    index = {h: i for i, h in enumerate(headers)}
    missing = [c.header for c in columns if c.required and c.header not in index]
    if missing:
        raise ValidationError(
            _("These columns are missing: %(c)s. Start from the template.")
            % {"c": "、".join(missing)}
        )
    plan = [(c, index.get(c.header), _converter(c)) for c in columns]
    precheck = _PRECHECKS.get(entity)
    seen: dict[str, int] = {}
    records: list[dict] = []
    required = _("required")
    for number, values in rows:
        if not any(values):
            continue
        report.total += 1
        record = {"_row": number}
        bad = False
        width = len(values)
        for column, i, convert in plan:
            raw = values[i] if i is not None and i < width else None
            if raw is None or raw == "":
                if column.required:
                    report.errors.append(RowError(number, column.header, required))
                    bad = True
                continue
            try:
                record[column.field] = convert(raw)
            except ValueError as exc:
                report.errors.append(RowError(number, column.header, str(exc)))
                bad = True
        if not bad:
            records.append(record)
        if len(records) >= BATCH:
            yield precheck(records, seen) if precheck else records
            records = []
    if records:
        yield precheck(records, seen) if precheck else records


def _checked_batches(
    entity: str, data: bytes, filename: str, actor, report: Report, prechecked=None
) -> Iterator[list[dict]]:
    """The good rows in batches: prechecked (here, or in a child process when given), then
    checked against the database; problems go into the report."""
    _guard(entity, actor)
    checker = _CHECKERS[entity]
    seen: dict[str, int] = {}
    for records in prechecked or _prechecked_batches(entity, data, filename, report):
        yield checker(records, report, actor, seen)


def _prechecked_in_child(entity: str, data: bytes, filename: str, report: Report):
    """`_prechecked_batches` run in a forked process while this one writes: checking is Python
    work and writing is the database's, so on two cores they overlap (threads would share one
    interpreter lock). The child touches no database; it streams batches and problems back."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_precheck_child, args=(entity, data, filename, send), daemon=True
    )
    child.start()
    send.close()
    try:
        while True:
            kind, payload, errors, total = receive.recv()
            report.errors.extend(errors)
            report.total = total
            if kind == "batch":
                yield payload
            elif kind == "error":
                raise payload
            else:
                return
    finally:
        receive.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()


def _precheck_child(entity: str, data: bytes, filename: str, send) -> None:
    report = Report(entity=entity)
    sent = 0
    try:
        gc.disable()
        for records in _prechecked_batches(entity, data, filename, report):
            send.send(("batch", records, report.errors[sent:], report.total))
            sent = len(report.errors)
        send.send(("done", None, report.errors[sent:], report.total))
    except ValidationError as exc:
        send.send(("error", exc, report.errors[sent:], report.total))
    finally:
        send.close()


def check(entity: str, data: bytes, filename: str, *, actor=None) -> Report:
    """The dry run: every row checked, nothing written."""
    report = Report(entity=entity)
    with _quiet_gc():
        good = sum(len(batch) for batch in _checked_batches(entity, data, filename, actor, report))
    report.bad_rows = report.total - good
    report.good_count = good
    report.errors.sort(key=lambda e: e.row)
    return report


@contextlib.contextmanager
def _big_cache():
    """A large import's indexes outgrow SQLite's default page cache; give it room meanwhile, and
    checkpoint the write-ahead log after each batch instead of in the middle of one."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size=-1000000")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(before)}")
            cursor.execute("PRAGMA wal_autocheckpoint=1000")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


@contextlib.contextmanager
def _quiet_gc():
    """Millions of short-lived rows would trigger the cyclic collector over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _scope_ok(actor, code: str) -> bool:
    return actor is None or has_global_scope(actor) or code_in_scope(actor, code)


def _precheck_people(records: list[dict], seen: dict) -> list[dict]:
    """Identity, duplicates in the file and the other field rules; problems are kept on the
    record (`_problems`) so the house check can add its own and every problem is reported."""
    today = datetime.date.today()
    for r in records:
        problems = []
        if r.get("id_number"):
            try:
                cid = parse_citizen_id(r["id_number"], today)
                r["id_number"], r["birth_date"], r["sex"], r["origin_code"] = (
                    cid.number,
                    cid.birth_date,
                    cid.sex,
                    cid.region_code,
                )
            except ValidationError as exc:
                problems.append(("公民身份号码", exc.messages[0]))
        elif not r.get("other_id"):
            problems.append(("公民身份号码", _("give the ID number, or another identifier")))
        elif not r.get("other_id_type"):
            problems.append(("其他证件类型", _("say what kind of identifier it is")))
        key = r.get("id_number") or f"{r.get('other_id_type')}:{r.get('other_id')}"
        if key and key in seen:
            problems.append(
                ("公民身份号码", _("the same person is already in row %(n)d") % {"n": seen[key]})
            )
        if r.get("ethnicity") and r["ethnicity"] not in ETHNICITIES:
            problems.append(("民族", _("not one of the 56 ethnic groups of GB/T 3304")))
        r["registration"] = r.get("registration") or RegistrationType.REGISTERED
        if r["registration"] == RegistrationType.OVERSEAS and not r.get("nationality"):
            problems.append(("国籍", _("required for people from overseas")))
        if r.get("since") and r["since"] > today:
            problems.append(("入住日期", _("date out of range")))
        if not r.get("house_code"):
            problems.append(("房屋编码", _("required: the house the person lives in")))
        if problems:
            r["_problems"] = problems
        else:
            seen[key] = r["_row"]
    return records


def _person_key(r: dict) -> str:
    return r.get("id_number") or f"{r.get('other_id_type')}:{r.get('other_id')}"


def _known_people(records: list[dict], actor) -> tuple[dict[str, tuple[int, str]], set[int]]:
    """The people the rows' identifiers name, and which of them the writer may change."""
    ids = [r["id_number"] for r in records if r.get("id_number")]
    others = [
        (r["other_id_type"], r["other_id"])
        for r in records
        if not r.get("id_number") and r.get("other_id")
    ]
    found = lookups.find_people_by_id_numbers(ids) if ids else {}
    if others:
        found.update(lookups.find_people_by_other_ids(others))
    pks = sorted({pk for pk, _code in found.values()})
    return found, lookups.writable_ids(Person, pks, actor)


def _held_elsewhere(model: type, held: dict[int, dict], report: Report, actor, column: str):
    """Rows whose identifier names a record of another area: reported, never applied. The dry run
    logs each match; the real run sends a transfer request for it (which logs it)."""
    if not held:
        return
    records = model.objects.in_bulk(list(held))
    if not report.writing:
        transfers.log_matches(actor, list(records.values()), source="import")
    houses = House.objects.in_bulk([r["house_id"] for r in held.values() if r.get("house_id")])
    for pk, r in held.items():
        if report.writing:
            request = transfers.request_transfer(
                actor=actor,
                record=records[pk],
                target_code=r["area_code"],
                target_house=houses.get(r.get("house_id")) if model is Person else None,
                source="import",
            )
            reason = _(
                "held by another area: transfer request No. %(n)d was sent to its holder"
            ) % {"n": request.pk}
        else:
            reason = _("held by another area: importing sends a transfer request to its holder")
        report.errors.append(RowError(r["_row"], column, reason))


def _check_people(records: list[dict], report: Report, actor, seen: dict) -> list[dict]:
    good = []
    houses = _houses([r["house_code"] for r in records if r.get("house_code")])
    known, writable = _known_people([r for r in records if not r.get("_problems")], actor)
    held: dict[int, dict] = {}
    for r in records:
        problems = r.pop("_problems", [])
        if r.get("house_code"):
            found = houses.get(r["house_code"])
            if found is None:
                problems.append(("房屋编码", _("unknown house %(c)s") % {"c": r["house_code"]}))
            elif not _scope_ok(actor, found[1]):
                problems.append(("房屋编码", _("the house lies outside your scope")))
            else:
                r["house_id"], r["area_code"] = found
        match = known.get(_person_key(r))
        if match is not None and match[0] not in writable:
            if not problems:
                held[match[0]] = r
                continue
        elif match is not None:
            r["_pk"] = match[0]
        if problems:
            report.errors.extend(RowError(r["_row"], c, reason) for c, reason in problems)
            continue
        good.append(r)
    _held_elsewhere(Person, held, report, actor, "公民身份号码")
    return good


def _houses(codes: list[str]) -> dict[str, tuple[int, str]]:
    found = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(codes)), 900):
            marks = ", ".join(["%s"] * len(chunk))
            query = f"SELECT code, id, area_code FROM registry_house WHERE code IN ({marks})"  # noqa: S608
            cursor.execute(query, chunk)
            found.update({code: (pk, area) for code, pk, area in cursor.fetchall()})
    return found


def _check_buildings(records, report, actor, seen):
    good = []
    codes = (
        dict(
            Building.objects.filter(code__in=[r["code"] for r in records]).values_list("code", "id")
        )
        if records
        else {}
    )
    writable = lookups.writable_ids(Building, sorted(codes.values()), actor)
    located = (
        locator.locate_codes([r["lon"] for r in records], [r["lat"] for r in records])
        if records
        else []
    )
    for r, grid in zip(records, located, strict=True):
        n = r["_row"]
        if r["code"] in seen:
            report.errors.append(
                RowError(
                    n,
                    "楼栋编码",
                    _("the same building is already in row %(n)d") % {"n": seen[r["code"]]},
                )
            )
            continue
        if grid is None:
            report.errors.append(
                RowError(n, "经度", _("the point lies outside every grid of the jurisdiction"))
            )
            continue
        if not _scope_ok(actor, grid):
            report.errors.append(RowError(n, "经度", _("the point lies outside your scope")))
            continue
        if r["code"] in codes and codes[r["code"]] not in writable:
            report.errors.append(
                RowError(n, "楼栋编码", _("the code belongs to a building of another area"))
            )
            continue
        seen[r["code"]] = n
        r["area_code"] = grid
        if r["code"] in codes:
            r["_pk"] = codes[r["code"]]
        good.append(r)
    return good


def _check_houses(records, report, actor, seen):
    good = []
    buildings = {
        code: (pk, area)
        for code, pk, area in Building.objects.filter(
            code__in={r["building_code"] for r in records}
        ).values_list("code", "id", "area_code")
    }
    wanted = [
        House.make_code(r["building_code"], r["unit"], r["floor"], r["room"]) for r in records
    ]
    houses = dict(House.objects.filter(code__in=wanted).values_list("code", "id"))
    writable = lookups.writable_ids(House, sorted(houses.values()), actor)
    for r in records:
        n = r["_row"]
        found = buildings.get(r["building_code"])
        if found is None:
            report.errors.append(
                RowError(n, "楼栋编码", _("unknown building %(c)s") % {"c": r["building_code"]})
            )
            continue
        if not _scope_ok(actor, found[1]):
            report.errors.append(RowError(n, "楼栋编码", _("the building lies outside your scope")))
            continue
        code = House.make_code(r["building_code"], r["unit"], r["floor"], r["room"])
        if code in seen:
            report.errors.append(
                RowError(n, "房号", _("the same room is already in row %(n)d") % {"n": seen[code]})
            )
            continue
        if code in houses and houses[code] not in writable:
            report.errors.append(RowError(n, "房号", _("the house code belongs to another area")))
            continue
        seen[code] = n
        r["building_id"], r["area_code"], r["code"] = found[0], found[1], code
        if code in houses:
            r["_pk"] = houses[code]
        good.append(r)
    return good


def _check_organizations(records, report, actor, seen):
    good = []
    houses = {
        code: (pk, area)
        for code, pk, area in House.objects.filter(
            code__in={r["house_code"] for r in records if r.get("house_code")}
        ).values_list("code", "id", "area_code")
    }
    credits = []
    for r in records:
        if r.get("credit_code"):
            with contextlib.suppress(ValidationError):
                credits.append(parse_credit_code(r["credit_code"]))
    known = lookups.find_organizations_by_credit_codes(credits) if credits else {}
    writable = lookups.writable_ids(Organization, sorted(pk for pk, _c in known.values()), actor)
    held: dict[int, dict] = {}
    for r in records:
        n = r["_row"]
        problems = []
        if r.get("credit_code"):
            try:
                r["credit_code"] = parse_credit_code(r["credit_code"])
            except ValidationError as exc:
                problems.append(("统一社会信用代码", exc.messages[0]))
            else:
                if r["credit_code"] in seen:
                    problems.append(
                        (
                            "统一社会信用代码",
                            _("the same organization is already in row %(n)d")
                            % {"n": seen[r["credit_code"]]},
                        )
                    )
        code = None
        if r.get("lon") is not None and r.get("lat") is not None:
            hit = locator.locate(r["lon"], r["lat"])
            code = hit.code if hit else None
            if code is None:
                problems.append(
                    ("经度", _("the point lies outside every grid of the jurisdiction"))
                )
        elif r.get("house_code"):
            found = houses.get(r["house_code"])
            if found is None:
                problems.append(("房屋编码", _("unknown house %(c)s") % {"c": r["house_code"]}))
            else:
                r["house_id"], code = found
        else:
            problems.append(("经度", _("give the position or the house")))
        if code and not _scope_ok(actor, code):
            problems.append(("经度", _("the place lies outside your scope")))
        if problems:
            report.errors.extend(RowError(n, c, reason) for c, reason in problems)
            continue
        r["area_code"] = code
        match = known.get(r.get("credit_code") or "")
        if match is not None and match[0] not in writable:
            held[match[0]] = r
            continue
        if match is not None:
            r["_pk"] = match[0]
        if r.get("credit_code"):
            seen[r["credit_code"]] = n
        good.append(r)
    _held_elsewhere(Organization, held, report, actor, "统一社会信用代码")
    return good


_PRECHECKS = {"people": _precheck_people}
_CHECKERS = {
    "people": _check_people,
    "buildings": _check_buildings,
    "houses": _check_houses,
    "organizations": _check_organizations,
}


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ---------------------------------------------------------------------------------------------
# writing


def commit(
    entity: str,
    data: bytes,
    filename: str,
    *,
    actor=None,
    mode: str = "good",
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check and write batch by batch. Mode `all` first checks the whole file and writes nothing
    unless every row is good; mode `good` writes the good rows and reports the others."""
    if mode not in ("good", "all"):
        raise ValidationError(_("Unknown import mode %(m)s.") % {"m": mode})
    if entity not in _WRITERS:
        raise ValidationError(_("Unknown import kind %(e)s.") % {"e": entity})
    if mode == "all":
        first = check(entity, data, filename, actor=actor)
        if first.bad_rows:
            return first
    report = Report(entity=entity, writing=True)
    _guard(entity, actor)
    prechecked = (
        _prechecked_in_child(entity, data, filename, report)
        if len(data) >= CHILD_ABOVE_BYTES
        else None
    )
    with _quiet_gc(), _big_cache():
        for batch in _checked_batches(entity, data, filename, actor, report, prechecked):
            if batch:
                _write_batch(entity, batch, filename, actor, report, progress)
    report.bad_rows = report.total - report.good_count
    report.errors.sort(key=lambda e: e.row)
    report.committed = True
    return report


def _write_batch(entity: str, batch: list[dict], filename: str, actor, report: Report, progress):
    """One batch, one transaction, with its line in the change log."""
    with transaction.atomic():
        created, updated = _WRITERS[entity](batch, actor)
        ChangeLog.objects.create(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=str(getattr(actor, "username", "") or "system"),
            action=ChangeAction.IMPORT,
            object_type=f"registry.{entity}",
            object_id="import",
            object_repr=filename[:200],
            area_code=_common_prefix([r["area_code"] for r in batch]),
            after={
                "rows": [batch[0]["_row"], batch[-1]["_row"]],
                "created": created,
                "updated": updated,
            },
            note=_("Imported rows %(a)d–%(b)d of %(f)s")
            % {"a": batch[0]["_row"], "b": batch[-1]["_row"], "f": filename},
        )
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    report.created += created
    report.updated += updated
    report.good_count += len(batch)
    if progress:
        progress(report.good_count, report.total)


def _common_prefix(codes: list[str]) -> str:
    if not codes:
        return ""
    low, high = min(codes), max(codes)
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[:n]


_PERSON_COLUMNS = (
    "name",
    "former_name",
    "id_number",
    "other_id_type",
    "other_id",
    "sex",
    "birth_date",
    "origin_code",
    "ethnicity",
    "phone",
    "registration",
    "nationality",
    "visa_expiry",
    "education",
    "occupation",
    "employer",
    "marital_status",
    "political_status",
    "current_house_id",
    "area_code",
    "created_at",
    "updated_at",
)


def _write_people(batch: list[dict], actor) -> tuple[int, int]:
    """New people with one prepared multi-row insert; known people updated (logged one by one)."""
    # The check found each row's person by identifier (`_pk`) and kept only those in scope.
    now = timezone.now()
    new_rows, updates = [], []
    for r in batch:
        r["current_house_id"] = r.get("house_id")
        (updates if "_pk" in r else new_rows).append(r)
    table = connection.ops.quote_name(Person._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(
            Person._meta.get_field(c.removesuffix("_id") if c == "current_house_id" else c).column
        )
        for c in _PERSON_COLUMNS
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_PERSON_COLUMNS))})"  # noqa: S608 (names from the model)
    adapt = connection.ops.adapt_datefield_value
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [
        (
            r["name"],
            r.get("former_name") or "",
            r.get("id_number") or None,
            r.get("other_id_type") or "",
            r.get("other_id") or "",
            r.get("sex") or "",
            adapt(r.get("birth_date")),
            r.get("origin_code") or "",
            r.get("ethnicity") or "",
            r.get("phone") or "",
            r["registration"],
            r.get("nationality") or "",
            adapt(r.get("visa_expiry")),
            r.get("education") or "",
            r.get("occupation") or "",
            r.get("employer") or "",
            r.get("marital_status") or "",
            r.get("political_status") or "",
            r.get("house_id"),
            r["area_code"],
            stamp,
            stamp,
        )
        for r in new_rows
    ]
    with connection.cursor() as cursor:
        _insert_rows(cursor, sql, table, columns, params)
        if connection.vendor == "sqlite" and new_rows:
            # One writer holds the lock, so the rows just inserted got consecutive ids.
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            for offset, r in enumerate(new_rows):
                r["_pk"] = last - len(new_rows) + 1 + offset
    if connection.vendor != "sqlite":
        created_ids = lookups.find_people_by_id_numbers(
            [r["id_number"] for r in new_rows if r.get("id_number")]
        )
        for r in new_rows:
            if r.get("id_number"):
                r["_pk"] = created_ids[r["id_number"]][0]
    for r in new_rows:
        if "_pk" not in r:
            r["_pk"] = lookups.find_person_by_other_id(r["other_id_type"], r["other_id"]).pk
    if updates:
        _update_people(updates, actor)
    _residences(batch, now, known={r["_pk"] for r in updates})
    return len(new_rows), len(updates)


# What an import may change on a known person: everything but the identifiers that found them.
_UPDATED_BY_IMPORT = tuple(
    f for f in PERSON_FIELDS if f not in ("id_number", "other_id_type", "other_id")
)


def _update_people(rows: list[dict], actor) -> None:
    people = Person.objects.in_bulk([r["_pk"] for r in rows])
    entries = []
    for r in rows:
        person = people[r["_pk"]]
        before = snapshot(person)
        for key in _UPDATED_BY_IMPORT:
            if r.get(key) not in (None, ""):
                setattr(person, key, r[key])
        person.current_house_id, person.area_code = (
            r.get("house_id") or person.current_house_id,
            r["area_code"],
        )
        entries.append(
            change_entry(
                actor=actor,
                action=ChangeAction.IMPORT,
                instance=person,
                before=before,
                after=snapshot(person),
                note=_("Updated by an import"),
            )
        )
    Person.objects.bulk_update(
        list(people.values()),
        [*_UPDATED_BY_IMPORT, "current_house", "area_code"],
        batch_size=1000,
    )
    record_changes(entries)


def _residences(batch: list[dict], now, known: set[int]) -> None:
    """End residences elsewhere and add the new ones (moving keeps the history). Only people
    already known (`known`) can have a residence to end."""
    with_house = [r for r in batch if r.get("house_id")]
    if not with_house:
        return
    pks = [r["_pk"] for r in with_house if r["_pk"] in known]
    current: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(pks, 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT person_id, house_id FROM registry_residence "  # noqa: S608
                f"WHERE until IS NULL AND person_id IN ({marks})",
                chunk,
            )
            current.update(cursor.fetchall())
    living = {p for p, _h in current}
    moved = [
        r["_pk"]
        for r in with_house
        if r["_pk"] in living and (r["_pk"], r["house_id"]) not in current
    ]
    today = timezone.localdate()
    for chunk in _chunks(moved, 900):
        Residence.objects.filter(person_id__in=chunk, until__isnull=True).update(until=today)
    keep = current
    adapt = connection.ops.adapt_datefield_value
    resident = str(ResidenceRelation.RESIDENT)
    rows = [
        (
            r["_pk"],
            r["house_id"],
            r.get("relation") or resident,
            adapt(r.get("since")),
            r["area_code"],
        )
        for r in with_house
        if (r["_pk"], r["house_id"]) not in keep
    ]
    table = connection.ops.quote_name(Residence._meta.db_table)
    columns = "person_id, house_id, relation, since, area_code"
    with connection.cursor() as cursor:
        _insert_rows(
            cursor,
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            table,
            columns,
            rows,
        )


def _insert_rows(cursor, sql: str, table: str, columns: str, rows: list[tuple]) -> None:
    """Many rows at once: PostgreSQL's COPY, else the prepared insert run for every row."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(sql, rows)


def _write_buildings(batch, actor):
    existing = {
        b.code: b
        for b in Building.objects.in_bulk([r["_pk"] for r in batch if "_pk" in r]).values()
    }
    fields = (
        "name",
        "address",
        "use",
        "units",
        "floors",
        "rooms_per_floor",
        "built_year",
        "manager",
        "lon",
        "lat",
        "area_code",
    )
    new, changed = [], []
    for r in batch:
        values = {f: r.get(f) for f in fields if r.get(f) is not None}
        values.setdefault("use", BuildingUse.RESIDENTIAL)
        if r["code"] in existing:
            b = existing[r["code"]]
            for key, value in values.items():
                setattr(b, key, value)
            changed.append(b)
        else:
            new.append(Building(code=r["code"], **values))
    Building.objects.bulk_create(new, batch_size=1000)
    Building.objects.bulk_update(changed, list(fields), batch_size=1000)
    return len(new), len(changed)


def _write_houses(batch, actor):
    existing = {
        h.code: h for h in House.objects.in_bulk([r["_pk"] for r in batch if "_pk" in r]).values()
    }
    new, changed = [], []
    for r in batch:
        values = {
            k: r[k] for k in ("use", "state", "floor_area", "owner_name") if r.get(k) is not None
        }
        if r["code"] in existing:
            h = existing[r["code"]]
            for key, value in values.items():
                setattr(h, key, value)
            changed.append(h)
        else:
            new.append(
                House(
                    code=r["code"],
                    building_id=r["building_id"],
                    unit=r["unit"],
                    floor=r["floor"],
                    room=r["room"],
                    area_code=r["area_code"],
                    **values,
                )
            )
    House.objects.bulk_create(new, batch_size=1000)
    House.objects.bulk_update(
        changed, ["use", "state", "floor_area", "owner_name"], batch_size=1000
    )
    return len(new), len(changed)


def _write_organizations(batch, actor):
    existing = {
        o.credit_code: o
        for o in Organization.objects.in_bulk([r["_pk"] for r in batch if "_pk" in r]).values()
    }
    fields = (
        "name",
        "kind",
        "industry",
        "legal_representative",
        "phone",
        "address",
        "staff_count",
        "security_officer",
        "fire_officer",
        "key_unit",
        "lon",
        "lat",
        "area_code",
    )
    new, changed = [], []
    for r in batch:
        values = {f: r.get(f) for f in fields if r.get(f) is not None}
        values["house_id"] = r.get("house_id")
        if r.get("credit_code") in existing:
            o = existing[r["credit_code"]]
            for key, value in values.items():
                setattr(o, key, value)
            changed.append(o)
        else:
            new.append(Organization(credit_code=r.get("credit_code") or None, **values))
    Organization.objects.bulk_create(new, batch_size=1000)
    Organization.objects.bulk_update(changed, [*fields, "house"], batch_size=1000)
    return len(new), len(changed)


_WRITERS = {
    "people": _write_people,
    "buildings": _write_buildings,
    "houses": _write_houses,
    "organizations": _write_organizations,
}


# ---------------------------------------------------------------------------------------------
# templates


def template_xlsx(entity: str) -> bytes:
    """The import template: Chinese headers, one example row, and a sheet explaining the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    columns = TEMPLATES[entity]
    book = Workbook()
    sheet = book.active
    sheet.title = str(ENTITY_LABELS[entity])[:30]
    sheet.append([c.header for c in columns])
    sheet.append([c.example for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E8C")
    for i, c in enumerate(columns, 1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(
            12, len(c.header) * 2 + 4
        )
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "类型", "可选值"])
    kinds = {
        "text": "文本",
        "int": "整数",
        "float": "数值",
        "date": "日期 YYYY-MM-DD",
        "choice": "选项",
        "phone": "电话号码",
        "bool": "是/否",
    }
    for c in columns:
        notes.append(
            [
                c.header,
                "是" if c.required else "",
                kinds[c.kind],
                "、".join(c.choices) if c.choices else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(entity: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in TEMPLATES[entity]])
    writer.writerow([c.example for c in TEMPLATES[entity]])
    return out.getvalue().encode("utf-8-sig")


__all__ = ["Report", "RowError", "check", "commit", "read_rows", "template_csv", "template_xlsx"]
