"""The change log and the access log, written by other parts' services inside their transaction."""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from gridgov.accounts.models import User
from gridgov.audit import context
from gridgov.audit.models import AccessLog, ChangeAction, ChangeLog
from gridgov.masking import HIDDEN, mask


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values as JSON, with its `personal_fields` masked."""
    masked = set(getattr(instance, "personal_fields", ()))
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in instance._meta.concrete_fields if f.attname not in ("id",)]
    )
    result: dict[str, Any] = {}
    for name in names:
        value = getattr(instance, name, None)
        if name in masked or name.removesuffix("_id") in masked:
            result[name] = mask(value, HIDDEN) if value not in (None, "") else value
        elif name in getattr(instance, "change_log_exclude", ()):
            continue
        else:
            result[name] = _json_value(value)
    return result


def _area_code(instance: models.Model) -> str:
    """The code that scopes a log row: the object's own area code, or what it names as such."""
    if hasattr(instance, "audit_area_code"):
        return instance.audit_area_code or ""
    return str(getattr(instance, getattr(instance, "scope_field", "area_code"), "") or "")


def change_entry(
    *,
    actor: User,
    action: ChangeAction | str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> ChangeLog:
    """An unsaved change-log row; `record_change` saves one, bulk writers save many at once."""
    return ChangeLog(
        actor=actor,
        actor_name=actor.username,
        request_id=context.current_request_id(),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        area_code=_area_code(instance),
        before=before,
        after=after,
        note=note[:500],
    )


def record_change(**kwargs) -> ChangeLog:
    entry = change_entry(**kwargs)
    entry.save()
    return entry


def record_changes(entries: list[ChangeLog]) -> None:
    ChangeLog.objects.bulk_create(entries, batch_size=1000)


def record_event(
    *,
    actor: User,
    object_type: str,
    object_repr: str,
    after: dict,
    note: str,
    action: ChangeAction | str = ChangeAction.DELETE,
) -> ChangeLog:
    """A change-log row about the platform rather than one object (e.g. what retention removed);
    an automatic mechanism acts as its system account."""
    entry = ChangeLog(
        actor=actor,
        actor_name=actor.username,
        request_id=context.current_request_id(),
        action=action,
        object_type=object_type,
        object_id="-",
        object_repr=object_repr[:200],
        after=after,
        note=note[:500],
    )
    entry.save()
    return entry


def record_access(
    *,
    actor: User,
    subject: models.Model | None = None,
    subject_type: str = "",
    fields: Iterable[str],
    purpose: str = "view",
    reason: str = "",
    record_count: int = 1,
    area_code: str = "",
) -> AccessLog:
    """Log a read of unmasked personal data; the only code path that unmasks must call this."""
    return AccessLog.objects.create(
        actor=actor,
        actor_name=actor.username,
        request_id=context.current_request_id(),
        client_ip=context.current_client_ip(),
        purpose=purpose,
        subject_type=subject._meta.label_lower if subject is not None else subject_type,
        subject_id=str(subject.pk) if subject is not None else "",
        subject_repr=str(subject)[:200] if subject is not None else "",
        fields=sorted(fields),
        record_count=record_count,
        reason=reason[:500],
        area_code=area_code or (_area_code(subject) if subject is not None else ""),
    )
