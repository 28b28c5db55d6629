"""The address gazetteer's API: search as you type, and the nearest address for a point."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.registry import gazetteer
from gridgov.registry.models import Address

router = Router(tags=["registry"])


class AddressOut(Schema):
    id: int
    kind: str
    name: str
    road: str
    number: str
    compound: str
    building: str
    unit: str
    room: str
    lon: float
    lat: float
    area_code: str = Field(description="The grid the address lies in.")

    @staticmethod
    def of(a: Address) -> "AddressOut":
        return AddressOut(
            id=a.pk,
            kind=a.kind,
            name=a.name,
            road=a.road,
            number=a.number,
            compound=a.compound,
            building=a.building,
            unit=a.unit,
            room=a.room,
            lon=a.lon,
            lat=a.lat,
            area_code=a.area_code,
        )


class NearestOut(AddressOut):
    distance_m: float


class SearchQuery(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=60,
        description="What was typed: part of a name, pinyin initials (jsq), 'A与B交叉口'.",
    )
    near: str = Field("", max_length=20, description="The searcher's area code (ranks first).")
    limit: int = Field(10, ge=1, le=50)


class ReverseQuery(Schema):
    lon: float = Field(..., ge=-180, le=180)
    lat: float = Field(..., ge=-90, le=90)
    radius: float = Field(2000, gt=0, le=10000, description="Search radius in metres.")


@router.get(
    "/addresses",
    response=list[AddressOut],
    summary="Search standard addresses",
)
def search_addresses(request: AuthenticatedRequest, params: Query[SearchQuery]):
    hits = gazetteer.search(request.user, params.q, near=params.near, limit=params.limit)
    return [AddressOut.of(h.address) for h in hits]


@router.get(
    "/addresses/reverse",
    response=NearestOut,
    summary="The nearest standard address to a point",
)
def reverse_address(request: AuthenticatedRequest, params: Query[ReverseQuery]):
    found = gazetteer.nearest(request.user, params.lon, params.lat, radius_m=params.radius)
    if found is None:
        raise Http404(_("No address near this point."))
    address, distance = found
    return NearestOut(**AddressOut.of(address).dict(), distance_m=round(distance, 1))
