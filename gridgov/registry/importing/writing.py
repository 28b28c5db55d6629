"""Writing: `commit()` checks and writes batch by batch, one transaction and one change-log line
per batch; large files are prechecked in a child process meanwhile."""

import gc
import multiprocessing
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.audit.models import ChangeAction, ChangeLog
from gridgov.audit.services import change_entry, record_changes, snapshot
from gridgov.crypto.fields import derived_of, seal_records
from gridgov.registry import fields, lookups
from gridgov.registry.importing.checking import (
    _checked_batches,
    _guard,
    _prechecked_batches,
    _quiet_gc,
    check,
)
from gridgov.registry.importing.reading import Report
from gridgov.registry.importing.sql import (
    big_cache,
    checkpoint,
    chunks,
    current_residences,
    insert_people,
    insert_residences,
)
from gridgov.registry.models import (
    Building,
    BuildingUse,
    House,
    Organization,
    Person,
    Residence,
    ResidenceRelation,
)

# Files from this size on are read and prechecked in a child process while this one writes.
CHILD_ABOVE_BYTES = 4 * 2**20


def commit(
    entity: str,
    data: bytes,
    filename: str,
    *,
    actor: User,
    mode: str = "good",
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check and write batch by batch. Mode `all` first checks the whole file and writes nothing
    unless every row is good; mode `good` writes the good rows and reports the others."""
    if mode not in ("good", "all"):
        raise ValidationError(_("Unknown import mode %(m)s.") % {"m": mode})
    if entity not in _WRITERS:
        raise ValidationError(_("Unknown import kind %(e)s.") % {"e": entity})
    if mode == "all":
        first = check(entity, data, filename, actor=actor)
        if first.bad_rows:
            return first
    report = Report(entity=entity, writing=True)
    _guard(entity, actor)
    prechecked = (
        _prechecked_in_child(entity, data, filename, report)
        if len(data) >= CHILD_ABOVE_BYTES
        else None
    )
    with _quiet_gc(), big_cache():
        for batch in _checked_batches(entity, data, filename, actor, report, prechecked):
            if batch:
                _write_batch(entity, batch, filename, actor, report, progress)
    report.bad_rows = report.total - report.good_count
    report.errors.sort(key=lambda e: e.row)
    report.committed = True
    return report


def _write_batch(
    entity: str, batch: list[dict], filename: str, actor: User, report: Report, progress
):
    """One batch, one transaction, with its line in the change log."""
    with transaction.atomic():
        created, updated = _WRITERS[entity](batch, actor)
        ChangeLog.objects.create(
            actor=actor,
            actor_name=actor.username,
            action=ChangeAction.IMPORT,
            object_type=f"registry.{entity}",
            object_id="import",
            object_repr=filename[:200],
            area_code=_common_prefix([r["area_code"] for r in batch]),
            after={
                "rows": [batch[0]["_row"], batch[-1]["_row"]],
                "created": created,
                "updated": updated,
            },
            note=_("Imported rows %(a)d–%(b)d of %(f)s")
            % {"a": batch[0]["_row"], "b": batch[-1]["_row"], "f": filename},
        )
    checkpoint()
    report.created += created
    report.updated += updated
    report.good_count += len(batch)
    if progress:
        progress(report.good_count, report.total)


def _common_prefix(codes: list[str]) -> str:
    if not codes:
        return ""
    low, high = min(codes), max(codes)
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[:n]


_PERSON_COLUMNS = (
    "name",
    "former_name",
    "id_number",
    "id_number_index",
    "id_number_masked",
    "other_id_type",
    "other_id",
    "other_id_index",
    "other_id_masked",
    "sex",
    "birth_date",
    "origin_code",
    "ethnicity",
    "phone",
    "phone_index",
    "phone_masked",
    "registration",
    "nationality",
    "visa_expiry",
    "education",
    "occupation",
    "employer",
    "marital_status",
    "political_status",
    "current_house_id",
    "area_code",
    "created_at",
    "updated_at",
)


_SEALED_PERSON_FIELDS = ("id_number", "other_id", "phone")


def _write_people(batch: list[dict], actor: User) -> tuple[int, int]:
    """New people with one prepared multi-row insert; known people updated (logged one by one).
    ID and phone numbers are written sealed, with their blind index and masked form."""
    # The check found each row's person by identifier (`_pk`) and kept only those in scope.
    seal_records(Person, batch, _SEALED_PERSON_FIELDS)
    now = timezone.now()
    new_rows, updates = [], []
    for r in batch:
        r["current_house_id"] = r.get("house_id")
        (updates if "_pk" in r else new_rows).append(r)
    adapt = connection.ops.adapt_datefield_value
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [
        (
            r["name"],
            r.get("former_name") or "",
            *r["_sealed"]["id_number"],
            r.get("other_id_type") or "",
            *r["_sealed"]["other_id"],
            r.get("sex") or "",
            adapt(r.get("birth_date")),
            r.get("origin_code") or "",
            r.get("ethnicity") or "",
            *r["_sealed"]["phone"],
            r["registration"],
            r.get("nationality") or "",
            adapt(r.get("visa_expiry")),
            r.get("education") or "",
            r.get("occupation") or "",
            r.get("employer") or "",
            r.get("marital_status") or "",
            r.get("political_status") or "",
            r.get("house_id"),
            r["area_code"],
            stamp,
            stamp,
        )
        for r in new_rows
    ]
    insert_people(_PERSON_COLUMNS, params, new_rows)
    if connection.vendor != "sqlite":
        created_ids = lookups.find_people_by_id_numbers(
            [r["id_number"] for r in new_rows if r.get("id_number")]
        )
        for r in new_rows:
            if r.get("id_number"):
                r["_pk"] = created_ids[r["id_number"]][0]
    for r in new_rows:
        if "_pk" not in r:
            r["_pk"] = lookups.find_person_by_other_id(r["other_id_type"], r["other_id"]).pk
    if updates:
        _update_people(updates, actor)
    _residences(batch, now, known={r["_pk"] for r in updates})
    return len(new_rows), len(updates)


# What an import may change on a known person: everything but the identifiers that found them.
_UPDATED_BY_IMPORT = tuple(f for f in fields.PERSON if f not in fields.PERSON_IDENTIFIERS)


def _update_people(rows: list[dict], actor: User) -> None:
    people = Person.objects.in_bulk([r["_pk"] for r in rows])
    entries = []
    for r in rows:
        person = people[r["_pk"]]
        before = snapshot(person)
        for key in _UPDATED_BY_IMPORT:
            if r.get(key) not in (None, ""):
                setattr(person, key, r[key])
        person.current_house_id, person.area_code = (
            r.get("house_id") or person.current_house_id,
            r["area_code"],
        )
        entries.append(
            change_entry(
                actor=actor,
                action=ChangeAction.IMPORT,
                instance=person,
                before=before,
                after=snapshot(person),
                note=_("Updated by an import"),
            )
        )
    Person.objects.bulk_update(
        list(people.values()),
        [
            *_UPDATED_BY_IMPORT,
            *derived_of(Person, _UPDATED_BY_IMPORT),
            "current_house",
            "area_code",
        ],
        batch_size=1000,
    )
    record_changes(entries)


def _residences(batch: list[dict], now, known: set[int]) -> None:
    """End residences elsewhere and add the new ones (moving keeps the history). Only people
    already known (`known`) can have a residence to end."""
    with_house = [r for r in batch if r.get("house_id")]
    if not with_house:
        return
    pks = [r["_pk"] for r in with_house if r["_pk"] in known]
    current = current_residences(pks)
    living = {p for p, _h in current}
    moved = [
        r["_pk"]
        for r in with_house
        if r["_pk"] in living and (r["_pk"], r["house_id"]) not in current
    ]
    today = timezone.localdate()
    for chunk in chunks(moved, 900):
        Residence.objects.filter(person_id__in=chunk, until__isnull=True).update(until=today)
    keep = current
    adapt = connection.ops.adapt_datefield_value
    resident = str(ResidenceRelation.RESIDENT)
    rows = [
        (
            r["_pk"],
            r["house_id"],
            r.get("relation") or resident,
            adapt(r.get("since")),
            r["area_code"],
        )
        for r in with_house
        if (r["_pk"], r["house_id"]) not in keep
    ]
    insert_residences(rows)


def _write_buildings(batch, actor: User):
    existing = {
        b.code: b
        for b in Building.objects.in_bulk([r["_pk"] for r in batch if "_pk" in r]).values()
    }
    columns = (*(f for f in fields.BUILDING if f != "code"), "area_code")  # found by its code
    new, changed = [], []
    for r in batch:
        values = {f: r.get(f) for f in columns if r.get(f) is not None}
        values.setdefault("use", BuildingUse.RESIDENTIAL)
        if r["code"] in existing:
            b = existing[r["code"]]
            for key, value in values.items():
                setattr(b, key, value)
            changed.append(b)
        else:
            new.append(Building(code=r["code"], **values))
    Building.objects.bulk_create(new, batch_size=1000)
    Building.objects.bulk_update(changed, list(columns), batch_size=1000)
    return len(new), len(changed)


def _write_houses(batch, actor: User):
    existing = {
        h.code: h for h in House.objects.in_bulk([r["_pk"] for r in batch if "_pk" in r]).values()
    }
    new, changed = [], []
    for r in batch:
        values = {k: r[k] for k in fields.HOUSE if r.get(k) is not None}
        if r["code"] in existing:
            h = existing[r["code"]]
            for key, value in values.items():
                setattr(h, key, value)
            changed.append(h)
        else:
            new.append(
                House(
                    code=r["code"],
                    building_id=r["building_id"],
                    unit=r["unit"],
                    floor=r["floor"],
                    room=r["room"],
                    area_code=r["area_code"],
                    **values,
                )
            )
    House.objects.bulk_create(new, batch_size=1000)
    House.objects.bulk_update(changed, list(fields.HOUSE), batch_size=1000)
    return len(new), len(changed)


def _write_organizations(batch, actor: User):
    existing = {
        o.credit_code: o
        for o in Organization.objects.in_bulk([r["_pk"] for r in batch if "_pk" in r]).values()
    }
    # Found by its credit code, which the import never changes.
    columns = (*(f for f in fields.ORGANIZATION if f != "credit_code"), "area_code")
    new, changed = [], []
    for r in batch:
        values = {f: r.get(f) for f in columns if r.get(f) is not None}
        values["house_id"] = r.get("house_id")
        if r.get("credit_code") in existing:
            o = existing[r["credit_code"]]
            for key, value in values.items():
                setattr(o, key, value)
            changed.append(o)
        else:
            new.append(Organization(credit_code=r.get("credit_code") or None, **values))
    Organization.objects.bulk_create(new, batch_size=1000)
    Organization.objects.bulk_update(
        changed, [*columns, *derived_of(Organization, columns), "house"], batch_size=1000
    )
    return len(new), len(changed)


_WRITERS = {
    "people": _write_people,
    "buildings": _write_buildings,
    "houses": _write_houses,
    "organizations": _write_organizations,
}


def _prechecked_in_child(entity: str, data: bytes, filename: str, report: Report):
    """`_prechecked_batches` run in a forked process while this one writes: checking is Python
    work and writing is the database's, so on two cores they overlap (threads would share one
    interpreter lock). The child touches no database; it streams batches and problems back."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_precheck_child, args=(entity, data, filename, send), daemon=True
    )
    child.start()
    send.close()
    try:
        while True:
            kind, payload, errors, total = receive.recv()
            report.errors.extend(errors)
            report.total = total
            if kind == "batch":
                yield payload
            elif kind == "error":
                raise payload
            else:
                return
    finally:
        receive.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()


def _precheck_child(entity: str, data: bytes, filename: str, send) -> None:
    report = Report(entity=entity)
    sent = 0
    try:
        gc.disable()
        for records in _prechecked_batches(entity, data, filename, report):
            if entity == "people":  # sealing is CPU work too: done here, beside the writer
                seal_records(Person, records, _SEALED_PERSON_FIELDS)
            send.send(("batch", records, report.errors[sent:], report.total))
            sent = len(report.errors)
        send.send(("done", None, report.errors[sent:], report.total))
    except ValidationError as exc:
        send.send(("error", exc, report.errors[sent:], report.total))
    finally:
        send.close()
