"""Tables as downloads: CSV (UTF-8 with a BOM, so Excel opens Chinese right) and Excel."""

import csv
import io
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(name: str, fmt: str) -> str:
    plain = name.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{plain}.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"


def table_response(headers: list[str], rows: list[list], fmt: str, name: str) -> HttpResponse:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
        response = HttpResponse(
            out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = _disposition(name, fmt)
        return response
    return workbook_response([("Sheet1", headers, rows)], name)


def workbook_response(sheets: list[tuple[str, list[str], list[list]]], name: str) -> HttpResponse:
    """One Excel file with a sheet per (title, headers, rows)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _disposition(name, "xlsx")
    return response
