"""Issuing, authenticating, rotating and revoking client systems.

Only holders of the MANAGE_CLIENTS right manage them; every change is in the change log. The
API key and a new secret are shown once, when issued; the database keeps the key's SHA-256 and
the secret sealed.
"""

import datetime
import hashlib
import hmac
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.areas.models import Area
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.exchange.models import ClientKind, ClientSystem

_FIELDS = ["name", "kind", "owner_unit", "contact", "data_kinds", "key_prefix", "revoked_at"]
ROTATION_OVERLAP = datetime.timedelta(days=7)
# An event type or a data set, or a pattern of them: "case.*", "warning.issued", "*".
DATA_KIND = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.([a-z][a-z0-9_]*|\*))*)$")
MAX_DATA_KINDS = 30


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def require_manager(actor: User) -> None:
    """The one check for managing client systems, their endpoints and deliveries."""
    if not user_may(actor, Action.MANAGE_CLIENTS):
        raise PermissionDenied(_("You may not manage client systems."))


@transaction.atomic
def issue_client(
    actor: User,
    *,
    name: str,
    kind: str,
    area_codes: list[str],
    data_kinds: list[str] | None = None,
    owner_unit: str = "",
    contact: str = "",
) -> tuple[ClientSystem, str]:
    """A new client system and its API key (shown once). Its secret is on `client.secret`."""
    require_manager(actor)
    if kind not in ClientKind.values:
        raise ValidationError({"kind": _("Unknown kind of client system.")})
    if not name.strip():
        raise ValidationError({"name": _("Give the client system a name.")})
    if not area_codes:
        raise ValidationError({"areas": _("Choose the areas whose data the client may see.")})
    areas = list(Area.objects.active().filter(code__in=area_codes))
    if len(areas) != len(set(area_codes)):
        raise ValidationError({"areas": _("Some of these areas do not exist.")})
    data_kinds = check_data_kinds(data_kinds or [])
    raw = "gg_" + secrets.token_urlsafe(32)
    client = ClientSystem.objects.create(
        name=name.strip(),
        kind=kind,
        owner_unit=owner_unit,
        contact=contact,
        data_kinds=data_kinds,
        key_prefix=raw[3:11],
        key_hash=_hash_key(raw),
        secret=secrets.token_urlsafe(32),
        created_by=actor,
    )
    client.scope_areas.set(areas)
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=client,
        after={**snapshot(client, _FIELDS), "areas": sorted(area_codes)},
    )
    return client, raw


def check_data_kinds(kinds: list[str]) -> list[str]:
    """The kinds without repeats; a clear error for any that is not a kind or a pattern."""
    bad = [k for k in kinds if not isinstance(k, str) or not DATA_KIND.match(k)]
    if bad:
        raise ValidationError(
            {
                "data_kinds": _("Not a kind of data: %(kinds)s (e.g. case.*, warning.issued or *).")
                % {"kinds": ", ".join(str(k)[:40] for k in bad[:5])}
            }
        )
    if len(kinds) > MAX_DATA_KINDS:
        raise ValidationError(
            {"data_kinds": _("At most %(count)d kinds of data.") % {"count": MAX_DATA_KINDS}}
        )
    return list(dict.fromkeys(kinds))


def authenticate_client(raw_key: str, *, kind: str | None = None) -> ClientSystem | None:
    """The active client system holding this API key (of this kind), else None."""
    if not raw_key or len(raw_key) > 200:
        return None
    client = ClientSystem.objects.filter(
        key_hash=_hash_key(raw_key), revoked_at__isnull=True
    ).first()
    if client is None or (kind is not None and client.kind != kind):
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > datetime.timedelta(minutes=5):
        ClientSystem.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def signing_secrets(client: ClientSystem) -> list[str]:
    """The secrets a receiver may verify with: the current one, and the previous one while a
    rotation overlaps."""
    found = [client.secret]
    until = client.previous_secret_until
    if client.previous_secret and until is not None and until > timezone.now():
        found.append(client.previous_secret)
    return found


def secret_matches(client: ClientSystem, candidate: str) -> bool:
    return any(hmac.compare_digest(candidate, s) for s in signing_secrets(client))


@transaction.atomic
def rotate_secret(actor: User, client: ClientSystem) -> str:
    """A new signing secret; the old one stays valid for ROTATION_OVERLAP."""
    require_manager(actor)
    client.previous_secret = client.secret
    client.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    client.secret = secrets.token_urlsafe(32)
    client.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=client,
        after={"secret": "rotated", "previous valid until": str(client.previous_secret_until)},
    )
    return client.secret


@transaction.atomic
def revoke_client(actor: User, client: ClientSystem) -> ClientSystem:
    require_manager(actor)
    if client.revoked_at is None:
        before = snapshot(client, _FIELDS)
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=client,
            before=before,
            after=snapshot(client, _FIELDS),
        )
    return client


def client_area_codes(client: ClientSystem) -> set[str]:
    """The codes of the client's areas; its scope is these and everything below them."""
    return set(client.scope_areas.values_list("code", flat=True))
