"""Federation: a member's case facts applied a batch at a time (on the city).

A catch-up is mostly case facts. Applied one by one they cost a handful of statements each;
here a batch's facts cost a few statements together: the repeats are found with one query,
the facts held with another, then the log entries and the new and newer facts are written in
bulk. The rules are those of one message at a time (services/federation_receive.py): a message
id is applied once, a fact outside the member's area or malformed is refused and logged, and the
newest version of a case wins whatever order the versions arrive in. Should another request
write one of these rows meanwhile (two batches at once), the batch falls back to one message at
a time, which settles each row under its lock.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exchange.models import FederationMember, FederationMessage, MemberCaseFact
from gridgov.exchange.models.federation import Direction
from gridgov.exchange.services.federation_receive import (
    Entry,
    _apply_batch,
    _one_up,
    _text,
    fact_values,
    log_row,
)

FIELDS = ["version", "area_code", "month", "status", "category_code", "measures", "updated_at"]


def apply_facts(member: FederationMember, entries: list[Entry]) -> dict[str, str]:
    """Apply the case facts of one batch (inside the caller's transaction): each message's
    outcome by its id."""
    try:
        with transaction.atomic():
            return _bulk(member, entries)
    except IntegrityError:
        return _apply_batch(lambda i, k, d: _one_up(member, i, k, d), entries)


def _bulk(member: FederationMember, entries: list[Entry]) -> dict[str, str]:
    peer = member.area_code
    seen = set(
        FederationMessage.objects.filter(
            direction=Direction.IN, peer=peer, msg_id__in=[e[0] for e in entries]
        ).values_list("msg_id", flat=True)
    )
    results: dict[str, str] = {}
    logs: list[FederationMessage] = []
    newest: dict[str, dict] = {}
    for msg_id, kind, data in entries:
        if msg_id in seen:
            results[msg_id] = "duplicate"
            continue
        seen.add(msg_id)
        try:
            if not _text(data, "area_code", 20, required=True).startswith(peer):
                raise ValidationError(_("The case lies outside the member's area."))
            values = fact_values(data)
        except ValidationError as exc:
            results[msg_id] = f"refused: {'; '.join(exc.messages)}"[:300]
            logs.append(log_row(peer, msg_id, kind, data, results[msg_id]))
            continue
        results[msg_id] = "applied"
        logs.append(log_row(peer, msg_id, kind, data, "applied"))
        held = newest.get(values["local_id"])
        if held is None or values["version"] > held["version"]:
            newest[values["local_id"]] = values
    FederationMessage.objects.bulk_create(logs)
    current = {
        f.local_id: f
        for f in MemberCaseFact.objects.select_for_update().filter(
            member=member, local_id__in=list(newest)
        )
    }
    now = timezone.now()
    new, changed = [], []
    for local_id, values in newest.items():
        fact = current.get(local_id)
        if fact is None:
            new.append(MemberCaseFact(member=member, **values))
        elif values["version"] > fact.version:  # an older version arriving late changes nothing
            for name, value in values.items():
                setattr(fact, name, value)
            fact.updated_at = now
            changed.append(fact)
    MemberCaseFact.objects.bulk_create(new)
    MemberCaseFact.objects.bulk_update(changed, FIELDS)
    return results
