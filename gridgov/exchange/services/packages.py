"""Bulk exchange packages: a zip with the rows (CSV or JSON Lines), `manifest.json` and
`manifest.sig`.

Two suites of algorithms:

- `sm`: SM3 hashes, an SM2 signature (with SM3, the platform's SM2 key) and, for packages with
  personal data, SM4-GCM encryption of the data file under a fresh key wrapped for the
  recipient's SM2 public key (SM2 encryption, C1C3C2);
- `common`: SHA-256 hashes, an Ed25519 signature and AES-256-GCM under a fresh key wrapped for
  the recipient's X25519 key (ephemeral X25519, HKDF-SHA256, AES-GCM).

The manifest names the data set, its fields and columns, the record count, the period (an
incremental package holds what changed after the client's last package of the data set), the
algorithms and each file's hash; the signature covers the manifest's bytes, so a changed file or
manifest is refused on import. The platform's keys are made on first use (`PlatformKey`, private
halves sealed); a receiving gridgov uses its own platform keys as recipient keys, and pins the
sender's public signing key.
"""

import base64
import csv
import datetime
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_access, record_change, record_event
from gridgov.exchange.models import (
    ClientSystem,
    ExchangeLog,
    ExchangePackage,
    ImportedRecord,
    PackageState,
    RecipientKeys,
)
from gridgov.exchange.services import catalogue, package_gone
from gridgov.exchange.services.clients import require_manager
from gridgov.exchange.services.package_crypto import (  # noqa: F401 (the package's API)
    PackageRefused,
    _new_key,
    _sm2,
    decrypt_with,
    digest,
    encrypt_for,
    platform_key,
    platform_public_keys,
    sign,
    sm2_decrypt,
    sm2_encrypt,
    verify,
)

SUITES = ("sm", "common")
FORMATS = ("jsonl", "csv")
PACKAGE_FORMAT = "gridgov-exchange-package"
PACKAGE_VERSION = 1
ALGORITHMS = {
    "sm": {"hash": "SM3", "signature": "SM2-with-SM3", "encryption": "SM4-GCM", "key_wrap": "SM2"},
    "common": {
        "hash": "SHA-256",
        "signature": "Ed25519",
        "encryption": "AES-256-GCM",
        "key_wrap": "X25519-HKDF-SHA256-AES-GCM",
    },
}


# Recipient keys ------------------------------------------------------------------------------


def _hex(value: str, lengths: tuple[int, ...]) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return len(value) in lengths


@transaction.atomic
def set_recipient_keys(
    actor: User, client: ClientSystem, *, sm2_public: str = "", x25519_public: str = ""
) -> RecipientKeys:
    """Register the public keys packages for this client are encrypted for."""
    require_manager(actor)
    sm2_public = sm2_public.strip().lower()
    x25519_public = x25519_public.strip().lower()
    if sm2_public.startswith("04") and len(sm2_public) == 130:
        sm2_public = sm2_public[2:]
    errors = {}
    if sm2_public and not _hex(sm2_public, (128,)):
        errors["sm2_public"] = _("An SM2 public key is 64 bytes in hex (x and y).")
    if x25519_public and not _hex(x25519_public, (64,)):
        errors["x25519_public"] = _("An X25519 public key is 32 bytes in hex.")
    if errors:
        raise ValidationError(errors)
    keys, _created = RecipientKeys.objects.update_or_create(
        client=client, defaults={"sm2_public": sm2_public, "x25519_public": x25519_public}
    )
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=client,
        after={"exchange keys": {"sm2": sm2_public[:16], "x25519": x25519_public[:16]}},
    )
    return keys


def _recipient_public(client: ClientSystem, suite: str) -> str:
    keys = RecipientKeys.objects.filter(client=client).first()
    found = (keys.sm2_public if suite == "sm" else keys.x25519_public) if keys else ""
    if not found:
        raise ValidationError(
            _("The client system has no %(suite)s key to encrypt personal data for.")
            % {"suite": suite}
        )
    return found


# Requesting and producing ----------------------------------------------------------------------


