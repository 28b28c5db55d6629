"""API writes of special-population records and rented houses (with their leases and tenants).

The request schemas are made from the desk forms (`forms_populations`), and every payload is
checked by the same form before the same service sees it: one list of fields, one validation,
the same rights. A PATCH starts from the stored values (the desk's edit form's) and lays the
fields sent over them; it may carry the `updated_at` it read: a later change answers 409.
The routes join the populations' router (one router per path: ninja serves a path from the
first router that has it).
"""

import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Schema, Status
from pydantic import BaseModel, ConfigDict, Field, create_model

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.lines.api_disputes import ResultIn, photo_bytes
from gridgov.lines.api_populations import RecordDetailOut, record_detail, router
from gridgov.lines.forms_populations import (
    LeaseForm,
    RecordForm,
    RentalForm,
    TenantForm,
    record_initial,
    rental_initial,
)
from gridgov.lines.models import (
    PopulationCategory,
    RentalHouse,
    SpecialRecord,
    Tenant,
)
from gridgov.lines.services import hazards, populations, rentals
from gridgov.masking import mask_name

MAX_DETAILS = 40


def schema_of(
    form_class: type[forms.Form],
    name: str,
    *,
    exclude: tuple[str, ...] = (),
    optional: bool = False,
    **extra: Any,
) -> type[BaseModel]:
    """A request schema with the form's fields: texts keep the form's `max_length`, numbers
    its bounds, a choice of a row is its id. `optional`: every field may be left out (PATCH)."""
    fields: dict[str, Any] = {}
    for field_name, field in form_class.base_fields.items():
        if field_name in exclude:
            continue
        limits: dict[str, Any] = {}
        kind: Any
        if isinstance(field, forms.ModelChoiceField):
            kind, limits = int, {"ge": 1, "le": 2_147_483_647}
        elif isinstance(field, forms.IntegerField):
            kind = int
            limits = {"ge": field.min_value, "le": field.max_value}
        elif isinstance(field, forms.DateField):
            kind = datetime.date
        elif isinstance(field, forms.BooleanField):
            kind = bool
        elif isinstance(field, forms.CharField):
            kind = str
            limits = {"max_length": field.max_length or 2000}
        else:  # pragma: no cover - a form field of a kind this map does not know
            raise TypeError(f"{form_class.__name__}.{field_name}")
        limits = {k: v for k, v in limits.items() if v is not None}
        typed = Annotated[kind, Field(**limits)] if limits else kind
        if field.required and not optional:
            fields[field_name] = (typed, ...)
        else:
            fields[field_name] = (typed | None, None)
    fields.update(extra)
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


DetailsIn = dict[
    Annotated[str, Field(max_length=40)],
    Annotated[str, Field(max_length=200)] | int | None,
]
VERSION = (datetime.datetime | None, None)

if TYPE_CHECKING:  # made at run time from the forms; the checker sees them as Any
    RecordIn: TypeAlias = Any
    RecordPatch: TypeAlias = Any
    LeaseIn: TypeAlias = Any
    TenantIn: TypeAlias = Any
    RentalIn: TypeAlias = Any
    RentalPatch: TypeAlias = Any
else:
    RecordIn = schema_of(RecordForm, "RecordIn", details=(DetailsIn, {}))
    RecordPatch = schema_of(
        RecordForm,
        "RecordPatch",
        exclude=("person", "category", "risk_level"),
        optional=True,
        details=(DetailsIn | None, None),
        updated_at=VERSION,
    )
    LeaseIn = schema_of(LeaseForm, "LeaseIn")
    TenantIn = schema_of(TenantForm, "TenantIn")
    RentalIn = schema_of(
        RentalForm,
        "RentalIn",
        leases=(list[LeaseIn], Field(default_factory=list, max_length=20)),
        tenants=(list[TenantIn], Field(default_factory=list, max_length=100)),
    )
    RentalPatch = schema_of(
        RentalForm, "RentalPatch", exclude=("house",), optional=True, updated_at=VERSION
    )


class TenantPatch(BaseModel):
    """What the desk records of a tenant later: the police registration seen, moving out."""

    model_config = ConfigDict(extra="forbid")
    police_registered_on: datetime.date | None = None
    moved_out: datetime.date | None = None


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


class LeaseOut(Schema):
    id: int
    start: datetime.date
    end: datetime.date


class TenantOut(Schema):
    id: int
    name: str
    moved_in: datetime.date
    moved_out: datetime.date | None
    permit_expiry: datetime.date | None
    police_registered_on: datetime.date | None


class RentalInspectionOut(Schema):
    id: int
    at: datetime.datetime
    plan: str
    occupants: int | None
    failures: int
    failed: list[str]
    hazards: list[str]


class RentalInspectionIn(BaseModel):
    """The rental-housing plan's checklist, item by item (a failure needs a photo and becomes a
    hazard of the house), and the occupants found (more than allowed: overcrowding)."""

    occupants: int = Field(..., ge=0, le=500)
    note: str = Field("", max_length=2000)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    results: list[ResultIn] = Field(..., min_length=1, max_length=200)


