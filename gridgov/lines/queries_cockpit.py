"""The lines' figures for the cockpit, in counts only (no names): special populations by
category and risk level, and the foreign-affairs view (涉外驾驶舱) — foreigners by nationality,
visa or permit expiry, police registration and area one level down.

Each figure is a grouped count over the rows the reader may see (`restrict` with the line's own
right) inside the area shown; indexes on the area code (with the grouped columns, so PostgreSQL
and SQLite answer from the index alone) keep them fast for a city. Nothing here reads a person:
the counts name no one, so they are not written to the access log (the record pages are).
"""

import datetime

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.areas.models import Area
from gridgov.lines.models import ForeignerStay, PopulationCategory, RecordState, SpecialRecord
from gridgov.lines.services.rentals import EXPIRY_NOTICE_DAYS, FOREIGNER_REGISTRATION_HOURS

# Nationalities are typed as names (韩国); one entered as an ISO 3166 code is shown by its name.
COUNTRY_NAMES = {
    "CN": _("China"),
    "US": _("United States"),
    "USA": _("United States"),
    "KR": _("South Korea"),
    "KOR": _("South Korea"),
    "JP": _("Japan"),
    "JPN": _("Japan"),
    "RU": _("Russia"),
    "RUS": _("Russia"),
    "PK": _("Pakistan"),
    "PAK": _("Pakistan"),
    "GB": _("United Kingdom"),
    "GBR": _("United Kingdom"),
    "DE": _("Germany"),
    "DEU": _("Germany"),
    "FR": _("France"),
    "FRA": _("France"),
    "IN": _("India"),
    "IND": _("India"),
    "VN": _("Vietnam"),
    "VNM": _("Vietnam"),
    "TH": _("Thailand"),
    "THA": _("Thailand"),
    "MY": _("Malaysia"),
    "MYS": _("Malaysia"),
    "ID": _("Indonesia"),
    "IDN": _("Indonesia"),
    "PH": _("Philippines"),
    "PHL": _("Philippines"),
    "MN": _("Mongolia"),
    "MNG": _("Mongolia"),
    "KZ": _("Kazakhstan"),
    "KAZ": _("Kazakhstan"),
    "CA": _("Canada"),
    "CAN": _("Canada"),
    "AU": _("Australia"),
    "AUS": _("Australia"),
    "NG": _("Nigeria"),
    "NGA": _("Nigeria"),
    "EG": _("Egypt"),
    "EGY": _("Egypt"),
    "BR": _("Brazil"),
    "BRA": _("Brazil"),
    "IT": _("Italy"),
    "ITA": _("Italy"),
    "ES": _("Spain"),
    "ESP": _("Spain"),
}


def country_name(nationality: str) -> str:
    text = (nationality or "").strip()
    return str(COUNTRY_NAMES.get(text.upper(), text)) if text else str(_("Not given"))


def populations(user, area_code: str, today: datetime.date | None = None) -> dict | None:
    """Records under management and lost contact by category and risk level, and visits overdue,
    in the area; None for a reader without the special-population right."""
    if not user_may(user, Action.VIEW_SPECIAL_POPULATION):
        return None
    today = today or timezone.localdate()
    records = restrict(
        SpecialRecord.objects.exclude(state=RecordState.CLOSED),
        user,
        Action.VIEW_SPECIAL_POPULATION,
        within=area_code,
    ).order_by()
    counts: dict[int, dict] = {}
    lost = 0
    for row in records.values("category_id", "risk_level", "state").annotate(n=Count("pk")):
        by_level = counts.setdefault(row["category_id"], {})
        by_level[row["risk_level"]] = by_level.get(row["risk_level"], 0) + row["n"]
        if row["state"] == RecordState.LOST:
            lost += row["n"]
    overdue = records.filter(state=RecordState.ACTIVE, next_visit_due__lt=today).count()
    categories = []
    for c in PopulationCategory.objects.filter(pk__in=counts).order_by("group", "code"):
        by_level = counts[c.pk]
        top = max(c.max_risk, *by_level)
        categories.append(
            {
                "code": c.code,
                "name": c.name,
                "group": c.group,
                "group_name": str(c.get_group_display()),
                "total": sum(by_level.values()),
                "by_risk": [by_level.get(level, 0) for level in range(top + 1)],
            }
        )
    return {
        "total": sum(c["total"] for c in categories),
        "lost_contact": lost,
        "visits_overdue": overdue,
        "categories": categories,
    }


def _children(user, area: Area) -> list[dict]:
    return list(
        restrict(Area.objects.active().filter(parent=area), user)
        .order_by("code")
        .values("code", "name", "level")
    )


def foreigners(user, area: Area, now: datetime.datetime | None = None) -> dict:
    """The foreign-affairs view of an area (the caller checks the right): the foreigners staying
    now (not left) by nationality, the visas and permits expired or expiring within the notice
    period, the police registration (within 24 hours, late, missing, still within the 24 hours)
    and the same per area one level down."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
    window = datetime.timedelta(hours=FOREIGNER_REGISTRATION_HOURS)
    stays = restrict(
        ForeignerStay.objects.filter(left_on__isnull=True),
        user,
        Action.VIEW_FOREIGN_AFFAIRS,
        within=area.code,
    ).order_by()
    measures = {
        "total": Count("pk"),
        "registered_on_time": Count("pk", filter=Q(registered_at__lte=F("arrived_at") + window)),
        "registered_late": Count("pk", filter=Q(registered_at__gt=F("arrived_at") + window)),
        "unregistered": Count(
            "pk", filter=Q(registered_at__isnull=True, arrived_at__lt=now - window)
        ),
        "awaiting": Count("pk", filter=Q(registered_at__isnull=True, arrived_at__gte=now - window)),
        "expired": Count("pk", filter=Q(visa_expiry__lt=today)),
        "expiring": Count("pk", filter=Q(visa_expiry__gte=today, visa_expiry__lte=soon)),
    }
    totals = stays.aggregate(**measures)
    nations: dict[str, int] = {}
    for row in stays.values("nationality").annotate(n=Count("pk")):
        name = country_name(row["nationality"])
        nations[name] = nations.get(name, 0) + row["n"]
    by_nationality = [
        {"name": name, "count": n}
        for name, n in sorted(nations.items(), key=lambda item: (-item[1], item[0]))
    ]
    kids = _children(user, area)
    found: dict[str, dict] = {}
    for length in sorted({len(k["code"]) for k in kids}):
        rows = (
            stays.annotate(child=Substr("area_code", 1, length))
            .values("child")
            .annotate(**measures)
        )
        found.update({r["child"]: r for r in rows})
    empty = dict.fromkeys(measures, 0)
    areas = [
        {"code": k["code"], "name": k["name"], **{m: found.get(k["code"], empty)[m] for m in empty}}
        for k in kids
    ]
    return {
        **{m: totals[m] or 0 for m in measures},
        "notice_days": EXPIRY_NOTICE_DAYS,
        "by_nationality": by_nationality,
        "areas": areas,
    }
