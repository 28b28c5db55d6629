"""The event catalogue, and writing events in the transaction of the change.

Receivers on the models the catalogue names turn each save into a `ChangeEvent` (the pull feed)
and, for every active webhook endpoint whose client may see the event's area and kind, one
outbox message (channel `webhook`). Both rows are written in the saving transaction: a change
that rolls back leaves no event, a committed one is never lost. Changes made with `update()` or
`bulk_create` (bulk imports, the demo) send no events; the catalogue in docs/exchange.md says so.
"""

import fnmatch
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models.signals import post_save

from gridgov.cases.services.sql import insert_row
from gridgov.exchange.models import ChangeEvent, ClientSystem, WebhookEndpoint
from gridgov.notify.models import Priority
from gridgov.notify.outbox import enqueue_messages

CATALOGUE_VERSION = 1

# Event types, versioned with CATALOGUE_VERSION; docs/exchange.md describes each.
CATALOGUE: dict[str, str] = {
    "case.reported": "a case entered the loop",
    "case.status_changed": "a case moved to another status",
    "case.closed": "a case was closed",
    "case.rated": "the reporter's satisfaction was recorded",
    "warning.issued": "a warning was issued",
    "warning.closed": "a warning was cancelled or all-cleared",
    "person.created": "a person was registered",
    "person.updated": "a person's record changed",
    "household.created": "a household was registered",
    "household.updated": "a household changed",
    "building.created": "a building was registered",
    "building.updated": "a building changed",
    "organization.created": "an organization was registered",
    "organization.updated": "an organization changed",
    "area.changed": "an area was created or changed (name, boundary, parent)",
}

# How long a process keeps the list of active endpoints before reading it again.
ENDPOINT_CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class _Target:
    endpoint_id: int
    url: str
    prefixes: tuple[str, ...]
    patterns: tuple[str, ...]


_cache: tuple[float, list[_Target]] = (0.0, [])


def forget_endpoints() -> None:
    global _cache
    _cache = (0.0, [])


def _targets() -> list[_Target]:
    global _cache
    stamp, targets = _cache
    if time.monotonic() - stamp < ENDPOINT_CACHE_SECONDS:
        return targets
    targets = []
    endpoints = WebhookEndpoint.objects.filter(active=True, client__revoked_at__isnull=True)
    for endpoint in endpoints.select_related("client").prefetch_related("client__scope_areas"):
        client = endpoint.client
        kinds = client.data_kinds or []
        wanted = [t for t in endpoint.event_types if any(fnmatch.fnmatch(t, k) for k in kinds)]
        targets.append(
            _Target(
                endpoint.pk,
                endpoint.url,
                tuple(a.code for a in client.scope_areas.all()),
                tuple(wanted),
            )
        )
    _cache = (time.monotonic(), targets)
    return targets


def type_allowed(event_type: str, patterns) -> bool:
    return any(fnmatch.fnmatch(event_type, p) for p in patterns)


def client_sees(client: ClientSystem, event_type: str, area_code: str, codes: set[str]) -> bool:
    """Whether the client's scope (areas and data kinds) covers this event."""
    return type_allowed(event_type, client.data_kinds or []) and any(
        area_code.startswith(c) for c in codes
    )


def record_event(
    event_type: str, *, object_type: str, object_id: str, area_code: str, fields: list[str]
) -> ChangeEvent:
    """Write the event and queue it for each endpoint that may receive it (call inside the
    transaction of the change)."""
    event = ChangeEvent(
        type=event_type,
        version=CATALOGUE_VERSION,
        area_code=area_code or "",
        object_type=object_type,
        object_id=str(object_id),
        fields=sorted(fields),
    )
    insert_row(event)  # prepared once: an event per report must not slow the intake path
    queue_for_endpoints([event])
    return event


def queue_for_endpoints(events: list[ChangeEvent], only: int | None = None) -> int:
    """One outbox message per (event, endpoint that may receive it); `only` limits to one
    endpoint. Queued twice, an event goes once (dedupe key per endpoint and event)."""
    messages = []
    for target in _targets():
        if only is not None and target.endpoint_id != only:
            continue
        for event in events:
            if not type_allowed(event.type, target.patterns):
                continue
            if not any(event.area_code.startswith(p) for p in target.prefixes):
                continue
            messages.append(message_for(event, target.endpoint_id, target.url))
    if messages:
        enqueue_messages("webhook", messages)
    return len(messages)


def webhook_id(event_id: int, endpoint_id: int) -> str:
    """Stable across retries and replays: receivers drop an id they have already seen."""
    return f"msg_{event_id}_{endpoint_id}"


def message_for(event: ChangeEvent, endpoint_id: int, url: str, replay: int = 0) -> dict:
    key = f"webhook:{endpoint_id}:{event.pk}" + (f":replay{replay}" if replay else "")
    return {
        "destination": url,
        "payload": {
            "webhook_id": webhook_id(event.pk, endpoint_id),
            "endpoint": endpoint_id,
            "event": event.as_payload(),
        },
        "priority": Priority.BULK,
        "source": f"exchange.changeevent:{event.pk}",
        "dedupe_key": key,
    }


# --- receivers: which saves are which events -------------------------------------------------

_FINAL_CASE = {"closed"}


def _fields(update_fields) -> list[str]:
    return sorted(update_fields) if update_fields else []


def _case_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw:
        return
    fields = _fields(update_fields)
    if created:
        kinds = ["case.reported"]
    else:
        kinds = []
        if update_fields is None or "status" in fields:
            kinds.append("case.closed" if instance.status in _FINAL_CASE else "case.status_changed")
        if "satisfaction" in fields and instance.satisfaction is not None:
            kinds.append("case.rated")
    for kind in kinds:
        record_event(
            kind,
            object_type="case",
            object_id=instance.pk,
            area_code=instance.area_code,
            fields=fields,
        )


def _warning_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw or created:
        return
    fields = _fields(update_fields)
    if update_fields is not None and "state" not in fields:
        return
    kind = {"issued": "warning.issued", "closed": "warning.closed"}.get(instance.state)
    if kind:
        record_event(
            kind,
            object_type="warning",
            object_id=instance.pk,
            area_code=instance.area_code,
            fields=fields,
        )


def _registry_saved(name: str):
    def receiver(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
        if raw:
            return
        record_event(
            f"{name}.created" if created else f"{name}.updated",
            object_type=name,
            object_id=instance.pk,
            area_code=instance.area_code,
            fields=_fields(update_fields),
        )

    return receiver


def _area_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw:
        return
    record_event(
        "area.changed",
        object_type="area",
        object_id=instance.code,
        area_code=instance.code,
        fields=_fields(update_fields),
    )


_RECEIVERS: list = []


def connect() -> None:
    """Called from the app's ready(): one receiver per model of the catalogue."""
    from django.apps import apps

    pairs: list[tuple[type[models.Model], Callable[..., None]]] = [
        (apps.get_model("cases", "Case"), _case_saved),
        (apps.get_model("warnings", "Warning"), _warning_saved),
        (apps.get_model("areas", "Area"), _area_saved),
    ]
    for name, model_name in (
        ("person", "Person"),
        ("household", "Household"),
        ("building", "Building"),
        ("organization", "Organization"),
    ):
        pairs.append((apps.get_model("registry", model_name), _registry_saved(name)))
    for model, receiver in pairs:
        _RECEIVERS.append(receiver)  # kept alive: signals hold weak references
        post_save.connect(receiver, sender=model, dispatch_uid=f"exchange-events-{model.__name__}")
