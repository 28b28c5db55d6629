"""Registry corrections from the phone, and the conflicts list: the only place they change.

A grid member corrects a few basic fields of their own grid's records on the phone, online or
offline (the outbox keeps the edit with a UUID made on the phone and the record's version as it
was shown). The edit is written through the registry's own services (the change log comes with
them) when the record has not changed since; otherwise nothing is written to the record and the
edit waits as a conflict, never silently over a desk edit. The member (or a desk administrator of
the area) resolves it: apply the member's values over the current record, or keep the desk's.

What the phone may correct (`FIELDS`): a person's phone, occupation and employer, and that they
moved out; a house's use and state (occupancy). Never identifiers, names or key-population tags.
"""

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.audit.models import ChangeAction, ChangeLog
from gridgov.audit.services import record_change
from gridgov.masking import mask_name, mask_phone
from gridgov.mobile.models import Correction, CorrectionKind, CorrectionState
from gridgov.registry import fields as registry_fields
from gridgov.registry import services as registry
from gridgov.registry.models import House, Person
from gridgov.registry.models.buildings import HouseState, HouseUse

FIELDS: dict[str, tuple[str, ...]] = {
    CorrectionKind.PERSON: ("phone", "occupation", "employer", "moved_out"),
    CorrectionKind.HOUSE: ("use", "state"),
}
MAX_TEXT = 50


class Conflict(Exception):
    """Raised inside the write's transaction when the record changed since the member saw it."""


def _record(kind: str, record_id: int, actor: User) -> Person | House:
    model = Person if kind == CorrectionKind.PERSON else House
    found = restrict(model.objects.filter(pk=record_id), actor, Action.CHANGE).first()
    if found is None:
        raise PermissionDenied(_("You may not change records here."))
    return found


def clean_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The member's values, checked; a field the phone may not correct is refused."""
    allowed = FIELDS.get(kind)
    if allowed is None:
        raise ValidationError({"kind": _("Only a person or a house can be corrected here.")})
    if not values:
        raise ValidationError({"values": _("Nothing to correct.")})
    refused = sorted(set(values) - set(allowed))
    if refused:
        raise ValidationError(
            {
                "values": _("These fields cannot be corrected on the phone: %(names)s.")
                % {"names": ", ".join(refused)}
            }
        )
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "moved_out":
            if value is not True:
                raise ValidationError({"moved_out": _("Say only that the person moved out.")})
            clean[key] = True
            continue
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise ValidationError({key: _("A short text is expected.")})
        value = value.strip()
        if key == "phone":
            value = registry.check_phone(value)
        elif key == "use" and value not in HouseUse.values:
            raise ValidationError({"use": _("Unknown use.")})
        elif key == "state" and value not in HouseState.values:
            raise ValidationError({"state": _("Unknown state.")})
        clean[key] = value
    return clean


def label_of(record: Person | House) -> str:
    if isinstance(record, Person):
        return mask_name(record.name)
    return record.code


def current_values(record: Person | House, keys: list[str]) -> dict[str, Any]:
    """The record's values of `keys` as the phone may show them (a phone number masked)."""
    shown: dict[str, Any] = {}
    for key in keys:
        if key == "moved_out":
            shown[key] = isinstance(record, Person) and record.current_house_id is None
        elif key == "phone":
            phone = getattr(record, "phone", "")
            shown[key] = mask_phone(phone) if phone else ""
        else:
            shown[key] = getattr(record, key)
    return shown


def _last_change(record: Person | House) -> tuple[str, datetime.datetime]:
    object_type = f"registry.{type(record).__name__.lower()}"
    entry = (
        ChangeLog.objects.filter(object_type=object_type, object_id=str(record.pk))
        .select_related("actor")
        .order_by("-time", "-id")
        .first()
    )
    if entry is None:
        return "", record.updated_at
    # the editor's full name, as people read it (the log keeps the username)
    name = entry.actor.display_name if entry.actor is not None else entry.actor_name
    return name, entry.time


