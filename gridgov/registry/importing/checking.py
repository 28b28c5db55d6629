"""Checking: cells converted by column, rows prechecked in batches (pure Python), then checked
against the database; `check()` is the dry run."""

import contextlib
import datetime
import gc
import re
from collections.abc import Callable, Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.input_guard import bad_text
from gridgov.registry.importing.reading import Report, RowError, read_rows
from gridgov.registry.importing.rules import _CHECKERS, _PRECHECKS
from gridgov.registry.importing.templates import TEMPLATES, Column

BATCH = 20000
_PHONE = re.compile(r"^\d{7,12}$")


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
                if bad_text(value):
                    raise ValueError(_("contains a control character"))
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
            if bad_text(text):
                raise ValueError(_("contains a control character"))
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
    if bad_text(text):
        raise ValueError(_("contains a control character"))
    return text


def _guard(entity: str, actor: User) -> None:
    if entity not in TEMPLATES:
        raise ValidationError(_("Unknown import kind %(e)s.") % {"e": entity})
    if not user_may(actor, Action.CHANGE):
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
    entity: str, data: bytes, filename: str, actor: User, report: Report, prechecked=None
) -> Iterator[list[dict]]:
    """The good rows in batches: prechecked (here, or in a child process when given), then
    checked against the database; problems go into the report."""
    _guard(entity, actor)
    checker = _CHECKERS[entity]
    seen: dict[str, int] = {}
    for records in prechecked or _prechecked_batches(entity, data, filename, report):
        yield checker(records, report, actor, seen)


def check(entity: str, data: bytes, filename: str, *, actor: User) -> Report:
    """The dry run: every row checked, nothing written."""
    report = Report(entity=entity)
    with _quiet_gc():
        good = sum(len(batch) for batch in _checked_batches(entity, data, filename, actor, report))
    report.bad_rows = report.total - good
    report.good_count = good
    report.errors.sort(key=lambda e: e.row)
    return report


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
