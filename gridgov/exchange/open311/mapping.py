"""How the platform's cases look through Open311.

Services are the platform's categories on a public allow-list (minor classes under the allowed
major classes; never the classes about people — street order, social governance, housing and
land). A case shows as a service request only when its category is allowed; it shows no
reporter and no text (text is public only after moderation), its point snapped to about 100 m.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import ExpressionWrapper, F, IntegerField, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from gridgov.areas.models import Area
from gridgov.cases.models import Case, Category, Status
from gridgov.cases.models.case import FINAL_STATUSES

DEFAULT_PUBLIC_MAJORS = ("E01", "E02", "E03", "E04", "C01", "C02", "C03", "C04", "C06")
SNAP_DEGREES = 0.001  # ≈ 111 m of latitude, ≈ 90 m of longitude at 35°N
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"


def public_majors() -> tuple[str, ...]:
    return tuple(getattr(settings, "GRIDGOV_OPEN311_SERVICES", DEFAULT_PUBLIC_MAJORS))


def public_categories() -> list[Category]:
    """The categories offered as services: active minor classes under the allowed majors."""
    majors = public_majors()
    rows = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    return [c for c in rows.order_by("code") if c.parent and c.parent.code in majors]


def public_codes() -> dict[str, int]:
    """The codes of the services and their categories' ids (plain values, one query: the
    request list needs no more)."""
    rows = Category.objects.filter(active=True, parent__code__in=public_majors())
    return dict(rows.order_by("code").values_list("code", "pk"))


def public_category(code: str) -> Category | None:
    if not code or len(code) > 12:
        return None
    return next((c for c in public_categories() if c.code == code), None)


# Several categories whose cases of the window number at most this many are read on the
# category index and sorted; more are read newest first and filtered (see newest_first).
SORTED_ROWS = 5_000


def newest_first(
    rows: QuerySet, category_ids: list[int], start: datetime.datetime, end: datetime.datetime
) -> QuerySet:
    """`rows` (cases already restricted) of these categories reported from `start` to `end`,
    newest first, read the way that stays quick at any size. One category (a service_code
    filter) is read in order from the (category, created_at) index. Several categories with few
    cases in the window (counted on that index, capped) are found on it and sorted; otherwise
    the created_at index is read backwards and each case's category checked on the way
    (`category_id + 0` keeps the planner off the category index, which would read and sort every
    matching case of the window before the first page could go out)."""
    rows = rows.filter(created_at__gte=start, created_at__lte=end)
    window = Case.objects.filter(
        category_id__in=category_ids, created_at__gte=start, created_at__lte=end
    ).order_by()
    if len(category_ids) <= 1 or window[: SORTED_ROWS + 1].count() <= SORTED_ROWS:
        rows = rows.filter(category_id__in=category_ids)
    else:
        rows = rows.alias(
            open311_category=ExpressionWrapper(F("category_id") + 0, output_field=IntegerField())
        ).filter(open311_category__in=category_ids)
    return rows.order_by("-created_at", "-id")


def jurisdictions() -> dict[str, str]:
    """jurisdiction_id → the name of the area it names: the top areas of the tree (the district),
    read as plain values (never their outlines)."""
    rows = Area.objects.active().filter(parent__isnull=True).order_by("code")
    return dict(rows.values_list("code", "name"))


def when(value: datetime.datetime | None) -> str | None:
    """ISO 8601 with the offset (local time Asia/Shanghai), as the spec wants."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def snap(value: float | None) -> float | None:
    if value is None:
        return None
    return round(round(value / SNAP_DEGREES) * SNAP_DEGREES, 3)


def request_id(case: Case) -> str:
    return case.number


def parse_request_id(text: str) -> int | None:
    """The case id in a service_request_id "YYYYMMDD-id" (the date is checked by the caller)."""
    m = re.fullmatch(r"(\d{8})-(\d{1,12})", text.strip())
    return int(m.group(2)) if m else None


def status_notes(status: str) -> str:
    """The status's name in the active language (the model's display would rebuild the choices
    of every row: most of the time of a long answer)."""
    return _status_name(status, get_language() or "")


@functools.lru_cache(maxsize=256)
def _status_name(status: str, _language: str) -> str:
    return str(Status(status).label) if status in Status.values else status


# What a request's answer reads of a case (never the reporter's sealed fields), as values.
SHOWN = (
    "id", "status", "category__code", "category__name", "department__name", "created_at",
    "updated_at", "closed_at", "stage_deadline", "lat", "lon",
)  # fmt: skip


def request_dict(v: dict, tz: datetime.tzinfo | None = None) -> dict:
    """A case as a GeoReport request, from its SHOWN values (no model instance: a page of a
    thousand requests reads plain rows)."""
    tz = tz or timezone.get_current_timezone()

    def local(value: datetime.datetime | None) -> str | None:
        return value.astimezone(tz).isoformat(timespec="seconds") if value else None

    final = v["status"] in FINAL_STATUSES
    created = v["created_at"]
    return {
        "service_request_id": f"{created.astimezone(tz):%Y%m%d}-{v['id']}" if created else "",
        "status": "closed" if final else "open",
        "status_notes": status_notes(v["status"]),
        "service_name": v["category__name"],
        "service_code": v["category__code"] or "",
        # Text becomes public only after moderation (the portal's); none is moderated here.
        "description": None,
        "agency_responsible": v["department__name"],
        "service_notice": None,
        "requested_datetime": local(created),
        "updated_datetime": local(v["closed_at"] or v["updated_at"]),
        "expected_datetime": local(v["stage_deadline"]) if not final else None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": snap(v["lat"]),
        "long": snap(v["lon"]),
        "media_url": None,
    }


def request_dicts(rows: QuerySet) -> list[dict]:
    """The cases of `rows` as GeoReport requests, read as plain values in one query."""
    tz = timezone.get_current_timezone()
    return [request_dict(v, tz) for v in rows.values(*SHOWN)]


@dataclass
class RequestRow:
    case: Case

    def as_dict(self) -> dict:
        c = self.case
        category, department = c.category, c.department if c.department_id else None
        return request_dict(
            {
                "id": c.pk,
                "status": c.status,
                "category__code": category.code if category else None,
                "category__name": category.name if category else None,
                "department__name": department.name if department else None,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
                "closed_at": c.closed_at,
                "stage_deadline": c.stage_deadline,
                "lat": c.lat,
                "lon": c.lon,
            }
        )


# The order of the fields in XML answers (the spec's examples).
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def service_dict(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.filing_condition or None,
        "metadata": False,
        "type": "realtime",
        "keywords": category.parent.name if category.parent else None,
        "group": category.parent.name if category.parent else None,
    }