@transaction.atomic
def request_package(
    actor: User,
    client: ClientSystem,
    *,
    dataset_key: str,
    full: bool = False,
    fmt: str = "jsonl",
    suite: str = "sm",
) -> ExchangePackage:
    """Queue a package (the job `exchange.produce_packages` makes it). The client must be
    allowed the data set (unconditional, or an approval in force)."""
    d = catalogue.dataset(dataset_key)
    if fmt not in FORMATS:
        raise ValidationError({"fmt": _("A package is csv or jsonl.")})
    if suite not in SUITES:
        raise ValidationError({"suite": _("The algorithms are sm or common.")})
    fields, approval = catalogue.offered_fields(client, d)
    if any(f.personal or f.masked for f in fields):
        _recipient_public(client, suite)
    package = ExchangePackage.objects.create(
        client=client,
        dataset=d.key,
        full=full or not d.incremental,
        fmt=fmt,
        suite=suite,
        application=approval,
        requested_by=actor,
    )
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=package,
        after={"dataset": d.key, "full": package.full, "fmt": fmt, "suite": suite},
    )
    return package


def _last_until(package: ExchangePackage) -> datetime.datetime | None:
    last = (
        ExchangePackage.objects.filter(
            client=package.client_id, dataset=package.dataset, state=PackageState.DONE
        )
        .exclude(pk=package.pk)
        .order_by("-until", "-pk")
        .first()
    )
    return last.until if last is not None else None


def _serialise(fmt: str, columns: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            out.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False))
            out.write("\n")
    return out.getvalue().encode()


def _source_name() -> str:
    return getattr(settings, "GRIDGOV_INSTANCE_NAME", "") or "gridgov"


def produce(
    package: ExchangePackage,
    *,
    progress: Callable[[int, int], Any] | None = None,
) -> ExchangePackage:
    """Build the package's zip; on failure the package says why. Re-checks the approval."""
    ExchangePackage.objects.filter(pk=package.pk).update(state=PackageState.RUNNING)
    try:
        with transaction.atomic():
            _produce(package, progress)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(getattr(exc, "messages", [str(exc)]))[:500]
        ExchangePackage.objects.filter(pk=package.pk).update(
            state=PackageState.FAILED, error=message, finished_at=timezone.now()
        )
    package.refresh_from_db()
    return package


