"""Reads of the special-population records that every page and API route shares: the access
log of each read (list and detail), the masked presentation of a row, and the foreign-affairs
figures."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, QuerySet
from django.utils import timezone

from gridgov.audit.services import record_access
from gridgov.lines.models import RecordState, SpecialRecord
from gridgov.lines.services.rentals import EXPIRY_NOTICE_DAYS
from gridgov.masking import mask_name
from gridgov.registry.exports import area_holding

LIST_FIELDS = ["name", "category", "risk_level"]
DETAIL_FIELDS = [
    "name",
    "category",
    "risk_level",
    "supervising_office",
    "guardian",
    "assistance_group",
    "details",
]


def log_list_read(user, records: Iterable[SpecialRecord], area: str = "") -> None:
    """Every list read of special-population records is one access-log row."""
    records = list(records)
    record_access(
        actor=user,
        subject_type="lines.specialrecord",
        fields=LIST_FIELDS,
        purpose="view",
        record_count=len(records),
        area_code=area_holding([r.area_code for r in records]) or area,
    )


def log_detail_read(user, record: SpecialRecord) -> None:
    record_access(actor=user, subject=record, fields=DETAIL_FIELDS, purpose="view")


def present(record: SpecialRecord, today: datetime.date | None = None) -> dict:
    """A list row: the name masked, the visit state computed."""
    today = today or timezone.localdate()
    due = record.next_visit_due
    return {
        "id": record.pk,
        "name": mask_name(record.person.name),
        "category": record.category.code,
        "category_id": record.category_id,
        "category_name": record.category.name,
        "group": record.category.group,
        "risk_level": record.risk_level,
        "state": record.state,
        "state_name": record.get_state_display(),
        "next_visit_due": due,
        "overdue": bool(due and due < today and record.state == RecordState.ACTIVE),
        "last_visit_at": record.last_visit_at,
        "responsible": str(record.responsible) if record.responsible_id else "",
        "area_code": record.area_code,
    }


def foreign_figures(stays: QuerySet) -> dict:
    """The foreign-affairs view's counts over the stays already restricted: by nationality,
    registration state, visa expiry and area."""
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
    current = stays.filter(left_on__isnull=True).order_by()
    return {
        "total": current.count(),
        "by_nationality": list(
            current.values("nationality").annotate(n=Count("pk")).order_by("-n", "nationality")
        ),
        "by_area": list(current.values("area_code").annotate(n=Count("pk")).order_by("area_code")),
        "unregistered": current.filter(registered_at__isnull=True).count(),
        "expiring": current.filter(visa_expiry__gte=today, visa_expiry__lte=soon).count(),
        "expired": current.filter(visa_expiry__lt=today).count(),
    }