class RentalDetailOut(Schema):
    id: int
    house_id: int
    house_code: str
    landlord: str
    landlord_person_id: int | None
    landlord_org_id: int | None
    max_occupants: int
    duty_signed_on: datetime.date | None
    risk_colour: str
    area_code: str
    updated_at: datetime.datetime
    leases: list[LeaseOut]
    tenants: list[TenantOut]
    inspections: list[RentalInspectionOut]


def _conflict(exc: populations.Conflict):
    return Status(409, {"code": "conflict", "message": " ".join(exc.messages), "details": None})


def _refuse(form: forms.Form) -> ValidationError:
    """The form's errors as the API's 400 (a category's own field `d_x` named `details.x`)."""
    return ValidationError(
        {
            (f"details.{k[2:]}" if k.startswith("d_") else k): [str(m) for m in v]
            for k, v in form.errors.items()
        }
    )


def _details(values: dict | None) -> dict[str, Any]:
    if values is not None and len(values) > MAX_DETAILS:
        raise ValidationError({"details": "too many fields"})
    return {f"d_{k}": v for k, v in (values or {}).items()}


def _require_right(request: AuthenticatedRequest) -> None:
    if not user_may(request.user, Action.VIEW_SPECIAL_POPULATION):
        raise PermissionDenied


@router.post(
    "/lines/populations",
    response={201: RecordDetailOut, 409: ErrorOut},
    summary="Create a special-population record (the desk form's fields)",
)
def create_record(request: AuthenticatedRequest, payload: RecordIn):
    _require_right(request)
    data = payload.model_dump(exclude={"details"})
    category = PopulationCategory.objects.filter(pk=data["category"], active=True).first()
    form = RecordForm(data | _details(payload.details), user=request.user, category=category)
    if not form.is_valid():
        raise _refuse(form)
    try:
        record = populations.create_record(
            form.cleaned_data["person"],
            actor=request.user,
            category=form.cleaned_data["category"],
            risk_level=form.cleaned_data["risk_level"],
            facts=form.facts(),
        )
    except populations.Conflict as exc:
        return _conflict(exc)
    return Status(201, record_detail(request, record))


@router.patch(
    "/lines/populations/{record_id}",
    response={200: RecordDetailOut, 409: ErrorOut},
    summary="Change a special-population record's facts (fields left out keep their values)",
)
def update_record(request: AuthenticatedRequest, record_id: int, payload: RecordPatch):
    _require_right(request)
    target = get_for_user(
        SpecialRecord.objects.select_related("category", "person", "responsible"),
        request.user,
        Action.VIEW_SPECIAL_POPULATION,
        pk=record_id,
    )
    sent = payload.model_dump(exclude_unset=True, exclude={"details", "updated_at"})
    data = record_initial(target) | sent
    if payload.details is not None:
        data |= _details(payload.details)
    form = RecordForm(data, user=request.user, category=target.category, editing=True)
    if not form.is_valid():
        raise _refuse(form)
    try:
        populations.update_record(
            target, actor=request.user, facts=form.facts(), expected_updated_at=payload.updated_at
        )
    except populations.Conflict as exc:
        return _conflict(exc)
    return record_detail(request, target)


# ---- rented houses --------------------------------------------------------------------------


def _rental_detail(request: AuthenticatedRequest, rental: RentalHouse) -> dict:
    tenants = restrict(rental.tenants.select_related("person"), request.user).order_by(
        "moved_out", "-moved_in", "pk"
    )[:100]
    landlord = (
        mask_name(rental.landlord_person.name)
        if rental.landlord_person
        else (rental.landlord_org.name if rental.landlord_org else "")
    )
    return {
        "id": rental.pk,
        "house_id": rental.house_id,
        "house_code": rental.house.code,
        "landlord": landlord,
        "landlord_person_id": rental.landlord_person_id,
        "landlord_org_id": rental.landlord_org_id,
        "max_occupants": rental.max_occupants,
        "duty_signed_on": rental.duty_signed_on,
        "risk_colour": rental.risk_colour,
        "area_code": rental.area_code,
        "updated_at": rental.updated_at,
        "leases": list(restrict(rental.leases.all(), request.user).order_by("-start", "pk")[:20]),
        "tenants": [
            {
                "id": t.pk,
                "name": mask_name(t.person.name),
                "moved_in": t.moved_in,
                "moved_out": t.moved_out,
                "permit_expiry": t.permit_expiry,
                "police_registered_on": t.police_registered_on,
            }
            for t in tenants
        ],
        "inspections": hazards.rental_inspections(rental, request.user),
    }


def _rental(request: AuthenticatedRequest, rental_id: int, action: str = Action.CHANGE):
    return get_for_user(
        RentalHouse.objects.select_related("house", "landlord_person", "landlord_org"),
        request.user,
        action,
        pk=rental_id,
    )


