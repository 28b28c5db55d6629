"""Users, scopes, tokens and logins. Every change to users and roles goes to the change log."""

import datetime
import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import (
    ApiToken,
    Department,
    ForceType,
    LoginFailure,
    StaffAssignment,
    User,
)
from gridgov.accounts.permissions import Action, Role, may_grant
from gridgov.accounts.scope import code_in_scope, has_global_scope, user_may
from gridgov.areas.models import Area, Level
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import change_entry, record_change, record_changes, snapshot

TOKEN_PREFIX = "ggv_"  # noqa: S105 (a marker that tells tokens apart, not a secret)


class LoginThrottled(Exception):
    """Too many failed logins for this username or address; try again later."""


def _user_snapshot(user: User) -> dict:
    data = snapshot(user, ["username", "full_name", "role", "phone", "department_id", "is_active"])
    data["scope"] = sorted(user.scope_areas.values_list("code", flat=True)) if user.pk else []
    return data


def may_manage_users(actor) -> bool:
    return user_may(actor, Action.MANAGE_USERS)


def _require_user_manager(actor, role: str | None = None) -> None:
    if actor is None:
        return
    if not may_manage_users(actor):
        raise PermissionDenied(_("You may not manage users."))
    if role is not None and not (actor.is_superuser or may_grant(actor.role, role)):
        raise PermissionDenied(
            _("You may not give the role %(role)s.") % {"role": Role(role).label}
        )


def _require_over(actor, user: User) -> None:
    """A manager acts on a user only when the whole of that user's scope lies inside their own
    (a user with no scope, or one reaching elsewhere, is for a manager above both)."""
    if actor is None or has_global_scope(actor):
        return
    codes = list(user.scope_areas.values_list("code", flat=True))
    if not codes or not all(code_in_scope(actor, code) for code in codes):
        raise PermissionDenied(
            _("This user's scope reaches beyond yours: ask a manager whose scope holds it.")
        )
    if has_global_scope(user) or not may_grant(actor.role, user.role):
        raise PermissionDenied(
            _("You may not manage a user with the role %(role)s.")
            % {"role": user.get_role_display()}
        )


def _scope_areas(codes: Iterable[str], actor) -> list[Area]:
    codes = sorted(set(codes))
    areas = list(Area.objects.filter(code__in=codes))
    missing = set(codes) - {a.code for a in areas}
    if missing:
        raise ValidationError(
            {"scope": _("Unknown area codes: %(codes)s") % {"codes": ", ".join(sorted(missing))}}
        )
    if actor is not None:
        outside = [a.code for a in areas if not code_in_scope(actor, a.code)]
        if outside:
            raise ValidationError(
                {
                    "scope": _("These areas are outside your own scope: %(codes)s")
                    % {"codes": ", ".join(outside)}
                }
            )
    return areas


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str | None,
    role: str,
    scope_codes: Iterable[str] = (),
    full_name: str = "",
    phone: str = "",
    department: Department | None = None,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    _require_user_manager(actor, role)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("The username %(u)s is taken.") % {"u": username}})
    areas = _scope_areas(scope_codes, actor)
    user = User(
        username=username, role=role, full_name=full_name, phone=phone, department=department
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.scope_areas.set(areas)
    record_change(
        actor=actor, action=ChangeAction.CREATE, instance=user, after=_user_snapshot(user)
    )
    return user


@transaction.atomic
def update_user(user: User, *, actor, scope_codes: Iterable[str] | None = None, **changes) -> User:
    """Edit, (de)activate or re-scope a user: the manager must hold all of the user's scope
    before and after, and may give only roles and areas they hold themselves."""
    _require_user_manager(actor, user.role)
    _require_over(actor, user)
    allowed = {"full_name", "role", "phone", "department", "is_active"}
    if set(changes) - allowed:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s")
            % {"f": ", ".join(sorted(set(changes) - allowed))}
        )
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": changes["role"]}})
    if "role" in changes:
        _require_user_manager(actor, changes["role"])
    before = _user_snapshot(user)
    for name, value in changes.items():
        setattr(user, name, value)
    user.save()
    if scope_codes is not None:
        user.scope_areas.set(_scope_areas(scope_codes, actor))
        user.__dict__.pop("scope_codes", None)
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=user,
        before=before,
        after=_user_snapshot(user),
    )
    return user


