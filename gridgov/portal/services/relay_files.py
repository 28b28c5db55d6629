"""The relay by exchange files, where only a one-way file gateway connects a public instance and
the core (docs/portal.md, "Through a one-way gateway").

The files are exchange packages (gridgov/exchange/services/packages.py): a zip with a signed
manifest and one JSON Lines file, encrypted for the other side's key (they carry phone numbers
and photos). Each side signs with its platform key and trusts only the keys registered for the
other side (`RelayPeer`, `gridgov portal_relay keys` / `trust`).

- Up (public → core): `export_up` writes what is due in the outboxes — reports, ratings and
  "not fixed", Open311 requests, the same bodies the HTTP relay sends — and what the public side
  asks about (the UUIDs whose status it wants). The rows stay queued: they are written again
  after the backoff until the core's answer comes back. `import_up` (core) makes each item
  through the same services as the HTTP relay, once per UUID, so a file read twice or an item
  written twice does nothing twice; a refused item is remembered to be told back.
- Down (core → public): `export_down` writes, per public instance, the public side of what it
  asked about, the actions done and the refusals; `import_down` (public) copies them and marks
  the rows sent (or refused).

Files are written under a temporary name and renamed, so a gateway never takes half a file;
files read are moved to `imported/` (or `refused/` when they do not verify) beside them.
"""

import datetime
import hashlib
import io
import json
import os
import pathlib
import uuid as uuid_module
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.exchange.models import ClientKind, ClientSystem
from gridgov.exchange.services import packages
from gridgov.portal.models import (
    RelayAction,
    RelayedAction,
    RelayedFollow,
    RelayFile,
    RelayFollow,
    RelayOut,
    RelayPeer,
    RelayRequest,
    RelayState,
)
from gridgov.portal.services import relay, relay_actions, relay_follows, relay_open311

UP = "gridgov-relay-up-"
DOWN = "gridgov-relay-down-"
DATASET = "portal.relay"
MAX_REFUSALS = 500
KEY_LENGTHS = {"sm2_public": 128, "ed25519_public": 64, "x25519_public": 64}


# ---------------------------------------------------------------------------------------------
# keys


def own_keys() -> dict[str, str]:
    """This instance's public keys, for the other side's `trust`."""
    keys = packages.platform_public_keys()
    return {
        "sm2_public": keys["sm2"],
        "ed25519_public": keys["ed25519"],
        "x25519_public": keys["x25519"],
    }


@transaction.atomic
def trust_peer(keys: dict, *, client: ClientSystem | None, actor: User) -> RelayPeer:
    """Register the other side's public keys: on the core, a public instance's (its client
    system, kind public portal instance); on a public instance, the core's (no client)."""
    relay._require_portal(actor)
    if client is not None and client.kind != ClientKind.PUBLIC_PORTAL:
        raise ValidationError({"client": _("Not a public portal instance.")})
    values = {}
    for name, length in KEY_LENGTHS.items():
        value = str(keys.get(name, "")).strip().lower()
        try:
            bytes.fromhex(value)
        except ValueError:
            value = "x"
        if len(value) != length:
            raise ValidationError({name: _("Not a public key of the right length.")})
        values[name] = value
    peer, _created = RelayPeer.objects.update_or_create(client=client, defaults=values)
    return peer


