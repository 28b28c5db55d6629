"""Open311 POSTs become cases through the intake service (channel open311, acting as the Open311
system account), once per request: a client's retry gives back the same token and case."""

import hashlib
import math
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.scope import restrict
from gridgov.areas.locator import locator
from gridgov.cases.models import Case, Channel
from gridgov.cases.services import report_case
from gridgov.exchange.models import ClientSystem, Open311Token
from gridgov.exchange.open311.mapping import public_category
from gridgov.exchange.services.clients import client_area_codes
from gridgov.registry import gazetteer
from gridgov.registry.models import Address


@dataclass
class PostedRequest:
    service_code: str
    lat: float | None = None
    long: float | None = None
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    idempotency_key: str = ""

    def digest(self, client: ClientSystem) -> str:
        """What makes a retry the same request: the client's own key, or everything it sent."""
        if self.idempotency_key:
            basis = f"key\n{self.idempotency_key}"
        else:
            basis = "\n".join(
                str(v)
                for v in (
                    self.service_code, self.lat, self.long, self.address_string, self.address_id,
                    self.description, self.first_name, self.last_name, self.phone, self.email,
                    self.device_id, self.account_id, self.media_url,
                )
            )  # fmt: skip
        return hashlib.sha256(f"{client.pk}\n{basis}".encode()).hexdigest()[:40]


def _in_client_scope(client: ClientSystem, code: str) -> bool:
    return any(code.startswith(p) for p in client_area_codes(client))


def _where(actor: User, client: ClientSystem, req: PostedRequest) -> dict:
    """Arguments of report_case that say where: a point, else the text of an address (the case
    then waits to be located in the client's first area)."""
    if req.lat is not None or req.long is not None:
        if req.lat is None or req.long is None:
            raise ValidationError({"lat": _("Give both lat and long, or neither.")})
        if not (math.isfinite(req.lat) and math.isfinite(req.long)):
            raise ValidationError({"lat": _("The position is not a valid longitude and latitude.")})
        return {"lon": req.long, "lat": req.lat, "address": req.address_string[:200]}
    if req.address_id:
        if not req.address_id.isdigit() or len(req.address_id) > 12:
            raise ValidationError({"address_id": _("Unknown address_id.")})
        address = restrict(Address.objects.all(), actor).filter(pk=int(req.address_id)).first()
        if address is None:
            raise ValidationError({"address_id": _("Unknown address_id.")})
        return {"lon": address.lon, "lat": address.lat, "address": address.name}
    text = req.address_string.strip()
    if not text:
        raise ValidationError(
            {"lat": _("Give a location: lat and long, address_string or address_id.")}
        )
    found = gazetteer.locate_text(actor, text)
    if found is not None:
        return {"lon": found.lon, "lat": found.lat, "address": text[:200]}
    areas = sorted(client_area_codes(client))
    if not areas:
        raise PermissionDenied(_("This client may not report anywhere."))
    return {"address": text[:200], "area_code": areas[0]}


@transaction.atomic
def submit_request(
    actor: User, client: ClientSystem, req: PostedRequest
) -> tuple[Open311Token, Case, bool]:
    """The token and case of a POSTed request, and whether it is new."""
    category = public_category(req.service_code)
    if category is None:
        raise LookupError(req.service_code)
    key = req.digest(client)
    token = Open311Token.objects.filter(client=client, request_key=key).first()
    if token is not None and token.case is not None:
        return token, token.case, False
    where = _where(actor, client, req)
    if "lon" in where:
        hit = locator.locate(where["lon"], where["lat"])
        if hit is not None and not _in_client_scope(client, hit.code):
            raise PermissionDenied(_("This place lies outside the areas of this client."))
    elif not _in_client_scope(client, where["area_code"]):
        raise PermissionDenied(_("This place lies outside the areas of this client."))
    name = " ".join(p for p in (req.first_name.strip(), req.last_name.strip()) if p)
    description = req.description.strip() or category.name
    if req.media_url:
        description = f"{description}\n{req.media_url}"
    case, created = report_case(
        actor=actor,
        channel=Channel.OPEN311,
        category=category,
        description=description[:4000],
        title=category.name,
        reporter_name=name[:50],
        reporter_phone="".join(ch for ch in req.phone if ch.isdigit() or ch == "+")[:20],
        idempotency_key=f"o311-{key}",
        **where,
    )
    if token is None:
        try:
            with transaction.atomic():
                token = Open311Token.objects.create(
                    token=secrets.token_hex(16), client=client, request_key=key, case=case
                )
        except IntegrityError:
            token = Open311Token.objects.get(client=client, request_key=key)
    if token.case_id != case.pk:
        token.case = case
        token.save(update_fields=["case"])
    return token, case, created
