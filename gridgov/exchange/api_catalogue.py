"""The data catalogue for client systems (API key in `X-Api-Key`, like the change feed).

- `GET /exchange/catalogue`: the data sets with their share class and fields, and the calling
  client's own applications;
- `POST /exchange/applications`: apply for a conditional data set;
- `GET|POST /exchange/packages`: the client's own packages / ask for one (made by the job);
- `GET /exchange/packages/{id}/download`: the zip (each download is in the exchange log).

A client sees only its own applications and packages, and a package holds only its areas.
"""

import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from pydantic import Field

from gridgov.accounts.system import EXCHANGE, system_user
from gridgov.exchange.models import ClientSystem, DataApplication, ExchangePackage
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import authenticate_client

router = Router()


def _client(request: HttpRequest) -> ClientSystem:
    client = authenticate_client(request.headers.get("X-Api-Key", ""))
    if client is None:
        raise AuthenticationError()
    return client


class FieldOut(Schema):
    name: str
    label: str
    personal: bool
    masked: bool
    code_table: str


class DataSetOut(Schema):
    key: str
    name_zh: str
    name_en: str
    share: str
    special: bool
    incremental: bool
    fields: list[FieldOut]


class ApplicationOut(Schema):
    id: int
    dataset: str
    fields: list[str]
    purpose: str
    legal_basis: str
    recipient: str
    expires_on: datetime.date
    state: str
    submitted_at: datetime.datetime
    due_at: datetime.datetime
    overdue: bool
    decided_at: datetime.datetime | None
    decision_reason: str


class CatalogueOut(Schema):
    version: int
    datasets: list[DataSetOut]
    applications: list[ApplicationOut]


def _application(app: DataApplication) -> dict:
    return {
        "id": app.pk,
        "dataset": app.dataset,
        "fields": app.fields,
        "purpose": app.purpose,
        "legal_basis": app.legal_basis,
        "recipient": app.recipient,
        "expires_on": app.expires_on,
        "state": app.state,
        "submitted_at": app.submitted_at,
        "due_at": app.due_at,
        "overdue": catalogue.is_overdue(app),
        "decided_at": app.decided_at,
        "decision_reason": app.decision_reason,
    }


@router.get("/exchange/catalogue", response=CatalogueOut, auth=None, summary="Data catalogue")
def get_catalogue(request: HttpRequest):
    client = _client(request)
    datasets = [
        {
            "key": d.key,
            "name_zh": d.name_zh,
            "name_en": d.name_en,
            "share": d.share,
            "special": d.special,
            "incremental": d.incremental,
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "personal": f.personal,
                    "masked": f.masked,
                    "code_table": f.table,
                }
                for f in d.fields
            ],
        }
        for d in catalogue.DATASETS.values()
    ]
    apps = DataApplication.objects.filter(client=client).order_by("-submitted_at", "-pk")[:200]
    return {
        "version": catalogue.CATALOGUE_VERSION,
        "datasets": datasets,
        "applications": [_application(a) for a in apps],
    }


class ApplicationIn(Schema):
    dataset: str = Field(..., max_length=40)
    fields: list[Annotated[str, Field(max_length=40)]] = Field(..., max_length=40)
    purpose: str = Field(..., max_length=500)
    legal_basis: str = Field(..., max_length=300)
    recipient: str = Field("", max_length=200)
    expires_on: datetime.date


@router.post(
    "/exchange/applications",
    response={201: ApplicationOut},
    auth=None,
    summary="Apply for a conditional data set",
)
def apply(request: HttpRequest, payload: ApplicationIn):
    client = _client(request)
    app = catalogue.apply_for(
        system_user(EXCHANGE),
        client,
        dataset_key=payload.dataset,
        fields=payload.fields,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        recipient=payload.recipient,
        expires_on=payload.expires_on,
    )
    return Status(201, _application(app))


class PackageIn(Schema):
    dataset: str = Field(..., max_length=40)
    full: bool = False
    fmt: str = Field("jsonl", max_length=5)
    suite: str = Field("sm", max_length=6)


class PackageOut(Schema):
    id: int
    dataset: str
    full: bool
    fmt: str
    suite: str
    state: str
    progress: int
    records: int
    encrypted: bool
    since: datetime.datetime | None
    until: datetime.datetime | None
    hash: str
    error: str
    created_at: datetime.datetime


def _package(p: ExchangePackage) -> dict:
    return {
        "id": p.pk,
        "dataset": p.dataset,
        "full": p.full,
        "fmt": p.fmt,
        "suite": p.suite,
        "state": p.state,
        "progress": p.progress,
        "records": p.records,
        "encrypted": p.encrypted,
        "since": p.since,
        "until": p.until,
        "hash": p.sha256,
        "error": p.error,
        "created_at": p.created_at,
    }


@router.get(
    "/exchange/packages", response=list[PackageOut], auth=None, summary="The client's packages"
)
def list_packages(request: HttpRequest):
    client = _client(request)
    rows = ExchangePackage.objects.filter(client=client).defer("content")
    return [_package(p) for p in rows.order_by("-created_at", "-pk")[:200]]


@router.post(
    "/exchange/packages", response={202: PackageOut}, auth=None, summary="Ask for a package"
)
def ask_package(request: HttpRequest, payload: PackageIn):
    client = _client(request)
    package = packages.request_package(
        system_user(EXCHANGE),
        client,
        dataset_key=payload.dataset,
        full=payload.full,
        fmt=payload.fmt,
        suite=payload.suite,
    )
    return Status(202, _package(package))


@router.get(
    "/exchange/packages/{package_id}/download", auth=None, summary="Download a package (zip)"
)
def download_package(request: HttpRequest, package_id: int):
    client = _client(request)
    try:
        package = packages.download(client, package_id)
    except ExchangePackage.DoesNotExist:
        raise HttpError(404, "No such package ready for this client.") from None
    response = HttpResponse(bytes(package.content or b""), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.dataset}-{package.pk}.zip"'
    response["Cache-Control"] = "no-store"
    response["X-Package-Hash"] = package.sha256
    return response
