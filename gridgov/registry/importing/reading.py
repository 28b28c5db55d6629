"""Reading an uploaded .xlsx or .csv file into rows, and the report of an import."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ERRORS_SHOWN = 1000


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
    # A cell may be as long as the file (the column check then names it), not only 128 KB.
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    reader = csv.reader(io.StringIO(text))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError(_("The file is empty.")) from None
    return headers, ((n, values) for n, values in enumerate(reader, start=2))
