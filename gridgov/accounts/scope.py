"""Data scope: the one function that narrows any queryset to what a user may see or do.

A scoped model names the field holding its area code (`scope_field`); a user sees the rows
whose code starts with one of their scope codes. A model may widen this with a classmethod
`scope_extra_q(user, action)` (a department sees the cases dispatched to it, wherever they are).
Rows outside the scope are simply absent: callers answer 404, never 403.
"""

from collections.abc import Iterable

import numpy as np
from django.db import connections, models
from django.db.models import Q
from django.http import Http404

from gridgov.accounts.permissions import GLOBAL_ROLES, Action, role_may


def minimal_prefixes(codes: Iterable[str]) -> list[str]:
    """Drop codes already covered by a shorter code in the set ("4101" covers "410105")."""
    result: list[str] = []
    for code in sorted({c for c in codes if c}, key=len):
        if not any(code.startswith(p) for p in result):
            result.append(code)
    return sorted(result)


def code_prefix_q(field: str, prefixes: Iterable[str], using: str = "default") -> Q:
    """Rows whose code starts with any prefix, written so that an index on the field is used.

    Codes are digits, so on SQLite a range [p, p + ":") is exactly "starts with p" and walks
    the index; on PostgreSQL LIKE 'p%' uses the pattern-ops index Django creates for CharFields
    (a range would depend on the collation there).
    """
    q = Q()
    sqlite = connections[using].vendor == "sqlite"
    for p in minimal_prefixes(prefixes):
        if sqlite:
            q |= Q(**{f"{field}__gte": p, f"{field}__lt": p + ":"})
        else:
            q |= Q(**{f"{field}__startswith": p})
    return q


def user_may(user, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # A superuser acts as a system administrator: reading the audit logs stays the auditors'.
    return role_may(user.role, action) or (user.is_superuser and action != Action.READ_AUDIT)


def has_global_scope(user) -> bool:
    return bool(user.is_superuser or user.role in GLOBAL_ROLES)


def restrict(queryset: models.QuerySet, user, action: str = Action.VIEW) -> models.QuerySet:
    """The rows of `queryset` that `user` may reach for `action`; empty when none."""
    if not user_may(user, action):
        return queryset.none()
    if has_global_scope(user):
        return queryset
    model = queryset.model
    q = code_prefix_q(model.scope_field, user.scope_codes, queryset.db)
    extra = getattr(model, "scope_extra_q", None)
    if extra is not None:
        extra_q = extra(user, action)
        if extra_q is not None:
            q = q | extra_q if q else extra_q
    if not q:
        return queryset.none()
    return queryset.filter(q)


def get_for_user(queryset: models.QuerySet, user, action: str = Action.VIEW, **lookup):
    """One object inside the user's scope, or 404 — the same answer as for a missing one."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def code_in_scope(user, code: str) -> bool:
    """Whether an area code lies inside the user's scope (for writes that name an area)."""
    if has_global_scope(user):
        return True
    return any(code.startswith(p) for p in user.scope_codes)


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = Action.VIEW) -> models.QuerySet:
        return restrict(self, user, action)


def keep_codes_in_scope(user, codes: list[str | None]) -> list[str | None]:
    """The codes with those outside the user's scope replaced by None, for many codes at once."""
    if has_global_scope(user):
        return list(codes)
    values = np.array([c or "" for c in codes], dtype=str)
    inside = np.zeros(len(values), dtype=bool)
    for prefix in user.scope_codes:
        inside |= np.char.startswith(values, prefix)
    return [c if ok and c else None for c, ok in zip(codes, inside.tolist(), strict=True)]
