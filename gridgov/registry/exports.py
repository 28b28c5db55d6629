"""Personal data as files: the one path every export of the registry takes.

`export_table` checks the right to export (and, for full identifiers, the right to export
personal data and a reason), builds the table only then, writes one access-log row (who, what
kind of record, which fields in clear, how many, why, and the narrowest area holding every row,
so that area's auditors read it) and answers the file through gridgov/tables.py, never cached.
Views and API routes only say which rows and columns.
"""

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.audit.services import record_access
from gridgov.registry import services
from gridgov.tables import table_response

EXPORT_LIMIT = 200_000
FORMATS = ("xlsx", "csv")


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    area_codes: list[str]  # the area code of each row


@dataclass
class ExportRequest:
    """What a user asked for: whose records, the file format, full identifiers or masked."""

    subject_type: str  # e.g. "registry.person"
    name: str  # the file's name, without the date
    fmt: str
    fields: Sequence[str]  # the personal fields the file shows in clear
    full: bool = False
    reason: str = ""
    area: str = ""  # the area filter chosen, for a file without rows


def area_holding(codes: Sequence[str]) -> str:
    """The narrowest area holding every row (so that area's auditors read the log row): the
    longest area code their common leading characters begin with."""
    common = os.path.commonprefix(list(codes))  # noqa: RUF071 (codes, not paths)
    if not common:
        return ""
    candidates = [common[:n] for n in range(1, len(common) + 1)]
    found = Area.objects.filter(code__in=candidates).values_list("code", flat=True)
    return max(found, key=len, default="")


def export_table(actor, request: ExportRequest, build: Callable[[], Table]) -> HttpResponse:
    """The file, once the right is checked; one access-log row for it."""
    if request.fmt not in FORMATS:
        raise ValidationError({"fmt": _("Export as xlsx or csv.")})
    services.authorize_export(actor, personal=request.full)
    if request.full and not request.reason.strip():
        raise ValidationError({"reason": _("Say why you export full personal data.")})
    table = build()
    record_access(
        actor=actor,
        subject_type=request.subject_type,
        fields=list(request.fields),
        purpose="export",
        reason=request.reason,
        record_count=len(table.rows),
        area_code=area_holding(table.area_codes) or request.area,
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = table_response(table.headers, table.rows, request.fmt, f"{request.name}-{stamp}")
    response["Cache-Control"] = "no-store"
    return response
