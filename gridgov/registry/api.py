import datetime
import json
from collections.abc import Callable
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user
from gridgov.input_guard import column
from gridgov.registry import fields, filters, importing, queries, services, stats, transfers
from gridgov.registry.models import Building, House, Person

router = Router(tags=["registry"])


class PersonOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="Masked: reveal with POST /people/{id}/reveal.")
    other_id: str
    phone: str
    sex: str
    birth_date: datetime.date | None
    age: int | None
    registration: str
    area_code: str


class PersonPage(Schema):
    count: int
    count_capped: bool
    next: str = Field(description="Cursor for the next page (empty at the end).")
    items: list[PersonOut]


class PeopleQuery(Schema):
    area: str = Field("", max_length=20)
    q: str = Field(
        "", max_length=100, description="A name prefix, or a whole ID or phone number (exact)."
    )
    registration: str = Field("", max_length=16)
    sex: str = Field("", max_length=1)
    age: str = Field("", max_length=8, description="0-17, 18-34, 35-59, 60-79 or 80+")
    tag: str = Field("", max_length=20)
    foreigners: bool = False
    after: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=500)


class ListPage(Schema):
    """Paging of a list; its filters are the list's filter in filters.py (documented below)."""

    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


class BuildingQuery(ListPage):
    area: str = Field("", max_length=20, description="An area code: buildings in its subtree.")
    q: str = Field("", max_length=100, description="Part of the name, or a code prefix.")


class OrganizationQuery(ListPage):
    area: str = Field("", max_length=20, description="An area code: those in its subtree.")
    q: str = Field("", max_length=100, description="Part of the name.")
    kind: str = Field("", max_length=20)
    key: bool = Field(False, description="Only key units.")


class PlaceQuery(ListPage):
    area: str = Field("", max_length=20, description="An area code: places in its subtree.")
    q: str = Field("", max_length=100, description="Part of the name.")
    kind: str = Field("", max_length=20)


class PersonIn(Schema):
    name: Annotated[str, column(Person, "name")]
    id_number: str = Field("", max_length=18)
    other_id_type: Annotated[str, column(Person, "other_id_type")] = ""
    other_id: Annotated[str, column(Person, "other_id")] = ""
    former_name: Annotated[str, column(Person, "former_name")] = ""
    ethnicity: Annotated[str, column(Person, "ethnicity")] = ""
    phone: str = Field("", max_length=20)
    registration: Annotated[str, column(Person, "registration")] = "registered"
    nationality: Annotated[str, column(Person, "nationality")] = ""
    visa_expiry: datetime.date | None = None
    house_code: Annotated[str, column(House, "code")] = Field(
        "", description="The house the person lives in."
    )
    education: Annotated[str, column(Person, "education")] = ""
    occupation: Annotated[str, column(Person, "occupation")] = ""
    employer: Annotated[str, column(Person, "employer")] = ""
    marital_status: Annotated[str, column(Person, "marital_status")] = ""
    political_status: Annotated[str, column(Person, "political_status")] = ""


class SavedPerson(Schema):
    created: bool
    person: PersonOut


class RevealIn(Schema):
    reason: str = Field(..., min_length=2, max_length=300)


class RevealOut(Schema):
    id_number: str
    phone: str
    other_id: str


@router.get("/people", response=PersonPage, summary="People in your scope (masked)")
def list_people(request: HttpRequest, params: Query[PeopleQuery]):
    listing = filters.PeopleFilter(request.GET, request.user)
    people = listing.rows()
    page, cursor = queries.keyset_page(
        people.defer(*queries.SEALED_FIELDS), params.after, params.limit
    )
    if listing.shows_tags():
        queries.log_key_population_sight(request.user, page)
    count, capped = queries.count_capped(people)
    return PersonPage(
        count=count,
        count_capped=capped,
        next=cursor,
        items=[PersonOut.model_validate(queries.present_person(p)) for p in page],
    )


@router.post(
    "/people",
    response={200: SavedPerson, 201: SavedPerson},
    summary="Register a person (or update the one their identifier names)",
)
def create_person(request: AuthenticatedRequest, payload: PersonIn):
    data = payload.dict()
    house = _house(request, data.pop("house_code"))
    person, created = services.save_person(data, actor=request.user, house=house)
    return Status(
        201 if created else 200,
        SavedPerson(
            created=created, person=PersonOut.model_validate(queries.present_person(person))
        ),
    )


def _house(request, code: str):
    if not code:
        return None
    house = queries.houses_for(request.user).filter(code=code).first()
    if house is None:
        raise ValidationError({"house_code": _("No house with this code in your scope.")})
    return house


@router.get("/people/{person_id}", response=PersonOut, summary="One person (masked)")
def get_person(request: HttpRequest, person_id: int):
    return queries.present_person(queries.get_person_for_user(request.user, person_id))


class PersonPatch(PersonIn):
    name: Annotated[str, column(Person, "name")] = ""