def _checked(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise _refuse(form)
    return form.cleaned_data


@router.get(
    "/lines/rentals/{rental_id}",
    response=RentalDetailOut,
    summary="One rented house: landlord, leases, tenants (masked), inspections",
)
def get_rental(request: AuthenticatedRequest, rental_id: int):
    return _rental_detail(request, _rental(request, rental_id, Action.VIEW))


@router.post(
    "/lines/rentals",
    response={201: RentalDetailOut, 409: ErrorOut},
    summary="Make a registry house a rented house, with its leases and tenants",
)
def create_rental(request: AuthenticatedRequest, payload: RentalIn):
    data = payload.model_dump(exclude={"leases", "tenants"})
    form = RentalForm(data, user=request.user)
    facts = _checked(form)
    leases = [_checked(LeaseForm(lease.model_dump())) for lease in payload.leases]
    tenants = [
        _checked(TenantForm(tenant.model_dump(), user=request.user)) for tenant in payload.tenants
    ]
    try:
        rental = rentals.create_rental(
            facts["house"],
            actor=request.user,
            leases=leases,
            tenants=tenants,
            **form.facts(),
        )
    except populations.Conflict as exc:
        return _conflict(exc)
    return Status(201, _rental_detail(request, _rental(request, rental.pk, Action.VIEW)))


@router.patch(
    "/lines/rentals/{rental_id}",
    response={200: RentalDetailOut, 409: ErrorOut},
    summary="Change a rented house's landlord and limits (fields left out keep their values)",
)
def update_rental(request: AuthenticatedRequest, rental_id: int, payload: RentalPatch):
    target = _rental(request, rental_id)
    sent = payload.model_dump(exclude_unset=True, exclude={"updated_at"})
    form = RentalForm(rental_initial(target) | sent, user=request.user, editing=True)
    _checked(form)
    try:
        rentals.save_rental(
            target.house,
            actor=request.user,
            expected_updated_at=payload.updated_at,
            **form.facts(),
        )
    except populations.Conflict as exc:
        return _conflict(exc)
    return _rental_detail(request, _rental(request, rental_id, Action.VIEW))


@router.post(
    "/lines/rentals/{rental_id}/leases",
    response={201: RentalDetailOut},
    summary="Add a lease period to a rented house",
)
def add_lease(request: AuthenticatedRequest, rental_id: int, payload: LeaseIn):
    target = _rental(request, rental_id)
    rentals.add_lease(target, actor=request.user, **_checked(LeaseForm(payload.model_dump())))
    return Status(201, _rental_detail(request, target))


@router.post(
    "/lines/rentals/{rental_id}/tenants",
    response={201: RentalDetailOut},
    summary="Add a tenant (a registry person) with the residence permit and police registration",
)
def add_tenant(request: AuthenticatedRequest, rental_id: int, payload: TenantIn):
    target = _rental(request, rental_id)
    data = _checked(TenantForm(payload.model_dump(), user=request.user))
    rentals.add_tenant(
        target,
        data["person"],
        actor=request.user,
        moved_in=data["moved_in"],
        permit_expiry=data["permit_expiry"],
        police_registered_on=data["police_registered_on"],
    )
    return Status(201, _rental_detail(request, target))


@router.patch(
    "/lines/rentals/{rental_id}/tenants/{tenant_id}",
    response=RentalDetailOut,
    summary="Record a tenant's police registration or moving out",
)
def update_tenant(
    request: AuthenticatedRequest, rental_id: int, tenant_id: int, payload: TenantPatch
):
    target = _rental(request, rental_id)
    tenant = get_for_user(
        Tenant.objects.filter(rental=target), request.user, Action.CHANGE, pk=tenant_id
    )
    if payload.police_registered_on is None and payload.moved_out is None:
        raise ValidationError({"body": "send police_registered_on or moved_out"})
    if payload.police_registered_on is not None:
        rentals.check_police_registration(
            tenant, actor=request.user, registered_on=payload.police_registered_on
        )
    if payload.moved_out is not None:
        rentals.move_out(tenant, actor=request.user, on=payload.moved_out)
    return _rental_detail(request, target)


@router.post(
    "/lines/rentals/{rental_id}/inspections",
    response={201: RentalDetailOut},
    summary="Inspect a rented house against the rental-housing checklist",
)
def inspect_rental(request: AuthenticatedRequest, rental_id: int, payload: RentalInspectionIn):
    target = _rental(request, rental_id)
    rentals.inspect_rental(
        target,
        actor=request.user,
        occupants=payload.occupants,
        note=payload.note,
        lon=payload.lon,
        lat=payload.lat,
        results=[
            hazards.ResultInput(r.item_id, r.result, r.note, photo_bytes(r.photo_base64))
            for r in payload.results
        ],
    )
    return Status(201, _rental_detail(request, _rental(request, rental_id, Action.VIEW)))
