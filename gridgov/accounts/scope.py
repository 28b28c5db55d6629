"""Data scope: the one place that decides which rows and area codes a user may reach.

Two entry points, nothing else:

- `restrict(queryset, user, action, within=code)` for every read of scoped rows: the rows of the
  queryset the user may reach for the action, optionally narrowed to the area `within` (an area
  filter chosen on a page is applied here too, never by hand with `__startswith`).
  `get_for_user(queryset, user, action, **lookup)` is its one-object form (404 when outside).
- `code_in_scope(user, code, action)` for writes and checks that name one area code.

A scoped model names the field holding its area code (`scope_field`); a user sees the rows
whose code starts with one of their scope codes (a user holds any number of scope areas). A model
may widen this with a classmethod `scope_extra_q(user, action)` (a department sees the cases
dispatched to it, wherever they are). Rows outside the scope are simply absent: callers answer
404, never 403. Raw SQL that filters by code prefix takes its prefixes from `scope_prefixes`.
"""

from typing import TypeVar

from django.db import connections, models
from django.db.models import Q
from django.http import Http404

from gridgov.accounts.permissions import GLOBAL_ROLES, Action, role_may

# restrict() hands back the queryset's own class, so its methods (`.active()`, `.open()`) stay.
_QS = TypeVar("_QS", bound=models.QuerySet)


def minimal_prefixes(codes) -> list[str]:
    """Drop codes already covered by a shorter code in the set ("4101" covers "410105")."""
    result: list[str] = []
    for code in sorted({c for c in codes if c}, key=len):
        if not any(code.startswith(p) for p in result):
            result.append(code)
    return sorted(result)


def _prefix_q(field: str, prefixes, using: str) -> Q:
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
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) in GLOBAL_ROLES)


def scope_prefixes(user, action: str = Action.VIEW) -> list[str] | None:
    """The code prefixes `user` may reach for `action`: None for everything, [] for nothing.

    Only for raw SQL that must filter by code prefix itself; querysets use `restrict`.
    """
    if not user_may(user, action):
        return []
    if has_global_scope(user):
        return None
    return list(user.scope_codes)


def restrict(
    queryset: _QS,
    user,
    action: str = Action.VIEW,
    *,
    within: str | None = None,
    field: str | None = None,
) -> _QS:
    """The rows of `queryset` that `user` may reach for `action`; empty when none.

    `within`: keep only rows under this area code as well (a filter chosen by the user; empty
    means no filter, a code outside the scope simply gives nothing). `field`: judge another code
    field than the model's `scope_field` (e.g. the level holding a case); the model's
    `scope_extra_q` is then not used.
    A field path through a relation (a user's many scope areas) is filtered with a subquery, so
    a row never comes back twice and `.get()` never sees duplicates.
    """
    prefixes = scope_prefixes(user, action)
    if prefixes == []:
        return queryset.none()
    model = queryset.model
    path = field or model.scope_field
    q = Q()
    if prefixes is not None:
        q = _prefix_q(path, prefixes, queryset.db)
        extra = getattr(model, "scope_extra_q", None) if field is None else None
        extra_q = extra(user, action) if extra is not None else None
        if extra_q is not None:
            q = q | extra_q if q else extra_q
        if not q:
            return queryset.none()
    if within:
        narrow = _prefix_q(path, [within], queryset.db)
        q = q & narrow if q else narrow
    return _filter(queryset, q, path) if q else queryset


def _filter(queryset: _QS, q: Q, path: str) -> _QS:
    if "__" not in path:
        return queryset.filter(q)
    inner = queryset.model._base_manager.filter(q).values("pk")
    return queryset.filter(pk__in=inner)


def get_for_user(queryset: models.QuerySet, user, action: str = Action.VIEW, **lookup):
    """One object inside the user's scope, or 404 — the same answer as for a missing one."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def code_in_scope(user, code: str | None, action: str | None = None) -> bool:
    """Whether the area `code` lies inside the user's scope (and, given `action`, whether the user
    may take it there): the one check for writes and decisions that name an area."""
    if action is not None and not user_may(user, action):
        return False
    if has_global_scope(user):
        return True
    return bool(code) and any(code.startswith(p) for p in getattr(user, "scope_codes", ()))


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = Action.VIEW, **kwargs) -> models.QuerySet:
        return restrict(self, user, action, **kwargs)