@transaction.atomic
def set_password(user: User, password: str, *, actor) -> None:
    if actor is not None and actor != user:
        _require_user_manager(actor)
        _require_over(actor, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(
        actor=actor, action=ChangeAction.UPDATE, instance=user, note=_("Password changed")
    )


@transaction.atomic
def assign_staff(
    user: User, grid: Area, force_type: str, *, actor, since: datetime.date | None = None
) -> StaffAssignment:
    if grid.level != Level.GRID:
        raise ValidationError({"grid": _("Staff are assigned to grids.")})
    if force_type not in ForceType.values:
        raise ValidationError({"force_type": _("Unknown force type %(f)s.") % {"f": force_type}})
    if actor is not None and not code_in_scope(actor, grid.code):
        raise PermissionDenied(_("The grid is outside your scope."))
    _require_user_manager(actor)
    _require_over(actor, user)
    assignment, created = StaffAssignment.objects.get_or_create(
        user=user,
        grid=grid,
        force_type=force_type,
        until=None,
        defaults={"since": since or timezone.localdate(), "area_code": grid.code},
    )
    if created:
        record_change(
            actor=actor, action=ChangeAction.CREATE, instance=assignment, after=snapshot(assignment)
        )
    return assignment


@transaction.atomic
def end_assignment(assignment: StaffAssignment, *, actor, on: datetime.date | None = None) -> None:
    _require_user_manager(actor)
    if actor is not None and not code_in_scope(actor, assignment.area_code):
        raise PermissionDenied(_("The grid is outside your scope."))
    before = snapshot(assignment)
    assignment.until = on or timezone.localdate()
    assignment.save(update_fields=["until"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=assignment,
        before=before,
        after=snapshot(assignment),
    )


@transaction.atomic
def create_department(
    *, actor, code: str, name: str, level: str, area: Area, line: str = "", phone: str = ""
) -> Department:
    _require_user_manager(actor)
    if actor is not None and not code_in_scope(actor, area.code):
        raise PermissionDenied(_("The area is outside your scope."))
    if Department.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The code %(code)s is taken.") % {"code": code}})
    department = Department.objects.create(
        code=code, name=name, level=level, area=area, area_code=area.code, line=line, phone=phone
    )
    record_change(
        actor=actor, action=ChangeAction.CREATE, instance=department, after=snapshot(department)
    )
    return department


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(user: User, *, name: str = "", days: int | None = 90) -> str:
    """A new bearer token; the plain text is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        key_hash=_hash_token(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    return raw


# Tokens seen lately, per process: machines send many requests in a row (intake from other
# systems). A revoked token or deactivated user stops working within TOKEN_CACHE_SECONDS.
TOKEN_CACHE_SECONDS = 30.0
_token_cache: dict[str, tuple[float, User]] = {}


def user_for_token(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    key = _hash_token(raw)
    cached = _token_cache.get(key)
    if cached and time.monotonic() - cached[0] < TOKEN_CACHE_SECONDS:
        return cached[1]
    user = _lookup_token(key)
    if user is not None:
        if len(_token_cache) > 10_000:
            _token_cache.clear()
        _token_cache[key] = (time.monotonic(), user)
    return user


def _lookup_token(key_hash: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at < now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_tokens(user: User) -> int:
    _token_cache.clear()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _recent_failures(username: str, client_ip: str) -> tuple[int, int]:
    since = timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(time__gte=since)
    return (
        recent.filter(username=username.lower()).count(),
        recent.filter(client_ip=client_ip).count() if client_ip else 0,
    )


def login(request, username: str, password: str) -> User | None:
    """Check a password with throttling: after N failures per username (or 4N per address) in the
    window, every attempt is refused until the window passes, right password or not."""
    client_ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    limit = settings.LOGIN_FAILURE_LIMIT
    by_user, by_ip = _recent_failures(username, client_ip)
    if by_user >= limit or by_ip >= 4 * limit:
        raise LoginThrottled
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username.lower()[:150], client_ip=client_ip)
        return None
    LoginFailure.objects.filter(username=username.lower()).delete()
    return user


@dataclass
class UserSpec:
    username: str
    role: str
    scope_codes: list[str] = field(default_factory=list)
    full_name: str = ""
    phone: str = ""
    department_code: str | None = None
    password: str | None = None  # None: the shared password of the batch
    assignments: list[tuple[str, str]] = field(default_factory=list)  # (grid code, force type)


@transaction.atomic
def bulk_create_users(
    specs: list[UserSpec], *, shared_password: str, actor=None, note: str = ""
) -> list[User]:
    """Create many users at once (demo, staff imports). The shared password is hashed once.
    A manager (not the system) may give only roles and areas they hold."""
    for role in {s.role for s in specs}:
        _require_user_manager(actor, role)
    if actor is not None:
        _scope_areas({c for s in specs for c in s.scope_codes}, actor)
    shared_hash = make_password(shared_password)
    departments = {
        d.code: d
        for d in Department.objects.filter(
            code__in={s.department_code for s in specs if s.department_code}
        )
    }
    codes = {c for s in specs for c in s.scope_codes} | {
        g for s in specs for g, _f in s.assignments
    }
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    users = [
        User(
            username=s.username,
            role=s.role,
            full_name=s.full_name,
            phone=s.phone,
            department=departments.get(s.department_code) if s.department_code else None,
            password=make_password(s.password) if s.password else shared_hash,
        )
        for s in specs
    ]
    User.objects.bulk_create(users, batch_size=1000)
    scope_rows = [
        User.scope_areas.through(user_id=u.pk, area_id=areas[c].pk)
        for u, s in zip(users, specs, strict=True)
        for c in s.scope_codes
    ]
    User.scope_areas.through.objects.bulk_create(scope_rows, batch_size=2000)
    today = timezone.localdate()
    StaffAssignment.objects.bulk_create(
        [
            StaffAssignment(user=u, grid=areas[g], area_code=g, force_type=f, since=today)
            for u, s in zip(users, specs, strict=True)
            for g, f in s.assignments
        ],
        batch_size=2000,
    )
    record_changes(
        [
            change_entry(
                actor=actor,
                action=ChangeAction.CREATE,
                instance=u,
                after=snapshot(u, ["username", "full_name", "role", "department_id"])
                | {"scope": s.scope_codes},
                note=note,
            )
            for u, s in zip(users, specs, strict=True)
        ]
    )
    return users
