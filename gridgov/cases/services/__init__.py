"""Every change to a case goes through here: one transaction, one timeline entry, the rules of
`machine.TRANSITIONS`, notifications queued with the change.

The package holds intake (`intake`), the loop steps (`loop`), who may act (`permissions`), the
deadline sweep (`sweeps`), the timeline and clock they share (`timeline`), whom to tell
(`notices`) and its raw SQL (`sql`); the public names are importable from here."""

from gridgov.cases.services.intake import (
    default_area_code,
    idempotency_scope,
    level_for,
    report_case,
)
from gridgov.cases.services.loop import (
    MAX_NOTE,
    add_photo,
    add_voice_note,
    check_photos,
    level_parent,
    perform,
    rate_case,
)
from gridgov.cases.services.notices import case_url, department_members, level_operators
from gridgov.cases.services.permissions import (
    COMMAND_ROLES,
    allowed_actions,
    is_department,
    is_summoned,
    may_command,
    may_supervise,
    may_verify,
)
from gridgov.cases.services.sql import find_case_by_idempotency_key
from gridgov.cases.services.sweeps import sweep_deadlines
from gridgov.cases.services.timeline import CACHE_TTL, category_by_code, forget_caches, record_step

__all__ = [
    "CACHE_TTL",
    "COMMAND_ROLES",
    "MAX_NOTE",
    "add_photo",
    "add_voice_note",
    "allowed_actions",
    "case_url",
    "category_by_code",
    "check_photos",
    "default_area_code",
    "department_members",
    "find_case_by_idempotency_key",
    "forget_caches",
    "idempotency_scope",
    "is_department",
    "is_summoned",
    "level_for",
    "level_operators",
    "level_parent",
    "may_command",
    "may_supervise",
    "may_verify",
    "perform",
    "rate_case",
    "record_step",
    "report_case",
    "sweep_deadlines",
]
