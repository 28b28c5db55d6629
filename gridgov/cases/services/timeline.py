"""The timeline and the stage clock every write shares (events, cards, photos attached), and
the small cached tables they read (categories, area classes)."""

import datetime
import time
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.system import is_system_account
from gridgov.areas.models import Area
from gridgov.cases import machine
from gridgov.cases.deadlines import stage_deadlines
from gridgov.cases.models import Attachment, Card, Case, CaseEvent, Category
from gridgov.cases.photos import CheckedPhoto

# ---------------------------------------------------------------------------------------------
# caches for the intake path (the locator is in memory; so are these small tables)

_CACHE: dict[str, tuple[float, dict]] = {}
CACHE_TTL = 60.0


def _cached(name: str, load) -> dict:
    stamp, value = _CACHE.get(name, (0.0, {}))
    if time.monotonic() - stamp > CACHE_TTL:
        value = load()
        _CACHE[name] = (time.monotonic(), value)
    return value


def forget_caches() -> None:
    _CACHE.clear()


def _categories() -> dict[str, Category]:
    return _cached("categories", lambda: {c.code: c for c in Category.objects.filter(active=True)})


def _area_classes() -> dict[str, str]:
    return _cached(
        "area_classes", lambda: dict(Area.objects.active().values_list("code", "area_class"))
    )


def category_by_code(code: str) -> Category:
    category = _categories().get(code)
    if category is None:
        raise ValidationError({"category": _("Unknown category %(code)s.") % {"code": code}})
    return category


# ---------------------------------------------------------------------------------------------
# the timeline and the clock


def _event(
    case: Case,
    actor: User,
    action: str,
    from_status: str,
    note: str = "",
    *,
    now,
    completes=None,
    data=None,
    save: bool = True,
) -> CaseEvent:
    on_time = None
    deadline = None
    if completes and case.stage == completes and case.stage_deadline:
        deadline = case.stage_deadline
        on_time = now <= case.stage_deadline
    event = CaseEvent(
        case=case,
        time=now,
        actor=actor,
        actor_name=actor.display_name,
        actor_role="system" if is_system_account(actor) else actor.role,
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        department=case.department,
        area_code=case.area_code,
        level_code=case.level_code,
        stage=completes or "",
        deadline=deadline,
        on_time=on_time,
        data=data or {},
    )
    if save:
        event.save()
    return event


def record_step(
    case: Case,
    actor: User,
    action: str,
    note: str = "",
    *,
    now: datetime.datetime,
    department: Department | None = None,
    deadline: datetime.datetime | None = None,
    on_time: bool | None = None,
    data: dict | None = None,
) -> CaseEvent:
    """A timeline entry for a step that is not a status change (a whistle, an arrival on site),
    written by the service that takes the step, in its transaction."""
    event = _event(case, actor, action, case.status, note, now=now, data=data, save=False)
    if department is not None:
        event.department = department
    event.deadline, event.on_time = deadline, on_time
    event.save()
    return event


def _enter_stage(case: Case, now: datetime.datetime) -> None:
    """Start the clock of the stage the case now waits in (or stop it)."""
    stage = machine.STAGE_OF_STATUS.get(case.status, "")
    case.stage = stage
    case.stage_card = ""
    if not stage:
        case.stage_started_at = case.stage_deadline = case.stage_red_at = None
        return
    area_class = _area_classes().get(case.area_code, "B")
    case.stage_started_at = now
    case.stage_deadline, case.stage_red_at = stage_deadlines(
        now, case.category, area_class, stage, case.grade
    )


def _clear_cards(case: Case, now) -> None:
    Card.objects.filter(case=case, cleared_at__isnull=True).update(cleared_at=now)


def _attach(
    case: Case, event: CaseEvent | None, photos: Sequence[tuple[CheckedPhoto, str]], actor: User
) -> list[Attachment]:
    return [
        Attachment.objects.create(
            case=case,
            event=event,
            kind=kind,
            original=photo.original,
            public=photo.public,
            thumbnail=photo.thumbnail,
            content_type=photo.content_type,
            size=photo.size,
            width=photo.width,
            height=photo.height,
            uploaded_by=actor,
        )
        for photo, kind in photos
    ]
