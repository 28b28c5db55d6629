"""API writes of foreigners' stays outside hotels (出境入境管理法 art. 39): record a stay, record
its police registration, and correct it as the desk form does (leaving included). Every route
needs the foreign-affairs right and a stay in the caller's scope (404 otherwise); the reads
(`GET /lines/foreigners`) are in `api_populations`. The routes join the populations' router."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Status
from pydantic import BaseModel, ConfigDict, Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.lines.api_populations import ForeignerOut, router
from gridgov.lines.forms_populations import people_in_scope
from gridgov.lines.models import ForeignerStay, RentalHouse
from gridgov.lines.services import rentals
from gridgov.masking import mask_name


class StayIn(BaseModel):
    """A foreigner staying outside a hotel: a registry person, the arrival (the police
    registration is due within 24 hours), the visa or residence permit's expiry, the house."""

    model_config = ConfigDict(extra="forbid")
    person: int = Field(..., ge=1, le=2_147_483_647)
    nationality: str = Field(..., min_length=1, max_length=40)
    arrived_at: datetime.datetime
    visa_expiry: datetime.date | None = None
    rental: int | None = Field(None, ge=1, le=2_147_483_647)
    registered_at: datetime.datetime | None = None


class StayPatch(BaseModel):
    """The desk form's corrections of a stay: only the fields sent change; null clears the
    expiry, the house, the registration or the leaving date."""

    model_config = ConfigDict(extra="forbid")
    nationality: str | None = Field(None, min_length=1, max_length=40)
    arrived_at: datetime.datetime | None = None
    visa_expiry: datetime.date | None = None
    rental: int | None = Field(None, ge=1, le=2_147_483_647)
    registered_at: datetime.datetime | None = None
    left_on: datetime.date | None = None


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    registered_at: datetime.datetime | None = None


def _stay_out(stay: ForeignerStay) -> dict:
    return {
        "left_on": stay.left_on,
        "id": stay.pk,
        "name": mask_name(stay.person.name),
        "nationality": stay.nationality,
        "arrived_at": stay.arrived_at,
        "registered_at": stay.registered_at,
        "registration_late": rentals.registration_late(stay),
        "visa_expiry": stay.visa_expiry,
        "area_code": stay.area_code,
    }


def _require_foreign(request: AuthenticatedRequest) -> None:
    if not user_may(request.user, Action.VIEW_FOREIGN_AFFAIRS):
        raise PermissionDenied


@router.post(
    "/lines/foreigners",
    response={201: ForeignerOut},
    summary="Record a foreigner's stay outside a hotel",
)
def create_stay(request: AuthenticatedRequest, payload: StayIn):
    _require_foreign(request)
    person = people_in_scope(request.user).filter(pk=payload.person).first()
    if person is None:
        raise ValidationError({"person": _("No such person in your scope.")})
    rental: RentalHouse | None = None
    if payload.rental is not None:
        houses = restrict(RentalHouse.objects.all(), request.user, Action.CHANGE)
        rental = houses.filter(pk=payload.rental).first()
        if rental is None:
            raise ValidationError({"rental": _("No such rented house in your scope.")})
    stay = rentals.record_stay(
        person,
        actor=request.user,
        nationality=payload.nationality,
        arrived_at=payload.arrived_at,
        visa_expiry=payload.visa_expiry,
        rental=rental,
        registered_at=payload.registered_at,
    )
    return Status(201, _stay_out(stay))


@router.post(
    "/lines/foreigners/{stay_id}/registration",
    response=ForeignerOut,
    summary="Record a stay's registration with the police (now, or the time given)",
)
def register_stay(request: AuthenticatedRequest, stay_id: int, payload: RegistrationIn):
    _require_foreign(request)
    stay = get_for_user(
        ForeignerStay.objects.select_related("person"),
        request.user,
        Action.VIEW_FOREIGN_AFFAIRS,
        pk=stay_id,
    )
    return _stay_out(rentals.register_stay(stay, actor=request.user, when=payload.registered_at))


@router.patch(
    "/lines/foreigners/{stay_id}",
    response=ForeignerOut,
    summary="Correct a foreigner's stay (as the desk form; leaving included)",
)
def update_stay(request: AuthenticatedRequest, stay_id: int, payload: StayPatch):
    _require_foreign(request)
    stay = get_for_user(
        ForeignerStay.objects.select_related("person", "rental"),
        request.user,
        Action.VIEW_FOREIGN_AFFAIRS,
        pk=stay_id,
    )
    sent = payload.model_fields_set
    if ("nationality" in sent and payload.nationality is None) or (
        "arrived_at" in sent and payload.arrived_at is None
    ):
        raise ValidationError(_("The nationality and the arrival cannot be cleared."))
    rental = stay.rental
    if "rental" in sent:
        rental = None
        if payload.rental is not None:
            houses = restrict(RentalHouse.objects.all(), request.user, Action.CHANGE)
            rental = houses.filter(pk=payload.rental).first()
            if rental is None:
                raise ValidationError({"rental": _("No such rented house in your scope.")})

    def value(name: str):
        return getattr(payload, name) if name in sent else getattr(stay, name)

    updated = rentals.update_stay(
        stay,
        actor=request.user,
        nationality=value("nationality"),
        arrived_at=value("arrived_at"),
        visa_expiry=value("visa_expiry"),
        rental=rental,
        registered_at=value("registered_at"),
        left_on=value("left_on"),
    )
    return _stay_out(updated)