def _produce(package: ExchangePackage, progress) -> None:
    d = catalogue.dataset(package.dataset)
    client = package.client
    fields, approval = catalogue.offered_fields(client, d)
    personal = [f.name for f in fields if f.personal or f.masked]
    columns = [c for f in fields for c in f.columns]
    now = timezone.now()
    since = None if package.full else _last_until(package)
    codes = catalogue.client_areas(client)
    rows: list[dict] = []
    for row in d.rows(codes, since, now, wanted={f.name for f in fields}):
        rows.append(row)
        if progress is not None and len(rows) % 5000 == 0:
            progress(len(rows) // 2, len(rows))
    suite = package.suite
    plain = _serialise(package.fmt, columns, rows)
    name = f"{d.key}.{package.fmt}"
    files = []
    encryption = None
    data = plain
    if personal:
        data, encryption = encrypt_for(suite, _recipient_public(client, suite), plain)
        name += ".enc"
    files.append({"name": name, "records": len(rows), "hash": digest(suite, data)})
    deleted = package_gone.gone(d.key, codes, since, now)
    deleted_data = package_gone.serialise(deleted)
    if deleted:
        files.append(
            {
                "name": package_gone.FILE,
                "role": "deleted",
                "records": len(deleted),
                "hash": digest(suite, deleted_data),
            }
        )
    manifest = {
        "format": PACKAGE_FORMAT,
        "version": PACKAGE_VERSION,
        "catalogue_version": catalogue.CATALOGUE_VERSION,
        "package": package.pk,
        "source": _source_name(),
        "client": {"id": client.pk, "name": client.name},
        "dataset": d.key,
        "dataset_name": {"zh-Hans": d.name_zh, "en": d.name_en},
        "share": d.share,
        "key_field": d.key_field,
        "fields": [
            {"name": f.name, "label": f.label, "personal": f.personal, "masked": f.masked}
            | ({"code_table": f.table} if f.table else {})
            for f in fields
        ],
        "columns": columns,
        "fmt": package.fmt,
        "full": package.full,
        "period": {"since": since.isoformat() if since else None, "until": now.isoformat()},
        "counts": {"records": len(rows), "deleted": len(deleted)},
        "areas": codes,
        "approval": (
            {
                "id": approval.pk,
                "legal_basis": approval.legal_basis,
                "purpose": approval.purpose,
                "recipient": approval.recipient,
                "expires_on": approval.expires_on.isoformat(),
            }
            if approval is not None
            else None
        ),
        "algorithms": ALGORITHMS[suite] | ({} if encryption else {"encryption": "none"}),
        "suite": suite,
        "files": files,
        "encryption": encryption,
        "created_at": now.isoformat(),
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    signature, signer = sign(suite, manifest_bytes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", manifest_bytes)
        zf.writestr(
            "manifest.sig",
            json.dumps(
                {
                    "algorithm": ALGORITHMS[suite]["signature"],
                    "signer": signer,
                    "signature": signature,
                }
            ),
        )
        zf.writestr(name, data)
        if deleted:
            zf.writestr(package_gone.FILE, deleted_data)
    content = buffer.getvalue()
    package_hash = digest(suite, content)
    package.state = PackageState.DONE
    package.progress = 100
    package.since = since
    package.until = now
    package.records = len(rows)
    package.encrypted = encryption is not None
    package.content = content
    package.sha256 = package_hash
    package.finished_at = timezone.now()
    package.save()
    ExchangeLog.objects.create(
        event=ExchangeLog.Event.PRODUCED,
        client=client,
        client_name=client.name,
        dataset=d.key,
        package=package,
        application=approval,
        records=len(rows),
        package_hash=package_hash,
        at=now,
    )
    if personal:
        record_access(
            actor=package.requested_by,
            subject_type=f"exchange.{d.key}",
            fields=personal,
            purpose="exchange",
            reason=(
                f"package {package.pk} for {client.name}"
                + (f", approval {approval.pk}: {approval.purpose}" if approval else "")
            ),
            record_count=len(rows),
            area_code=codes[0] if len(codes) == 1 else "",
        )
    if progress is not None:
        progress(len(rows), len(rows))


def produce_queued(progress: Callable[[int, int], Any] | None = None, limit: int = 50) -> int:
    """Make the queued packages, oldest first; the count made (the job's body)."""
    queued = list(ExchangePackage.objects.filter(state=PackageState.QUEUED).order_by("pk")[:limit])
    done = 0
    for i, package in enumerate(queued):
        produce(package)
        done += 1
        if progress is not None:
            progress(i + 1, len(queued))
    return done


@transaction.atomic
def download(client: ClientSystem, package_id: int) -> ExchangePackage:
    """The client's own, finished package; the download is in the exchange log."""
    package = ExchangePackage.objects.filter(
        pk=package_id, client=client, state=PackageState.DONE
    ).first()
    if package is None:
        raise ExchangePackage.DoesNotExist
    ExchangeLog.objects.create(
        event=ExchangeLog.Event.DOWNLOADED,
        client=client,
        client_name=client.name,
        dataset=package.dataset,
        package=package,
        application=package.application,
        records=package.records,
        package_hash=package.sha256,
        at=timezone.now(),
    )
    return package


# Verifying and importing ------------------------------------------------------------------------


def read_package(
    content: bytes,
    *,
    trusted_signers: list[str],
    private_keys: dict[str, tuple[str, str]] | None = None,
) -> tuple[dict, list[dict]]:
    """The manifest and the rows of a package, once its signature (by one of the trusted
    signers), every file's hash and the record count hold. `private_keys` maps sm2/x25519 to
    (private, public) hex; by default this platform's own keys. Raises PackageRefused."""
    manifest, rows, _deleted = read_package_with_deletions(
        content, trusted_signers=trusted_signers, private_keys=private_keys
    )
    return manifest, rows


def read_package_with_deletions(
    content: bytes,
    *,
    trusted_signers: list[str],
    private_keys: dict[str, tuple[str, str]] | None = None,
) -> tuple[dict, list[dict], list[dict]]:
    """As `read_package`, with the keys deleted or merged away (`deleted.jsonl`)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        manifest_bytes = zf.read("manifest.json")
        sig = json.loads(zf.read("manifest.sig"))
        manifest = json.loads(manifest_bytes)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PackageRefused("not an exchange package") from exc
    if manifest.get("format") != PACKAGE_FORMAT or manifest.get("suite") not in SUITES:
        raise PackageRefused("not an exchange package of a known version")
    suite = manifest["suite"]
    signer = str(sig.get("signer", ""))
    if signer not in trusted_signers:
        raise PackageRefused("signed by a key this system does not trust")
    if not verify(suite, manifest_bytes, str(sig.get("signature", "")), signer):
        raise PackageRefused("the manifest's signature does not verify")
    rows: list[dict] = []
    deleted: list[dict] = []
    for entry in manifest["files"]:
        try:
            data = zf.read(entry["name"])
        except KeyError as exc:
            raise PackageRefused(f"file {entry['name']} is missing") from exc
        if digest(suite, data) != entry["hash"]:
            raise PackageRefused(f"file {entry['name']} does not match its hash")
        if entry.get("role") == "deleted":
            try:
                deleted = package_gone.parse(data)
            except (ValueError, UnicodeDecodeError) as exc:
                raise PackageRefused("the list of deletions is malformed") from exc
            if len(deleted) != entry["records"]:
                raise PackageRefused("the deletion count differs from the manifest")
            continue
        if manifest.get("encryption"):
            alg = "sm2" if suite == "sm" else "x25519"
            if private_keys is None:
                key = platform_key(alg)
                private, public = key.private, key.public
            else:
                private, public = private_keys[alg]
            if manifest["encryption"].get("recipient") != public:
                raise PackageRefused("the package is encrypted for another recipient")
            data = decrypt_with(suite, private, public, data, manifest["encryption"])
        rows.extend(_parse(manifest["fmt"], data))
        if len(rows) != entry["records"]:
            raise PackageRefused("the record count differs from the manifest")
    if len(rows) != manifest["counts"]["records"]:
        raise PackageRefused("the record count differs from the manifest")
    if len(deleted) != manifest["counts"].get("deleted", 0):
        raise PackageRefused("the deletion count differs from the manifest")
    return manifest, rows, deleted


def _parse(fmt: str, data: bytes) -> list[dict]:
    text = data.decode()
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@transaction.atomic
def import_package(
    actor: User,
    content: bytes,
    *,
    trusted_signers: list[str],
    private_keys: dict[str, tuple[str, str]] | None = None,
) -> dict:
    """Verify a package and keep its rows (one per source, data set and key: an increment
    updates rather than doubles); remove the records it lists as deleted or merged away, and
    for a full package those it no longer holds. Returns the counts."""
    manifest, rows, deleted = read_package_with_deletions(
        content, trusted_signers=trusted_signers, private_keys=private_keys
    )
    source = str(manifest["source"])[:100]
    dataset_key = str(manifest["dataset"])[:40]
    key_field = manifest.get("key_field", "id")
    existing = set(
        ImportedRecord.objects.filter(source=source, dataset=dataset_key).values_list(
            "key", flat=True
        )
    )
    created = updated = 0
    for row in rows:
        key = str(row.get(key_field, ""))[:64]
        if key in existing:
            ImportedRecord.objects.filter(source=source, dataset=dataset_key, key=key).update(
                data=row, package_id_at_source=str(manifest["package"])
            )
            updated += 1
        else:
            ImportedRecord.objects.create(
                source=source,
                dataset=dataset_key,
                key=key,
                data=row,
                package_id_at_source=str(manifest["package"]),
            )
            existing.add(key)
            created += 1
    held = ImportedRecord.objects.filter(source=source, dataset=dataset_key)
    gone = {str(d["key"])[:64] for d in deleted}
    if manifest.get("full"):  # a snapshot: what it does not hold is gone
        gone |= existing - {str(row.get(key_field, ""))[:64] for row in rows}
    removed = held.filter(key__in=sorted(gone)).delete()[0] if gone else 0
    counts = {"records": len(rows), "created": created, "updated": updated, "deleted": removed}
    record_event(
        actor=actor,
        object_type="exchange.importedrecord",
        object_repr=f"{source} #{manifest['package']} {dataset_key}",
        after={"dataset": dataset_key, **counts},
        note=_("Exchange package imported"),
        action=ChangeAction.CREATE,
    )
    return counts


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()
