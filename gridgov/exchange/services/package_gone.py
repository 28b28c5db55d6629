"""Deletions and merges in incremental exchange packages (docs/exchange.md).

An increment holds the rows changed in its period; a row deleted or merged away in the period is
not among them, so it goes in `deleted.jsonl`: one line per key of the data set,
`{"key": "…", "reason": "deleted" | "merged", "merged_into": "…" | null}`. They are read from
the change log (every deletion and merge through the services is there, with its area): a
deletion of the data set's model, or a person merged into another (the kept record arrives as a
changed row). Only keys, no personal values: the file is signed through the manifest like the
others and not encrypted. An importer removes the records under those keys.
"""

import json

from django.db.models import Q

from gridgov.audit.models import ChangeAction, ChangeLog

# data set → (the model whose deletions count, the record's key is the object's id)
MODELS = {
    "cases": "cases.case",
    "case_facts": "cases.case",
    "people": "registry.person",
    "organizations": "registry.organization",
    "places": "registry.place",
    "special_populations": "lines.specialrecord",
}
FILE = "deleted.jsonl"


def gone(dataset_key: str, codes: list[str], since, until) -> list[dict]:
    """The keys of the data set deleted or merged away in (since, until] within `codes`, in
    the order they went; nothing without a `since` (a first or full package holds only what
    exists)."""
    object_type = MODELS.get(dataset_key)
    if object_type is None or since is None:
        return []
    areas = Q(pk__in=[])
    for code in codes:
        areas |= Q(area_code__startswith=code)
    entries = (
        ChangeLog.objects.filter(
            object_type=object_type,
            action__in=[ChangeAction.DELETE, ChangeAction.MERGE],
            time__gt=since,
            time__lte=until,
        )
        .filter(areas)
        .order_by("time", "pk")
        .values_list("action", "object_id")
    )
    merged = _merged_into(object_type, [oid for action, oid in entries if action == "merge"])
    found: dict[str, dict] = {}
    for action, object_id in entries:
        if action == ChangeAction.DELETE:
            found[object_id] = {"key": object_id, "reason": "deleted", "merged_into": None}
        elif object_id in merged:  # the record merged away, not the one kept
            found[object_id] = {
                "key": object_id,
                "reason": "merged",
                "merged_into": merged[object_id],
            }
    return list(found.values())


def _merged_into(object_type: str, ids: list[str]) -> dict[str, str]:
    if object_type != "registry.person" or not ids:
        return {}
    from gridgov.registry.models import Person

    rows = Person.objects.filter(
        pk__in=[int(i) for i in ids if i.isdigit()], merged_into__isnull=False
    ).values_list("pk", "merged_into_id")
    return {str(pk): str(into) for pk, into in rows}


def serialise(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def parse(data: bytes) -> list[dict]:
    rows = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
    if not all(isinstance(r, dict) and isinstance(r.get("key"), str) for r in rows):
        raise ValueError("a line of deleted.jsonl without a key")
    return rows