@router.patch("/people/{person_id}", response=PersonOut, summary="Change a person's record")
def update_person(request: AuthenticatedRequest, person_id: int, payload: PersonPatch):
    """Changes the fields sent; the others keep their values."""
    person = queries.get_person_for_user(request.user, person_id, Action.CHANGE)
    data = {f: getattr(person, f) for f in fields.PERSON}
    data.update(payload.dict(exclude_unset=True))
    house = _house(request, data.pop("house_code", ""))
    person, _created = services.save_person(data, actor=request.user, person=person, house=house)
    return queries.present_person(person)


@router.post(
    "/people/{person_id}/reveal",
    response=RevealOut,
    summary="Reveal the full ID number and phone (logged)",
)
def reveal(request: AuthenticatedRequest, person_id: int, payload: RevealIn):
    person = queries.get_person_for_user(request.user, person_id)
    return services.reveal_person(person, actor=request.user, reason=payload.reason)


class MergeIn(Schema):
    duplicate: int


@router.post(
    "/people/{person_id}/merge",
    response=PersonOut,
    summary="Merge a duplicate record into this one",
)
def merge(request: AuthenticatedRequest, person_id: int, payload: MergeIn):
    keep = queries.get_person_for_user(request.user, person_id, Action.CHANGE)
    drop = queries.get_person_for_user(request.user, payload.duplicate, Action.CHANGE)
    return queries.present_person(services.merge_people(keep, drop, actor=request.user))


class BuildingOut(Schema):
    id: int
    code: str
    name: str
    address: str
    use: str
    units: int
    floors: int
    lon: float | None
    lat: float | None
    area_code: str


class RoomOut(Schema):
    id: int
    code: str
    room: str
    state: str
    use: str
    residents: int
    key_population: bool
    foreigners: bool


class FloorOut(Schema):
    floor: int
    rooms: list[RoomOut]


class UnitOut(Schema):
    unit: int
    floors: list[FloorOut]


@router.get("/buildings", response=list[BuildingOut], summary="Buildings in your scope")
def list_buildings(request: HttpRequest, params: Query[BuildingQuery]):
    rows = filters.BuildingFilter(request.GET, request.user).rows()
    return list(rows[params.offset : params.offset + params.limit])


@router.get(
    "/buildings/{building_id}/table", response=list[UnitOut], summary="The building table (楼盘表)"
)
def building_table(request: HttpRequest, building_id: int):
    building = get_for_user(Building.objects.all(), request.user, pk=building_id)
    return [
        UnitOut(
            unit=u["unit"],
            floors=[
                FloorOut(
                    floor=f["floor"],
                    rooms=[
                        RoomOut(
                            id=c.house.pk,
                            code=c.house.code,
                            room=c.house.room,
                            state=c.house.state,
                            use=c.house.use,
                            residents=c.residents,
                            key_population=c.key,
                            foreigners=c.foreign,
                        )
                        for c in f["rooms"]
                    ],
                )
                for f in u["floors"]
            ],
        )
        for u in queries.building_table(request.user, building)
    ]


class HouseOut(Schema):
    id: int
    code: str
    unit: int
    floor: int
    room: str
    use: str
    state: str
    floor_area: float | None
    residents: list[PersonOut]


@router.get("/houses/{house_id}", response=HouseOut, summary="A house and who lives there")
def get_house(request: HttpRequest, house_id: int):
    house = get_for_user(House.objects.all(), request.user, pk=house_id)
    residents = [
        PersonOut.model_validate(queries.present_person(p))
        for p in queries.people_for(request.user).filter(current_house=house)
    ]
    return HouseOut(
        id=house.pk,
        code=house.code,
        unit=house.unit,
        floor=house.floor,
        room=house.room,
        use=house.use,
        state=house.state,
        floor_area=house.floor_area,
        residents=residents,
    )


