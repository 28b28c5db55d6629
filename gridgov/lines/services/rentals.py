"""Writes of rental housing and foreigners' stays, and the sweeps that raise their warnings.

- A tenant must be reported to the police by the landlord within `POLICE_REPORT_DAYS` of moving
  in (the local rental-housing rules; the member checks and records the date).
- A foreigner staying outside a hotel must be registered with the police within 24 hours of
  arrival (出境入境管理法 art. 39).
- Warnings: a residence permit or visa expiring within `EXPIRY_NOTICE_DAYS`, a lease ended
  without a new one while tenants remain, overcrowding found by an inspection (at once).
- Inspections: the hazard part's, against the rental-housing plan's checklist (see
  `hazards.rental_colour` for the risk colour).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.lines.models import (
    AlertCause,
    ForeignerStay,
    Inspection,
    InspectionTask,
    Lease,
    RentalHouse,
    Tenant,
    WarningKind,
)
from gridgov.lines.services import alerts, hazards
from gridgov.lines.services.populations import Conflict, check_version
from gridgov.lines.services.populations_ledger import raise_warning, resolve_warnings
from gridgov.masking import mask_name
from gridgov.registry.models import House, Organization, Person
from gridgov.warnings.models import Colour

POLICE_REPORT_DAYS = 3
FOREIGNER_REGISTRATION_HOURS = 24
EXPIRY_NOTICE_DAYS = 30


def _require(actor: User, code: str) -> None:
    if not code_in_scope(actor, code, Action.CHANGE):
        raise PermissionDenied(_("You may not change rental housing here."))


def _require_foreign(actor: User, code: str) -> None:
    if not (user_may(actor, Action.VIEW_FOREIGN_AFFAIRS) and code_in_scope(actor, code)):
        raise PermissionDenied(_("You may not manage foreigners' records here."))


RENTAL_LOGGED = [
    "house_id",
    "landlord_person_id",
    "landlord_org_id",
    "max_occupants",
    "duty_signed_on",
]


@transaction.atomic
def save_rental(
    house: House,
    *,
    actor: User,
    landlord_person: Person | None = None,
    landlord_org: Organization | None = None,
    max_occupants: int = 4,
    duty_signed_on: datetime.date | None = None,
    new: bool = False,
    expected_updated_at: datetime.datetime | None = None,
) -> RentalHouse:
    """Make the house a rented house, or change its landlord and limits. `new`: refuse a house
    that is one already; `expected_updated_at`: the version the writer read."""
    _require(actor, house.area_code)
    if (landlord_person is None) == (landlord_org is None):
        raise ValidationError({"landlord": _("Name the landlord: a person or an organization.")})
    if max_occupants < 1:
        raise ValidationError({"max_occupants": _("Allow at least one occupant.")})
    rental = RentalHouse.objects.select_for_update().filter(house=house).first()
    if rental is not None and new:
        raise Conflict({"house": _("This house is a rented house already.")})
    before = snapshot(rental, RENTAL_LOGGED) if rental else None
    if rental is not None:
        check_version(rental.updated_at, expected_updated_at)
    rental = rental or RentalHouse(house=house)
    rental.landlord_person = landlord_person
    rental.landlord_org = landlord_org
    rental.max_occupants = max_occupants
    rental.duty_signed_on = duty_signed_on
    rental.area_code = house.area_code
    rental.save()
    hazards.refresh_rental_colour(rental)  # the occupants allowed may have changed
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        instance=rental,
        before=before,
        after=snapshot(rental, RENTAL_LOGGED),
    )
    return rental


@transaction.atomic
def add_lease(
    rental: RentalHouse, *, actor: User, start: datetime.date, end: datetime.date
) -> Lease:
    _require(actor, rental.area_code)
    if end < start:
        raise ValidationError({"end": _("The lease ends before it starts.")})
    lease = Lease.objects.create(rental=rental, start=start, end=end, area_code=rental.area_code)
    record_change(actor=actor, action=ChangeAction.CREATE, instance=lease, after=snapshot(lease))
    if end >= timezone.localdate():
        resolve_warnings(rental, WarningKind.LEASE_ENDED)
    return lease


@transaction.atomic
def add_tenant(
    rental: RentalHouse,
    person: Person,
    *,
    actor: User,
    moved_in: datetime.date,
    permit_expiry: datetime.date | None = None,
    police_registered_on: datetime.date | None = None,
) -> Tenant:
    _require(actor, rental.area_code)
    tenant = Tenant.objects.create(
        rental=rental,
        person=person,
        moved_in=moved_in,
        permit_expiry=permit_expiry,
        police_registered_on=police_registered_on,
        checked_by=actor if police_registered_on else None,
        area_code=rental.area_code,
    )
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=tenant,
        after=snapshot(tenant, ["rental_id", "moved_in", "permit_expiry", "police_registered_on"]),
    )
    return tenant


@transaction.atomic
def create_rental(
    house: House,
    *,
    actor: User,
    leases: list[dict] = (),  # type: ignore[assignment]
    tenants: list[dict] = (),  # type: ignore[assignment]
    **facts,
) -> RentalHouse:
    """A new rented house with its leases ({start, end}) and tenants ({person, moved_in,
    permit_expiry, police_registered_on}), all or nothing."""
    rental = save_rental(house, actor=actor, new=True, **facts)
    for lease in leases:
        add_lease(rental, actor=actor, start=lease["start"], end=lease["end"])
    for tenant in tenants:
        add_tenant(
            rental,
            tenant["person"],
            actor=actor,
            moved_in=tenant["moved_in"],
            permit_expiry=tenant.get("permit_expiry"),
            police_registered_on=tenant.get("police_registered_on"),
        )
    return rental


@transaction.atomic
def check_police_registration(
    tenant: Tenant, *, actor: User, registered_on: datetime.date
) -> Tenant:
    """The member saw the landlord's report of the tenant to the police."""
    _require(actor, tenant.area_code)
    tenant.police_registered_on = registered_on
    tenant.checked_by = actor
    tenant.save(update_fields=["police_registered_on", "checked_by"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=tenant,
        after=snapshot(tenant, ["police_registered_on"]),
    )
    resolve_warnings(tenant, WarningKind.POLICE_UNREGISTERED)
    return tenant


@transaction.atomic
def move_out(tenant: Tenant, *, actor: User, on: datetime.date | None = None) -> Tenant:
    _require(actor, tenant.area_code)
    tenant.moved_out = on or timezone.localdate()
    tenant.save(update_fields=["moved_out"])
    record_change(actor=actor, action=ChangeAction.UPDATE, instance=tenant, after=snapshot(tenant))
    resolve_warnings(tenant, WarningKind.PERMIT_EXPIRING, WarningKind.POLICE_UNREGISTERED)
    return tenant


@transaction.atomic
def inspect_rental(
    rental: RentalHouse,
    *,
    actor: User,
    occupants: int,
    results: list[hazards.ResultInput],
    note: str = "",
    when: datetime.datetime | None = None,
    task: InspectionTask | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> Inspection:
    """A rented house inspected against the rental-housing plan's checklist (the hazard part's
    inspection: failures become hazards of the house, and the house's risk colour follows);
    more occupants than allowed is overcrowding (群租), which warns at once."""
    _require(actor, rental.area_code)
    if occupants < 0:
        raise ValidationError({"occupants": _("Enter a valid value.")})
    plan = hazards.rental_plan()
    if plan is None:
        raise ValidationError(_("No rental-housing inspection plan is active."))
    inspection = hazards.record_inspection(
        actor=actor,
        plan=plan,
        rental=rental,
        occupants=occupants,
        results=results,
        note=note,
        at=when,
        task=task,
        lon=lon,
        lat=lat,
    )
    rental.refresh_from_db(fields=["risk_colour", "updated_at"])
    if occupants > rental.max_occupants:
        ledger = raise_warning(
            kind=WarningKind.OVERCROWDED,
            subject=rental,
            title=_("Overcrowding found: %(house)s, %(n)s occupants")
            % {"house": rental.house.code, "n": occupants},
            area_code=rental.area_code,
            flagged=True,
        )
        if ledger is not None:  # one warning per episode of overcrowding
            alerts.raise_alert(
                cause=AlertCause.OVERCROWDED,
                subject=rental,
                episode=str(ledger.pk),
                area_code=rental.area_code,
                headline=alerts.headline_of(
                    AlertCause.OVERCROWDED,
                    number=rental.house.code,
                    occupants=occupants,
                    area=alerts.area_name(rental.area_code),
                ),
                url=reverse("lines:rental", args=[rental.pk]),
                colour=Colour.YELLOW,
                now=when,
            )
    else:
        resolve_warnings(rental, WarningKind.OVERCROWDED)
    return inspection


@transaction.atomic
def record_stay(
    person: Person,
    *,
    actor: User,
    nationality: str,
    arrived_at: datetime.datetime,
    visa_expiry: datetime.date | None = None,
    rental: RentalHouse | None = None,
    registered_at: datetime.datetime | None = None,
) -> ForeignerStay:
    _require_foreign(actor, person.area_code)
    if not nationality.strip():
        raise ValidationError({"nationality": _("This field is required.")})
    stay = ForeignerStay.objects.create(
        person=person,
        rental=rental,
        nationality=nationality.strip()[:40],
        arrived_at=arrived_at,
        registered_at=registered_at,
        visa_expiry=visa_expiry,
        area_code=person.area_code,
    )
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=stay,
        after=snapshot(stay, ["nationality", "arrived_at", "registered_at", "visa_expiry"]),
    )
    return stay


@transaction.atomic
def register_stay(
    stay: ForeignerStay, *, actor: User, when: datetime.datetime | None = None
) -> ForeignerStay:
    _require_foreign(actor, stay.area_code)
    stay.registered_at = when or timezone.now()
    stay.save(update_fields=["registered_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=stay,
        after=snapshot(stay, ["registered_at"]),
    )
    resolve_warnings(stay, WarningKind.POLICE_UNREGISTERED)
    return stay


STAY_LOGGED = ["nationality", "arrived_at", "registered_at", "visa_expiry", "rental_id", "left_on"]


@transaction.atomic
def update_stay(
    stay: ForeignerStay,
    *,
    actor: User,
    nationality: str,
    arrived_at: datetime.datetime,
    visa_expiry: datetime.date | None = None,
    rental: RentalHouse | None = None,
    registered_at: datetime.datetime | None = None,
    left_on: datetime.date | None = None,
) -> ForeignerStay:
    """The desk's corrections of a stay (the person stays the same); warnings that no longer
    hold are resolved: the registration once recorded, a visa renewed beyond the notice."""
    _require_foreign(actor, stay.area_code)
    if not nationality.strip():
        raise ValidationError({"nationality": _("This field is required.")})
    if rental is not None and not code_in_scope(actor, rental.area_code, Action.CHANGE):
        raise ValidationError({"rental": _("No such rented house in your scope.")})
    if left_on is not None and left_on < timezone.localtime(arrived_at).date():
        raise ValidationError({"left_on": _("The stay cannot end before the arrival.")})
    before = snapshot(stay, STAY_LOGGED)
    stay.nationality = nationality.strip()[:40]
    stay.arrived_at = arrived_at
    stay.visa_expiry = visa_expiry
    stay.rental = rental
    stay.registered_at = registered_at
    stay.left_on = left_on
    stay.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=stay,
        before=before,
        after=snapshot(stay, STAY_LOGGED),
    )
    if registered_at is not None:
        resolve_warnings(stay, WarningKind.POLICE_UNREGISTERED)
    soon = timezone.localdate() + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
    if left_on is not None or (visa_expiry is not None and visa_expiry > soon):
        resolve_warnings(stay, WarningKind.VISA_EXPIRING)
    return stay


def registration_late(stay: ForeignerStay, now: datetime.datetime | None = None) -> bool:
    limit = stay.arrived_at + datetime.timedelta(hours=FOREIGNER_REGISTRATION_HOURS)
    if stay.registered_at is not None:
        return stay.registered_at > limit
    return (now or timezone.now()) > limit


def sweep_rentals(now: datetime.datetime | None = None) -> dict:
    """Permits and visas about to expire, leases ended without a new one, tenants and
    foreigners not registered with the police in time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
    raised = {"permit": 0, "lease": 0, "tenant_police": 0, "foreigner_police": 0, "visa": 0}
    tenants = Tenant.objects.filter(moved_out__isnull=True).select_related("person", "rental")
    for tenant in tenants.filter(permit_expiry__lte=soon).order_by("pk"):
        with transaction.atomic():
            raised["permit"] += bool(
                raise_warning(
                    kind=WarningKind.PERMIT_EXPIRING,
                    subject=tenant,
                    title=_("Residence permit expires on %(date)s: %(name)s")
                    % {"date": tenant.permit_expiry, "name": mask_name(tenant.person.name)},
                    area_code=tenant.area_code,
                    now=now,
                )
            )
    late = today - datetime.timedelta(days=POLICE_REPORT_DAYS)
    for tenant in tenants.filter(police_registered_on__isnull=True, moved_in__lt=late).order_by(
        "pk"
    ):
        with transaction.atomic():
            raised["tenant_police"] += bool(
                raise_warning(
                    kind=WarningKind.POLICE_UNREGISTERED,
                    subject=tenant,
                    title=_("Tenant not reported to the police: %(name)s")
                    % {"name": mask_name(tenant.person.name)},
                    area_code=tenant.area_code,
                    now=now,
                )
            )
    rentals = (
        RentalHouse.objects.filter(tenants__moved_out__isnull=True, leases__isnull=False)
        .exclude(leases__end__gte=today)
        .select_related("house")
        .distinct()
        .order_by("pk")
    )
    for rental in rentals:
        with transaction.atomic():
            raised["lease"] += bool(
                raise_warning(
                    kind=WarningKind.LEASE_ENDED,
                    subject=rental,
                    title=_("Lease ended without a new one: %(house)s")
                    % {"house": rental.house.code},
                    area_code=rental.area_code,
                    now=now,
                )
            )
    stays = ForeignerStay.objects.filter(left_on__isnull=True).select_related("person")
    cutoff = now - datetime.timedelta(hours=FOREIGNER_REGISTRATION_HOURS)
    for stay in stays.filter(registered_at__isnull=True, arrived_at__lt=cutoff).order_by("pk"):
        with transaction.atomic():
            raised["foreigner_police"] += bool(
                raise_warning(
                    kind=WarningKind.POLICE_UNREGISTERED,
                    subject=stay,
                    title=_("Foreigner not registered with the police within 24 hours: %(name)s")
                    % {"name": mask_name(stay.person.name)},
                    area_code=stay.area_code,
                    flagged=True,
                    now=now,
                )
            )
    for stay in stays.filter(visa_expiry__lte=soon).order_by("pk"):
        with transaction.atomic():
            raised["visa"] += bool(
                raise_warning(
                    kind=WarningKind.VISA_EXPIRING,
                    subject=stay,
                    title=_("Visa or residence permit expires on %(date)s: %(name)s")
                    % {"date": stay.visa_expiry, "name": mask_name(stay.person.name)},
                    area_code=stay.area_code,
                    now=now,
                )
            )
    return raised