def _apply(record: Person | House, values: dict[str, Any], actor: User) -> None:
    """The member's values written through the registry's services."""
    if isinstance(record, House):
        registry.update_house(record, actor=actor, **values)
        return
    edits = {k: v for k, v in values.items() if k != "moved_out"}
    if edits:
        data = {key: getattr(record, key) for key in registry_fields.PERSON}
        data.update(edits)
        registry.save_person(data, actor=actor, person=record)
    if values.get("moved_out") and record.current_house_id is not None:
        registry.move_out(record, actor=actor)


def _all_values(correction: Correction) -> dict[str, Any]:
    values = dict(correction.values)
    if correction.phone or "phone" in correction.values:
        values["phone"] = correction.phone
    return values


def submit_correction(
    *,
    actor: User,
    correction_id: uuid.UUID,
    kind: str,
    record_id: int,
    base_version: datetime.datetime,
    values: dict[str, Any],
) -> tuple[Correction, bool]:
    """Apply the member's correction, or keep it as a conflict when the record changed since
    `base_version`. Returns (correction, created); the same `correction_id` again answers the
    first outcome and writes nothing."""
    known = Correction.objects.filter(pk=correction_id).first()
    if known is not None:
        if known.author_id != actor.pk:
            raise PermissionDenied(_("This correction is not yours."))
        return known, False
    clean = clean_values(kind, values)
    record = _record(kind, record_id, actor)
    correction = Correction(
        id=correction_id,
        author=actor,
        kind=kind,
        record_id=record.pk,
        record_label=label_of(record),
        area_code=record.area_code,
        base_version=base_version,
        values={k: v for k, v in clean.items() if k != "phone"},
        phone=clean.get("phone", ""),
    )
    if "phone" in clean:
        correction.values["phone"] = mask_phone(clean["phone"]) if clean["phone"] else ""
    try:
        with transaction.atomic():
            locked = type(record).objects.select_for_update().get(pk=record.pk)
            if locked.updated_at != base_version:
                by, at = _last_change(locked)
                correction.state = CorrectionState.CONFLICT
                correction.desk_values = current_values(locked, list(clean))
                correction.desk_changed_by = by
                correction.desk_changed_at = at
                correction.save(force_insert=True)
                record_change(
                    actor=actor,
                    action=ChangeAction.CREATE,
                    instance=correction,
                    after={"state": correction.state, "fields": sorted(clean)},
                    note=_("A correction from the phone met a newer desk edit"),
                )
            else:
                correction.state = CorrectionState.APPLIED
                correction.save(force_insert=True)
                _apply(locked, clean, actor)
    except IntegrityError:
        # The same UUID sent twice at once: the other request stored it first.
        known = Correction.objects.filter(pk=correction_id, author=actor).first()
        if known is None:
            raise
        return known, False
    return correction, True


def resolve_conflict(correction: Correction, *, actor: User, keep: str) -> Correction:
    """`keep="mine"`: the member's values are written over the current record (a new write based
    on its current version, through the same services); `keep="desk"`: the correction is
    dropped. Either way the resolution goes to the change log."""
    if keep not in ("mine", "desk"):
        raise ValidationError({"keep": _("Choose the member's values or the desk's.")})
    if correction.state != CorrectionState.CONFLICT:
        raise ValidationError(_("This conflict is already resolved."))
    if (
        correction.author_id != actor.pk
        and not restrict(Correction.objects.filter(pk=correction.pk), actor, Action.CHANGE).exists()
    ):
        raise PermissionDenied(_("You may not change records here."))
    with transaction.atomic():
        locked = Correction.objects.select_for_update().get(pk=correction.pk)
        if locked.state != CorrectionState.CONFLICT:
            raise ValidationError(_("This conflict is already resolved."))
        if keep == "mine":
            record = _record(locked.kind, locked.record_id, actor)
            _apply(record, _all_values(locked), actor)
            locked.state = CorrectionState.MINE
        else:
            locked.state = CorrectionState.DESK
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor
        locked.save(update_fields=["state", "resolved_at", "resolved_by"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=locked,
            before={"state": CorrectionState.CONFLICT},
            after={"state": locked.state},
            note=_("Conflict resolved: the member's values applied")
            if keep == "mine"
            else _("Conflict resolved: the desk's values kept"),
        )
    return locked
