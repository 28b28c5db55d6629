"""The public portal's reads. Only what `public_dict` puts out ever leaves: a report's number,
public category, public status and steps, a snapped point, the street's name, the rating, and
— after moderation — its redacted text and metadata-free photos."""

import math

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from gridgov.areas.locator import locator
from gridgov.areas.models import Area
from gridgov.cases.models import Attachment
from gridgov.portal.models import GridContact, Moderation, PortalReport, PublicCategory

OPEN_PUBLIC = ("received", "accepted", "in_hand", "checking", "waiting", "reopened")


def public_reports() -> QuerySet:
    """Reports anyone may see: listed or published, never anonymous."""
    return PortalReport.objects.filter(
        moderation__in=[Moderation.LISTED, Moderation.PUBLISHED],
        anonymous=False,
        category__isnull=False,
    ).select_related("category")


def public_categories() -> list[PublicCategory]:
    return list(PublicCategory.objects.select_related("category").order_by("order", "id"))


def suggest_categories(text: str, limit: int = 3) -> list[PublicCategory]:
    """The public categories a description most likely belongs to, for a citizen not sure which
    to choose: the trained classifier's ranking when there is a model, else the categories whose
    name or search words appear in the text (most hits first)."""
    from gridgov.exchange.services.classify import suggest_text

    text = (text or "").strip()[:1000]
    if not text:
        return []
    choices = public_categories()
    by_code = {c.category.code: c for c in choices}
    ranked = [by_code[code] for code, _p in suggest_text(text, k=20) if code in by_code]
    if not ranked:
        hits = [
            (sum(1 for w in [c.label, *c.keywords.split()] if w and w in text), c) for c in choices
        ]
        ranked = [c for n, c in sorted(hits, key=lambda h: -h[0]) if n]
    return ranked[:limit]


def street_names(codes) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=set(codes)).values_list("code", "name"))


def public_dict(report: PortalReport, names: dict[str, str] | None = None) -> dict:
    published = report.moderation == Moderation.PUBLISHED
    names = names if names is not None else street_names([report.street_code])
    cat = report.category
    return {
        "number": report.number,
        "category": cat.label if cat else "",
        "icon": cat.icon if cat else "",
        "status": report.public_status,
        "steps": [{"step": s["step"], "time": s["time"]} for s in report.public_steps],
        "street": names.get(report.street_code, ""),
        "street_code": report.street_code,
        "lon": report.public_lon,
        "lat": report.public_lat,
        "text": report.public_text if published else "",
        "photos": [f"/portal/photo/{report.number}/{i}/" for i in range(len(report.photo_ids))]
        if published
        else [],
        "satisfaction": report.satisfaction,
        "reported": timezone.localtime(report.created_at).date().isoformat(),
    }


def find_public(number: str) -> PortalReport | None:
    return public_reports().filter(number=number).first()


def find_any(number: str) -> PortalReport | None:
    """A report by its number, published or not (the reporter's own page checks who asks)."""
    return PortalReport.objects.select_related("category").filter(number=number).first()


def public_photo(report: PortalReport, index: int) -> Attachment | None:
    if report.moderation != Moderation.PUBLISHED or not 0 <= index < len(report.photo_ids):
        return None
    return Attachment.objects.filter(pk=report.photo_ids[index], case_id=report.case_id).first()


def nearby(category_id: int | None, lon: float, lat: float, radius_m: float = 300.0, limit=8):
    """Open public reports of the category within the radius, nearest first."""
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(0.2, math.cos(math.radians(lat))))
    rows = public_reports().filter(
        public_status__in=OPEN_PUBLIC,
        public_lon__range=(lon - dlon, lon + dlon),
        public_lat__range=(lat - dlat, lat + dlat),
    )
    if category_id is not None:
        rows = rows.filter(category_id=category_id)
    found = list(rows.order_by("-created_at", "-id")[:200])

    def distance(r):
        return math.hypot((r.public_lon - lon) / dlon, (r.public_lat - lat) / dlat)

    return sorted(found, key=distance)[:limit]


def street_stats() -> list[dict]:
    """Per street: reports, closed, closed on time, mean satisfaction (public reports only)."""
    rows = (
        public_reports()
        .values("street_code")
        .annotate(
            reports=Count("id"),
            closed=Count("id", filter=Q(public_status="closed")),
            on_time=Count("id", filter=Q(public_status="closed", closed_on_time=True)),
            satisfaction=Avg("satisfaction"),
        )
        .order_by("street_code")
    )
    names = street_names([r["street_code"] for r in rows])
    return [
        {
            "street": names.get(r["street_code"], r["street_code"]),
            "street_code": r["street_code"],
            "reports": r["reports"],
            "closed": r["closed"],
            "on_time_percent": round(100 * r["on_time"] / r["closed"]) if r["closed"] else None,
            "satisfaction": round(r["satisfaction"], 1) if r["satisfaction"] is not None else None,
        }
        for r in rows
    ]


def grid_card(code: str) -> dict | None:
    """“Find my grid member”: the grid, its community and street, the published contacts."""
    grid = Area.objects.filter(code=code, level="grid").first()
    if grid is None:
        return None
    chain = street_names([code[:12], code[:9]])
    return {
        "code": grid.code,
        "name": grid.name,
        "community": chain.get(code[:12], ""),
        "street": chain.get(code[:9], ""),
        "contacts": list(
            GridContact.objects.filter(grid_code=code).values(
                "member_name", "work_phone", "office", "office_phone", "office_hours"
            )
        ),
    }


def grid_at(lon: float, lat: float) -> str | None:
    hit = locator.locate(lon, lat)
    return hit.code if hit else None


def area_name(code: str) -> str | None:
    return Area.objects.filter(code=code).values_list("name", flat=True).first()


def area_names(codes: list[str]) -> dict[str, str]:
    """Public names of the areas a citizen follows, by code."""
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def home_centre() -> tuple[float, float]:
    top = Area.objects.filter(parent__isnull=True, label_lon__isnull=False).order_by("code").first()
    if top is None:
        return 113.62, 34.71
    return top.label_lon, top.label_lat  # type: ignore[return-value]