def _signer_of(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return str(json.loads(zf.read("manifest.sig")).get("signer", ""))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise packages.PackageRefused("not an exchange package") from exc


# ---------------------------------------------------------------------------------------------
# writing and reading files


def _write(folder: pathlib.Path, name: str, rows: list[dict], peer: RelayPeer, suite: str) -> str:
    """A signed package of the rows, encrypted for the peer, written whole under `name`."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    recipient = peer.sm2_public if suite == "sm" else peer.x25519_public
    sealed, entry = packages.encrypt_for(suite, recipient, data)
    manifest = {
        "format": packages.PACKAGE_FORMAT,
        "version": packages.PACKAGE_VERSION,
        "suite": suite,
        "fmt": "jsonl",
        "dataset": DATASET,
        "key_field": "uuid",
        "source": "gridgov portal relay",
        "package": name,
        "created_at": timezone.now().isoformat(),
        "files": [
            {"name": "relay.jsonl", "hash": packages.digest(suite, sealed), "records": len(rows)}
        ],
        "counts": {"records": len(rows)},
        "encryption": entry,
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    signature, signer = packages.sign(suite, manifest_bytes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", manifest_bytes)
        zf.writestr("manifest.sig", json.dumps({"signature": signature, "signer": signer}))
        zf.writestr("relay.jsonl", sealed)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes(out.getvalue())
    os.replace(partial, folder / name)
    return name


def _name(prefix: str, tail: str = "") -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    return f"{prefix}{tail}{stamp}-{uuid_module.uuid4().hex[:8]}.zip"


def _set_aside(path: pathlib.Path, where: str) -> None:
    target = path.parent / where
    target.mkdir(exist_ok=True)
    os.replace(path, target / path.name)


def _read(folder: pathlib.Path, prefix: str, signers: dict[str, object]):
    """(path, what it is for, rows) of each verified file; others are set aside in refused/."""
    for path in sorted(folder.glob(f"{prefix}*.zip")):
        content = path.read_bytes()
        try:
            signer = _signer_of(content)
            if signer not in signers:
                raise packages.PackageRefused("signed by a key this system does not trust")
            manifest, rows = packages.read_package(content, trusted_signers=[signer])
            if manifest.get("dataset") != DATASET:
                raise packages.PackageRefused("not a relay file")
        except packages.PackageRefused as exc:
            _set_aside(path, "refused")
            yield path, None, str(exc), ""
            continue
        yield path, signers[signer], rows, hashlib.sha256(content).hexdigest()


def _keys_of(peer: RelayPeer) -> list[str]:
    return [k for k in (peer.sm2_public, peer.ed25519_public) if k]


# ---------------------------------------------------------------------------------------------
# the public instance


def export_up(
    folder: pathlib.Path, *, actor: User, suite: str = "sm", now: datetime.datetime | None = None
) -> dict:
    """(Public) write what is due for the core, and what this side asks about, into one file."""
    relay._require_portal(actor)
    now = now or timezone.now()
    peer = RelayPeer.objects.filter(client__isnull=True).first()
    if peer is None:
        raise ValidationError(_("The core's keys are not registered here (portal_relay trust)."))
    reports = list(
        RelayOut.objects.filter(state=RelayState.PENDING, next_attempt_at__lte=now)
        .select_related("report__case", "report__citizen", "report__category__category")
        .order_by("pk")[: relay.PUSH_BATCH]
    )
    actions = list(
        RelayAction.objects.filter(state=RelayState.PENDING, next_attempt_at__lte=now)
        .exclude(report__relay__state=RelayState.REFUSED)
        .select_related("report__relay")
        .order_by("pk")[: relay.PUSH_BATCH]
    )
    requests = list(
        RelayRequest.objects.filter(state=RelayState.PENDING, next_attempt_at__lte=now).order_by(
            "pk"
        )[: relay.PUSH_BATCH]
    )
    rows: list[dict] = [{"type": "report", **relay.payload(r)} for r in reports]
    rows += [{"type": "action", **relay_actions.body_of(a)} for a in actions]
    rows += [{"type": "open311", **relay_open311.body_of(r)} for r in requests]
    follows = list(
        RelayFollow.objects.filter(
            state=RelayState.PENDING, next_attempt_at__lte=now, citizen__isnull=False
        )
        .exclude(report__relay__state=RelayState.REFUSED)
        .select_related("report__relay", "citizen")
        .order_by("pk")[: relay.PUSH_BATCH]
    )
    rows += [{"type": "follow", **relay_follows.body_of(f)} for f in follows]
    asked = _asks(now)
    if not rows and not any(asked.values()):
        return {"file": None, "items": 0}
    rows.append({"type": "ask", "uuid": str(uuid_module.uuid4()), **asked})
    name = _write(folder, _name(UP), rows, peer, suite)
    note = _("written to %(name)s, waiting for the core's answer") % {"name": name}
    for model, ids in (
        (RelayOut, [r.pk for r in reports]),
        (RelayAction, [a.pk for a in actions]),
        (RelayRequest, [r.pk for r in requests]),
        (RelayFollow, [f.pk for f in follows]),
    ):
        _written(model, ids, note, now)
    return {"file": name, "items": len(rows) - 1}


def _written(model, ids: list[int], note: str, now: datetime.datetime) -> None:
    """Rows written to a file wait for the core's answer; after the backoff they go again."""
    for pk, attempts in model.objects.filter(pk__in=ids).values_list("pk", "attempts"):
        with transaction.atomic():
            model.objects.filter(pk=pk).update(
                attempts=attempts + 1,
                last_error=note[:300],
                next_attempt_at=now + relay.backoff(attempts + 1),
            )


def _asks(now: datetime.datetime) -> dict:
    """The UUIDs whose answer this side waits for or whose status may still change."""
    since = now - relay.PULL_AFTER_CLOSING
    reports = (
        RelayOut.objects.exclude(state=RelayState.REFUSED)
        .exclude(report__public_status__in=relay.FINAL)
        .exclude(report__closed_at__lt=since)
        .values_list("uuid", flat=True)
    )
    actions = RelayAction.objects.filter(state=RelayState.PENDING).values_list("uuid", flat=True)
    requests = [
        r.uuid
        for r in RelayRequest.objects.exclude(state=RelayState.REFUSED)
        if (r.public or {}).get("status") != "closed" or r.state == RelayState.PENDING
    ]
    follows = RelayFollow.objects.filter(state=RelayState.PENDING).values_list("uuid", flat=True)
    return {
        "reports": [str(u) for u in reports[: relay.PULL_BATCH]],
        "actions": [str(u) for u in actions[: relay.PULL_BATCH]],
        "requests": [str(u) for u in requests[: relay.PULL_BATCH]],
        "follows": [str(u) for u in follows[: relay.PULL_BATCH]],
    }


def import_down(folder: pathlib.Path, *, actor: User) -> dict:
    """(Public) read the core's files: copy the public side of reports and requests, mark the
    rows the core has as sent and those it refused as refused."""
    relay._require_portal(actor)
    peer = RelayPeer.objects.filter(client__isnull=True).first()
    signers: dict[str, object] = dict.fromkeys(_keys_of(peer)) if peer else {}
    done: dict = {"files": 0, "changed": 0, "refused_files": [], "known_files": 0}
    for path, _who, rows, digest in _read(folder, DOWN, signers):
        if isinstance(rows, str):
            done["refused_files"].append(f"{path.name}: {rows}")
            continue
        changed = _once(path, digest, lambda rows=rows: _down_rows(rows, actor))
        if changed is None:
            done["known_files"] += 1
        else:
            done["changed"] += changed
            done["files"] += 1
        _set_aside(path, "imported")
    return done


def _down_rows(rows: list[dict], actor: User) -> int:
    return sum(_apply_down(item, actor=actor) for item in rows)


def _once(path: pathlib.Path, digest: str, apply) -> int | None:
    """Apply a file's rows and record the file in one transaction: a kill before the commit
    leaves the file to be read again whole, after it the file is known (None: not applied
    again, only set aside)."""
    with transaction.atomic():
        if RelayFile.objects.filter(digest=digest).exists():
            return None
        count = apply()
        RelayFile.objects.create(digest=digest, name=path.name[:200], items=count)
    return count


def _apply_down(item: dict, *, actor: User) -> int:
    kind, key = item.get("type"), str(item.get("uuid", ""))
    try:
        key = str(uuid_module.UUID(key))
    except ValueError:
        return 0
    now = timezone.now()
    with transaction.atomic():
        if kind == "report":
            row = RelayOut.objects.filter(uuid=key).select_related("report").first()
            if row is None:
                return 0
            if row.state != RelayState.SENT:
                RelayOut.objects.filter(pk=row.pk).update(
                    state=RelayState.SENT,
                    core_number=str(item.get("number", ""))[:32],
                    sent_at=now,
                    last_error="",
                )
            return int(relay.apply_status(row.report, item, actor=actor))
        if kind == "request":
            found = RelayRequest.objects.filter(uuid=key).first()
            if found is None:
                return 0
            changes = relay_open311._copy(found, item)
            RelayRequest.objects.filter(pk=found.pk).update(
                state=RelayState.SENT, sent_at=found.sent_at or now, last_error="", **changes
            )
            return int(bool(changes))
        if kind == "follow":
            follow = RelayFollow.objects.filter(uuid=key).exclude(state=RelayState.SENT).first()
            if follow is not None:
                relay_follows.delivered(follow, attempts=follow.attempts, now=now)
            return int(follow is not None)
        if kind == "action":
            return (
                RelayAction.objects.filter(uuid=key)
                .exclude(state=RelayState.SENT)
                .update(state=RelayState.SENT, sent_at=now, last_error="")
            )
        if kind == "refused":
            reason = str(item.get("reason", ""))[:300]
            return sum(
                model.objects.filter(uuid=key, state=RelayState.PENDING).update(
                    state=RelayState.REFUSED, last_error=reason
                )
                for model in (RelayOut, RelayAction, RelayRequest, RelayFollow)
            )
    return 0


# ---------------------------------------------------------------------------------------------
# the core


def import_up(folder: pathlib.Path, *, actor: User) -> dict:
    """(Core) read the public instances' files: each item through the same services as the
    HTTP relay, once per UUID; what they ask about is kept for the next file down."""
    relay._require_portal(actor)
    signers: dict[str, object] = {}
    for peer in RelayPeer.objects.filter(client__isnull=False).select_related("client"):
        for key in _keys_of(peer):
            signers[key] = peer
    done: dict = {"files": 0, "items": 0, "refused": 0, "refused_files": [], "known_files": 0}
    for path, peer, rows, digest in _read(folder, UP, signers):
        if isinstance(rows, str) or not isinstance(peer, RelayPeer) or peer.client is None:
            done["refused_files"].append(f"{path.name}: {rows}")
            continue
        taken = _once(path, digest, lambda p=peer, r=rows: _up_rows(p, r, done, actor))
        if taken is None:
            done["known_files"] += 1
        else:
            done["files"] += 1
        _set_aside(path, "imported")
    return done


def _up_rows(peer: RelayPeer, rows: list[dict], done: dict, actor: User) -> int:
    """(Core) the items of one file, in order; how many were taken."""
    client = peer.client
    if client is None:
        return 0
    count = 0
    for item in rows:
        if item.get("type") == "ask":
            RelayPeer.objects.filter(pk=peer.pk).update(
                asked={k: list(item.get(k) or [])[: relay.PULL_BATCH] for k in ASKS}
            )
            continue
        reason = _take(client, item, actor=actor)
        done["items"] += 1
        count += 1
        if reason:
            done["refused"] += 1
            peer.refresh_from_db()
            refusals = {**peer.refusals, str(item.get("uuid", ""))[:36]: reason[:300]}
            keep = dict(list(refusals.items())[-MAX_REFUSALS:])
            RelayPeer.objects.filter(pk=peer.pk).update(refusals=keep)
    return count


ASKS = ("reports", "actions", "requests", "follows")


def _take(client: ClientSystem, item: dict, *, actor: User) -> str:
    """Make one item; the reason when it is refused (it would be refused again), else ""."""
    kind = item.get("type")
    try:
        if not client.active:
            raise PermissionDenied(_("This client may not relay reports."))
        if kind == "report":
            fields: dict = {k: item[k] for k in relay.Relayed.__dataclass_fields__ if k in item}
            relay.receive_report(client, relay.Relayed(**fields), actor=actor)
        elif kind == "action":
            relay_actions.receive_action(
                client,
                key=str(item.get("uuid")),
                report_key=str(item.get("report")),
                kind=str(item.get("kind")),
                score=item.get("score"),
                note=str(item.get("note") or "")[:500],
                actor=actor,
            )
        elif kind == "open311":
            relay_open311.receive_request(client, item, actor=actor)
        elif kind == "follow":
            relay_follows.receive_follow(client, item, actor=actor)
        else:
            return "unknown item"
    except LookupError:
        return ""  # an action whose report has not arrived yet: it comes again
    except ValidationError as exc:
        return "; ".join(exc.messages)
    except (PermissionDenied, TypeError) as exc:
        return str(exc) or "refused"
    return ""


def export_down(folder: pathlib.Path, *, actor: User, suite: str = "sm") -> dict:
    """(Core) a file per public instance: the public side of what it asked about, the actions
    done and the refusals."""
    relay._require_portal(actor)
    written = []
    for peer in RelayPeer.objects.filter(client__isnull=False).select_related("client"):
        client = peer.client
        if client is None or not client.active:
            continue
        asked = peer.asked or {}
        rows = [
            {"type": "report", **item}
            for item in relay.status_for(client, list(asked.get("reports", [])), actor=actor)
        ]
        rows += [
            {"type": "request", **item}
            for item in relay_open311.requests_status(
                client, list(asked.get("requests", [])), actor=actor
            )
        ]
        actions = [relay._uuid(u) for u in asked.get("actions", [])]
        rows += [
            {"type": "action", "uuid": str(u)}
            for u in RelayedAction.objects.filter(client=client, uuid__in=actions).values_list(
                "uuid", flat=True
            )
        ]
        follows = [relay._uuid(u) for u in asked.get("follows", [])]
        rows += [
            {"type": "follow", "uuid": str(u)}
            for u in RelayedFollow.objects.filter(client=client, uuid__in=follows).values_list(
                "uuid", flat=True
            )
        ]
        rows += [{"type": "refused", "uuid": u, "reason": why} for u, why in peer.refusals.items()]
        if rows:
            written.append(_write(folder, _name(DOWN, f"{client.pk}-"), rows, peer, suite))
    return {"files": written}


def run_folders(*, actor: User) -> dict:
    """The periodic job `portal.relay_files`: with the folders the gateway serves configured
    (GRIDGOV_RELAY_FILES_IN, GRIDGOV_RELAY_FILES_OUT), read what arrived, then write what is due:
    on a public instance the core's answers in and its own items out; on the core the public
    instances' files in and their answers out. Without folders it does nothing."""
    relay._require_portal(actor)
    inbox, outbox = settings.GRIDGOV_RELAY_FILES_IN, settings.GRIDGOV_RELAY_FILES_OUT
    suite = settings.GRIDGOV_RELAY_FILES_SUITE
    done: dict = {}
    if inbox:
        read = import_down if relay.is_public() else import_up
        done["imported"] = read(pathlib.Path(inbox), actor=actor)
    if outbox:
        if relay.is_public():
            done["exported"] = export_up(pathlib.Path(outbox), actor=actor, suite=suite)
        else:
            done["exported"] = export_down(pathlib.Path(outbox), actor=actor, suite=suite)
    return done


__all__ = [
    "export_down",
    "export_up",
    "import_down",
    "import_up",
    "own_keys",
    "run_folders",
    "trust_peer",
]
