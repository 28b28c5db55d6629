"""Tables as downloads: CSV (UTF-8 with a BOM, so Excel opens Chinese right) and Excel.

Every export goes through `safe_cell`: text a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) gets a leading apostrophe, and control characters, which an
Excel file cannot hold, are dropped. Numbers stay numbers, negative ones too.
"""

import csv
import io
import re
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_PLAIN_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value):
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [safe_cell(v) for v in row]


def _disposition(name: str, fmt: str) -> str:
    plain = name.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{plain}.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"


def csv_bytes(headers: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(headers))
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


def table_response(headers: list[str], rows: list[list], fmt: str, name: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = _disposition(name, fmt)
        return response
    return workbook_response([("Sheet1", headers, rows)], name)


def workbook_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One Excel file with a sheet per (title, headers, rows)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        clean = _SHEET_TITLE_BAD.sub("_", _CONTROL.sub("", title))[:31]
        sheet = book.create_sheet(title=clean or "Sheet")
        sheet.append(safe_row(headers))
        for row in rows:
            sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_response(sheets: list[tuple[str, list[str], list[list]]], name: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = _disposition(name, "xlsx")
    return response
