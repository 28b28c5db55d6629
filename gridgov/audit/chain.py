"""Append-only, tamper-evident logs.

Every row of a chained log carries `row_hash = HMAC-SM3(key, previous row's hash ‖ row content)`,
the key being GRIDGOV_AUDIT_KEY (or var/audit_key). Rows are chained in id order; appends to one
log are serialized (SQLite writes are serialized anyway; on PostgreSQL an advisory lock held to
the end of the transaction), so two writers never fork the chain. The ORM refuses to update or
delete such rows, and on PostgreSQL a trigger refuses it too. Retention removes the oldest rows
and records where the chain now starts in a keyed anchor (`ChainAnchor`). `verify` recomputes
everything and names the first row that does not fit.
"""

import datetime
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives import hashes, hmac
from django.apps import apps
from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils.crypto import constant_time_compare

from gridgov.accounts.scope import ScopedQuerySet

PURGE_SETTING = "gridgov.audit_retention"


class AppendOnlyError(Exception):
    """Audit rows are written once and never changed or deleted (retention aside)."""


@cache
def _key(raw: str) -> bytes:
    return raw.encode()


def mac(prev_hash: str, content: bytes) -> str:
    signer = hmac.HMAC(_key(settings.GRIDGOV_AUDIT_KEY), hashes.SM3())
    signer.update(prev_hash.encode() + b"\n" + content)
    return signer.finalize().hex()


def _plain(field: models.Field, value):
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        # what the database gives back: tuples become lists, keys become strings
        return json.loads(json.dumps(value))
    if isinstance(field, models.DateTimeField):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(field, models.IntegerField):
        return int(value)
    return str(value)


def canonical(row: models.Model, field_names: Iterable[str]) -> bytes:
    """The row's content as the hash sees it: the same bytes before saving and after reading."""
    meta = row._meta
    data = {
        name: _plain(meta.get_field(name), getattr(row, meta.get_field(name).attname))
        for name in field_names
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _lock(model: type[models.Model], using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(model._meta.db_table.encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def chain_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _start(model: type[models.Model], using: str) -> tuple[int, str]:
    """Where the chain starts: after the anchor retention left, or at the very beginning."""
    from gridgov.audit.models import ChainAnchor

    anchor = ChainAnchor.objects.using(using).filter(chain=chain_label(model)).first()
    if anchor is None:
        return 0, ""
    return anchor.start_after_id, anchor.start_hash


def _last_hash(model: type[models.Model], using: str) -> str:
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # one cheap statement per append: the ORM would cost more than the lookup itself
        cursor.execute(f"SELECT row_hash FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        last = cursor.fetchone()
    return last[0] if last is not None else _start(model, using)[1]


def append(model: type[models.Model], rows: list, *, batch_size: int = 1000) -> list:
    """Hash and insert new rows of a chained log, in one serialized step."""
    if not rows:
        return rows
    using = router.db_for_write(model)
    with transaction.atomic(using=using, savepoint=False):
        _lock(model, using)
        prev = _last_hash(model, using)
        for row in rows:
            if row.pk is not None:
                raise AppendOnlyError(f"{model._meta.label} rows are never changed")
            row.row_hash = prev = mac(prev, canonical(row, model.chain_fields))
        models.QuerySet(model, using=using).bulk_create(rows, batch_size=batch_size)
    return rows


class AppendOnlyQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never changed")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are removed only by retention")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never changed")

    def bulk_create(self, objs, batch_size=None, **kwargs):
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnlyError(f"{self.model._meta.label} rows are only appended")
        return append(self.model, list(objs), batch_size=batch_size or 1000)


class ChainedLog(models.Model):
    """Base of every append-only log (changes, reads of personal data, exchanges …).
    Subclasses name the fields the hash covers in `chain_fields` (never change that list)."""

    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    chain_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.label} rows are never changed")
        append(type(self), [self])

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are removed only by retention")


def chained_models() -> list[type[ChainedLog]]:
    return [m for m in apps.get_models() if issubclass(m, ChainedLog)]


@dataclass
class Report:
    chain: str
    rows: int
    last_id: int | None
    last_hash: str
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.problem


def _rows(model: type[ChainedLog], after_id: int) -> Iterator[ChainedLog]:
    return (
        model._base_manager.filter(pk__gt=after_id)
        .order_by("pk")
        .only("pk", "row_hash", *model.chain_fields)
        .iterator(chunk_size=5000)
    )


def verify(model: type[ChainedLog]) -> Report:
    """Walk one chain; the first row whose hash does not follow from its predecessor is named
    (it was changed, or a row before it was removed or slipped in)."""
    from gridgov.audit.models import ChainAnchor

    label = chain_label(model)
    anchor = ChainAnchor.objects.filter(chain=label).first()
    report = Report(chain=label, rows=0, last_id=None, last_hash="")
    after_id, prev = 0, ""
    if anchor is not None:
        if not anchor.intact():
            report.problem = "the retention anchor was altered"
            return report
        after_id, prev = anchor.start_after_id, anchor.start_hash
    for row in _rows(model, after_id):
        expected = mac(prev, canonical(row, model.chain_fields))
        if not constant_time_compare(expected, row.row_hash):
            report.broken_id = row.pk
            report.problem = "its hash does not follow from its content and the row before it"
            return report
        prev = row.row_hash
        report.rows += 1
        report.last_id = row.pk
    report.last_hash = prev
    return report


def purge_before(model: type[ChainedLog], cutoff: datetime.datetime) -> int:
    """Remove the rows older than the cutoff (retention only) and move the anchor to the first
    row kept, so the rest of the chain still verifies."""
    from gridgov.audit.models import ChainAnchor

    using = router.db_for_write(model)
    manager = model._base_manager.using(using)
    with transaction.atomic(using=using):
        _lock(model, using)
        first_kept = manager.filter(time__gte=cutoff).order_by("pk").values_list("pk", flat=True)
        boundary = first_kept.first()
        doomed = manager.all() if boundary is None else manager.filter(pk__lt=boundary)
        last = doomed.order_by("-pk").values_list("pk", "row_hash").first()
        if last is None:
            return 0
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        removed = doomed._raw_delete(using)
        ChainAnchor.move(chain_label(model), start_after_id=last[0], start_hash=last[1])
    return removed