class OrganizationOut(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    industry: str
    address: str
    key_unit: bool
    lon: float | None
    lat: float | None
    area_code: str


@router.get("/organizations", response=list[OrganizationOut], summary="Organizations in your scope")
def list_organizations(request: HttpRequest, params: Query[OrganizationQuery]):
    rows = filters.OrganizationFilter(request.GET, request.user).rows()
    return list(rows[params.offset : params.offset + params.limit])


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    category_code: str
    component_code: str
    state: str
    lon: float
    lat: float
    area_code: str


@router.get("/places", response=list[PlaceOut], summary="Places and components in your scope")
def list_places(request: HttpRequest, params: Query[PlaceQuery]):
    rows = filters.PlaceFilter(request.GET, request.user).rows()
    return list(rows[params.offset : params.offset + params.limit])


class StatsOut(Schema):
    area: str
    population_by_age_and_sex: list[dict]
    population_by_registration: list[dict]
    houses_by_state: list[dict]
    organizations_by_kind: list[dict]


@router.get(
    "/registry/stats",
    response=StatsOut,
    summary="Population, housing and organization figures of an area",
)
def registry_stats(request: HttpRequest, area: str = Query("", max_length=20)):
    if area:
        from gridgov.areas.queries import get_area_for_user

        get_area_for_user(request.user, area)
    return StatsOut(
        area=area,
        population_by_age_and_sex=stats.population_by_age_and_sex(request.user, area),
        population_by_registration=stats.population_by_registration(request.user, area),
        houses_by_state=stats.houses_by_state(request.user, area),
        organizations_by_kind=stats.organizations_by_kind(request.user, area),
    )


@router.get(
    "/registry/map.geojson",
    response={200: dict},
    summary="Buildings, places and organizations as map points",
)
def registry_map(
    request: AuthenticatedRequest,
    layer: str = Query(
        "buildings", description="buildings, places or organizations", max_length=20
    ),
    bbox: str = Query("", max_length=100),
):
    models: dict[str, Callable[[User], QuerySet]] = {
        "buildings": queries.buildings_for,
        "places": queries.places_for,
        "organizations": queries.organizations_for,
    }
    if layer not in models:
        raise ValidationError({"layer": _("Unknown layer %(l)s.") % {"l": layer}})
    rows = models[layer](request.user).filter(lon__isnull=False)
    if bbox:
        try:
            x0, y0, x1, y1 = (float(v) for v in bbox.split(","))
        except ValueError:
            raise ValidationError(
                {"bbox": _("bbox must be minLon,minLat,maxLon,maxLat in degrees.")}
            ) from None
        rows = rows.filter(lon__range=(x0, x1), lat__range=(y0, y1))
    extra = "kind" if layer != "buildings" else "use"
    labels = {k: str(v) for k, v in rows.model._meta.get_field(extra).choices or []}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": pk,
                "name": name,
                "kind": kind,
                "kind_label": labels.get(kind, kind),
                "area_code": code,
            },
        }
        for pk, lon, lat, name, kind, code in rows.values_list(
            "pk", "lon", "lat", "name", extra, "area_code"
        )[:20000]
    ]
    return HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        content_type="application/geo+json",
    )


class ImportOut(Schema):
    entity: str
    total: int
    good: int
    bad_rows: int
    error_count: int
    errors: list[dict]
    created: int
    updated: int
    committed: bool


@router.post(
    "/registry/imports",
    response={200: ImportOut, 400: ImportOut},
    summary="Import an Excel or CSV file",
)
def import_file(
    request: AuthenticatedRequest,
    file: File[UploadedFile],
    entity: str = Form(..., max_length=20),
    commit: Form[bool] = False,
    mode: str = Form("good", max_length=10),
):
    """A dry run lists every bad row (row number, column, reason). With `commit`, mode `good`
    imports the good rows; mode `all` imports nothing unless every row is good (400 otherwise)."""
    if (file.size or 0) > settings.GRIDGOV_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (limit %(mb)d MB).")
            % {"mb": settings.GRIDGOV_MAX_UPLOAD_BYTES // 2**20}
        )
    data = file.read()
    if commit:
        report = importing.commit(
            entity, data, file.name or "upload", actor=request.user, mode=mode
        )
        return Status(200 if report.committed else 400, report.summary())
    return importing.check(entity, data, file.name or "upload", actor=request.user).summary()


class TransferRecordOut(Schema):
    id: int
    name: str
    area_code: str


class TransferOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    target_code: str
    requested_at: str
    due_at: str
    due_label: str
    decided_at: str | None
    mine: bool
    may_decide: bool
    holder_code: str | None = None
    requested_by: str | None = None
    record: TransferRecordOut | None = Field(
        None, description="Only for the area that decides; a requester never sees the record."
    )


class DecisionIn(Schema):
    accept: bool
    note: str = Field("", max_length=500)


@router.get(
    "/transfers", response=list[TransferOut], summary="Transfer requests you decide or made"
)
def list_transfers(request: HttpRequest, limit: int = Query(100, ge=1, le=500)):
    rows = filters.TransferFilter(request.GET, request.user).rows()[:limit]
    return [transfers.present_transfer(t, request.user) for t in rows]


@router.get("/transfers/{transfer_id}", response=TransferOut, summary="One transfer request")
def get_transfer(request: HttpRequest, transfer_id: int):
    transfer = transfers.get_transfer_for_user(request.user, transfer_id)
    return transfers.present_transfer(transfer, request.user)


@router.post(
    "/transfers/{transfer_id}/decide",
    response=TransferOut,
    summary="Move the record to the requester's area, or refuse",
)
def decide_transfer(request: AuthenticatedRequest, transfer_id: int, payload: DecisionIn):
    transfer = transfers.get_transfer_for_user(request.user, transfer_id)
    transfer = transfers.decide_transfer(
        transfer, actor=request.user, accept=payload.accept, note=payload.note
    )
    return transfers.present_transfer(transfer, request.user)


from gridgov.registry.gazetteer_api import router as gazetteer_router  # noqa: E402

router.add_router("", gazetteer_router)
