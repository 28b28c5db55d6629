from gridgov.registry.models.buildings import Building, BuildingUse, House, HouseState, HouseUse
from gridgov.registry.models.gazetteer import Address, AddressKey, AddressKind
from gridgov.registry.models.people import (
    KEY_CATEGORIES,
    Household,
    HouseholdMember,
    KeyPopulationTag,
    Person,
    RegistrationType,
    Residence,
    ResidenceRelation,
    Sex,
    Visit,
)
from gridgov.registry.models.transfers import TransferKind, TransferRequest, TransferStatus
from gridgov.registry.models.units import Organization, OrganizationKind, Place, PlaceKind

__all__ = [
    "KEY_CATEGORIES",
    "Address",
    "AddressKey",
    "AddressKind",
    "Building",
    "BuildingUse",
    "House",
    "HouseState",
    "HouseUse",
    "Household",
    "HouseholdMember",
    "KeyPopulationTag",
    "Organization",
    "OrganizationKind",
    "Person",
    "Place",
    "PlaceKind",
    "RegistrationType",
    "Residence",
    "ResidenceRelation",
    "Sex",
    "TransferKind",
    "TransferRequest",
    "TransferStatus",
    "Visit",
]
