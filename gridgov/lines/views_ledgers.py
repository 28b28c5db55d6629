"""Ledgers (台账) as Excel (or CSV) files, from the list pages and filtered as the page is:
rented houses with their tenants and last inspection, foreigners' stays with the permit expiry
and the police registration, and the monthly dispute screenings.

Rows come from the list's own filter (so its scope), again restricted for exporting; the file
goes through `registry/exports.py` (the export right, one access-log row, never cached). People
are shown masked as on the lists (张**); areas, states and colours by name; times in local time.
"""

import datetime
from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.areas.models import Level
from gridgov.areas.queries import names_by_level
from gridgov.lines.filters_disputes import ScreeningFilter
from gridgov.lines.filters_populations import ForeignerFilter, RentalFilter
from gridgov.lines.models import Inspection, Lease, Tenant
from gridgov.lines.services import rentals
from gridgov.list_filter import ListFilter
from gridgov.masking import mask_name
from gridgov.registry import exports


def _bad(listing: ListFilter) -> HttpResponseBadRequest | None:
    if listing.is_valid():
        return None
    return HttpResponseBadRequest(" ".join(m for e in listing.errors.values() for m in e))


def _format(fmt: str) -> None:
    if fmt not in exports.FORMATS:
        raise Http404


def _area_headers() -> list[str]:
    return [_("Street"), _("Community"), _("Grid")]


def _area_cells(names: dict[str, dict[str, str]], code: str) -> list[str]:
    found = names.get(code, {})
    return [found.get(level, "") for level in (Level.STREET, Level.COMMUNITY, Level.GRID)]


def _local(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _joined(parts: Iterable[str]) -> str:
    return "；".join(p for p in parts if p)


@login_required
@require_GET
def export_rentals(request, fmt: str):
    """The rented houses of the list (same filters): landlord, limits, current lease, the
    tenants living there with their residence permit and police report, the last inspection."""
    _format(fmt)
    listing = RentalFilter(request.GET, request.user)
    if bad := _bad(listing):
        return bad
    asked = exports.ExportRequest(
        subject_type="lines.rentalhouse",
        name="rentals",
        fmt=fmt,
        fields=[],
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        user = request.user
        tenants = restrict(Tenant.objects.filter(moved_out__isnull=True), user)
        leases = restrict(Lease.objects.all(), user)
        inspections = restrict(Inspection.objects.select_related("inspector"), user)
        rows = restrict(listing.rows(), user, Action.EXPORT).prefetch_related(
            Prefetch(
                "tenants",
                queryset=tenants.select_related("person").order_by("moved_in", "id"),
                to_attr="living",
            ),
            Prefetch("leases", queryset=leases.order_by("-end", "-id"), to_attr="by_end"),
            Prefetch("inspections", queryset=inspections.order_by("-at", "-id"), to_attr="by_time"),
        )
        found = list(rows.select_related("house__building")[: exports.EXPORT_LIMIT])
        names = names_by_level(r.area_code for r in found)
        out = []
        for r in found:
            lease = r.by_end[0] if r.by_end else None
            last = r.by_time[0] if r.by_time else None
            if r.landlord_person is not None:
                landlord = mask_name(r.landlord_person.name)
            else:
                landlord = r.landlord_org.name if r.landlord_org else ""
            tenants = _joined(
                _("%(name)s (permit until %(permit)s, reported %(reported)s)")
                % {
                    "name": mask_name(t.person.name),
                    "permit": _day(t.permit_expiry) or "—",
                    "reported": _day(t.police_registered_on) or _("not yet"),
                }
                for t in r.living
            )
            out.append(
                [
                    r.house.code,
                    r.house.building.name,
                    landlord,
                    r.max_occupants,
                    len(r.living),
                    tenants,
                    f"{lease.start.isoformat()} – {lease.end.isoformat()}" if lease else "",
                    _day(r.duty_signed_on),
                    r.get_risk_colour_display(),
                    _local(last.at) if last else "",
                    last.occupants if last and last.occupants is not None else "",
                    last.failures if last else "",
                    last.inspector.display_name if last else "",
                    *_area_cells(names, r.area_code),
                ]
            )
        headers = [
            _("House"),
            _("Building"),
            _("Landlord"),
            _("Occupants allowed"),
            _("Tenants living there"),
            _("Tenants"),
            _("Current lease"),
            _("Registration duty signed on"),
            _("Risk colour"),
            _("Last inspection"),
            _("Occupants found"),
            _("Failed items"),
            _("Inspector"),
            *_area_headers(),
        ]
        return exports.Table(headers, out, [r.area_code for r in found])

    return exports.export_table(request.user, asked, table)


@login_required
@require_GET
def export_foreigners(request, fmt: str):
    """Foreigners' stays of the foreign-affairs list (same filters, its own right)."""
    _format(fmt)
    if not user_may(request.user, Action.VIEW_FOREIGN_AFFAIRS):
        raise PermissionDenied
    listing = ForeignerFilter(request.GET, request.user)
    if bad := _bad(listing):
        return bad
    asked = exports.ExportRequest(
        subject_type="lines.foreignerstay",
        name="foreigners",
        fmt=fmt,
        fields=["nationality", "visa_expiry"],
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        rows = restrict(listing.rows(), request.user, Action.EXPORT).select_related("rental__house")
        found = list(rows[: exports.EXPORT_LIMIT])
        names = names_by_level(s.area_code for s in found)
        now = timezone.now()
        today = timezone.localdate()
        out = [
            [
                mask_name(s.person.name),
                s.nationality,
                _local(s.arrived_at),
                _local(s.registered_at),
                _("Late") if rentals.registration_late(s, now) else "",
                _day(s.visa_expiry),
                (s.visa_expiry - today).days if s.visa_expiry else "",
                s.rental.house.code if s.rental else "",
                _day(s.left_on),
                *_area_cells(names, s.area_code),
            ]
            for s in found
        ]
        headers = [
            pgettext("person", "Name"),
            _("Nationality"),
            _("Arrived at"),
            _("Registered with the police at"),
            _("Registration late"),
            _("Visa or residence permit expires"),
            _("Days left"),
            _("House"),
            _("Left on"),
            *_area_headers(),
        ]
        return exports.Table(headers, out, [s.area_code for s in found])

    return exports.export_table(request.user, asked, table)


@login_required
@require_GET
def export_screenings(request, fmt: str):
    """The monthly dispute screenings of the list (same filters): per grid and month, the
    result (to screen, disputes found, none found), who screened it and when."""
    _format(fmt)
    listing = ScreeningFilter(request.GET, request.user, Action.EXPORT)
    if bad := _bad(listing):
        return bad
    asked = exports.ExportRequest(
        subject_type="lines.screeningtask",
        name="screenings",
        fmt=fmt,
        fields=[],
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        found = list(listing.rows().select_related("done_by")[: exports.EXPORT_LIMIT])
        names = names_by_level(s.area_code for s in found)
        out = [
            [
                s.month.strftime("%Y-%m"),
                *_area_cells(names, s.area_code),
                s.get_state_display(),
                s.done_by.display_name if s.done_by else "",
                _local(s.done_at),
                s.note,
            ]
            for s in found
        ]
        headers = [
            _("Month"),
            *_area_headers(),
            pgettext("screening", "Result"),
            _("Screened by"),
            _("Screened at"),
            _("Note"),
        ]
        return exports.Table(headers, out, [s.area_code for s in found])

    return exports.export_table(request.user, asked, table)
