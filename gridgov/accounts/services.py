"""Users, scopes, tokens and logins. Every change to users and roles goes to the change log."""

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
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
from gridgov.accounts.permissions import SEPARATED_ROLES, Action, Role, may_grant
from gridgov.accounts.scope import (
    code_in_scope,
    has_global_scope,
    minimal_prefixes,
    restrict,
    user_may,
)
from gridgov.accounts.system import PREFIX as SYSTEM_PREFIX
from gridgov.accounts.system import is_system_account
from gridgov.areas.models import Area, Level
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import change_entry, record_change, record_changes, snapshot
from gridgov.crypto.fields import SealedCharField

TOKEN_PREFIX = "ggv_"  # noqa: S105 (a marker that tells tokens apart, not a secret)


class LoginThrottled(Exception):
    """Too many failed logins for this username or address; try again later."""


def _user_snapshot(user: User) -> dict:
    data = snapshot(user, ["username", "full_name", "role", "phone", "department_id", "is_active"])
    data["scope"] = sorted(user.scope_areas.values_list("code", flat=True)) if user.pk else []
    return data


def may_manage_users(actor: User) -> bool:
    return user_may(actor, Action.MANAGE_USERS)


def _require_user_manager(actor: User, role: str | None = None) -> None:
    if not may_manage_users(actor):
        raise PermissionDenied(_("You may not manage users."))
    if role is not None and not (actor.is_superuser or may_grant(actor.role, role)):
        raise PermissionDenied(
            _("You may not give the role %(role)s.") % {"role": Role(role).label}
        )


def _require_over(actor: User, user: User) -> None:
    """A manager acts on a user only when the whole of that user's scope lies inside their own
    (a user with no scope, or one reaching elsewhere, is for a manager above both). System
    accounts are kept by the code that defines them, never edited here."""
    if is_system_account(user):
        raise PermissionDenied(_("System accounts cannot be changed."))
    if has_global_scope(actor):
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


def _check_separation(role: str, phone: str, *, user: User | None = None) -> None:
    """三员分立: an account never moves between the system, security and audit administrator
    roles, and one person (one phone number) never holds two of them through two accounts."""
    if role not in SEPARATED_ROLES:
        return
    if user is not None and user.role in SEPARATED_ROLES and user.role != role:
        raise ValidationError(
            {
                "role": _(
                    "System, security and audit administrators are separate people: give the"
                    " role %(role)s to a new account."
                )
                % {"role": Role(role).label}
            }
        )
    if not phone:
        return
    others = User.objects.filter(phone=phone, is_active=True, role__in=SEPARATED_ROLES)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exclude(role=role).exists():
        raise ValidationError(
            {
                "role": _(
                    "An account with this phone number already holds another of the system,"
                    " security and audit administrator roles."
                )
            }
        )


def _scope_areas(codes: Iterable[str], actor: User) -> list[Area]:
    codes = sorted(set(codes))
    areas = list(Area.objects.filter(code__in=codes))
    missing = set(codes) - {a.code for a in areas}
    if missing:
        raise ValidationError(
            {"scope": _("Unknown area codes: %(codes)s") % {"codes": ", ".join(sorted(missing))}}
        )
    outside = [a.code for a in areas if not code_in_scope(actor, a.code)]
    if outside:
        raise ValidationError(
            {
                "scope": _("These areas are outside your own scope: %(codes)s")
                % {"codes": ", ".join(outside)}
            }
        )
    return areas


def _check_username(username: str) -> None:
    if username.startswith(SYSTEM_PREFIX):
        raise ValidationError(
            {
                "username": _("Usernames starting with %(p)s are kept for system accounts.")
                % {"p": SYSTEM_PREFIX}
            }
        )


@transaction.atomic
def create_user(
    *,
    actor: User,
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
    _check_separation(role, phone)
    _check_username(username)
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
def update_user(
    user: User, *, actor: User, scope_codes: Iterable[str] | None = None, **changes
) -> User:
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
        if actor.pk == user.pk and changes["role"] != user.role:
            raise PermissionDenied(_("You may not change your own role."))
    _check_separation(changes.get("role", user.role), changes.get("phone", user.phone), user=user)
    before = _user_snapshot(user)
    for name, value in changes.items():
        setattr(user, name, value)
    user.save()
    if not user.is_active:
        revoke_tokens(user)
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
def set_password(user: User, password: str, *, actor: User) -> None:
    if is_system_account(user):
        raise PermissionDenied(_("System accounts cannot be changed."))
    if actor != user:
        _require_user_manager(actor, user.role)
        _require_over(actor, user)
    user.set_password(password)
    user.save(update_fields=["password", "password_changed_at"])
    revoke_tokens(user)
    record_change(
        actor=actor, action=ChangeAction.UPDATE, instance=user, note=_("Password changed")
    )


@transaction.atomic
def assign_staff(
    user: User, grid: Area, force_type: str, *, actor: User, since: datetime.date | None = None
) -> StaffAssignment:
    if grid.level != Level.GRID:
        raise ValidationError({"grid": _("Staff are assigned to grids.")})
    if force_type not in ForceType.values:
        raise ValidationError({"force_type": _("Unknown force type %(f)s.") % {"f": force_type}})
    if not code_in_scope(actor, grid.code):
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
def end_assignment(
    assignment: StaffAssignment, *, actor: User, on: datetime.date | None = None
) -> None:
    _require_user_manager(actor)
    if not code_in_scope(actor, assignment.area_code):
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


# Departments are kept by those who keep the area tree or the users (the system administrator,
# district and street operators), each within their scope.
DEPARTMENT_ACTIONS = (Action.MANAGE_AREAS, Action.MANAGE_USERS)
DEPARTMENT_FIELDS = ["code", "name", "level", "area_id", "line", "phone", "active"]


def department_action(actor: User) -> str | None:
    """The right under which `actor` keeps departments (for `restrict`), or None."""
    return next((a for a in DEPARTMENT_ACTIONS if user_may(actor, a)), None)


def may_manage_departments(actor: User) -> bool:
    return department_action(actor) is not None


def _require_department_manager(actor: User, area: Area) -> None:
    if not may_manage_departments(actor):
        raise PermissionDenied(_("You may not manage departments."))
    if not code_in_scope(actor, area.code):
        raise PermissionDenied(_("The area is outside your scope."))


def _check_department_code(code: str, department: Department | None = None) -> None:
    taken = Department.objects.filter(code=code)
    if department is not None:
        taken = taken.exclude(pk=department.pk)
    if taken.exists():
        raise ValidationError({"code": _("The code %(code)s is taken.") % {"code": code}})


@transaction.atomic
def create_department(
    *, actor: User, code: str, name: str, level: str, area: Area, line: str = "", phone: str = ""
) -> Department:
    _require_department_manager(actor, area)
    _check_department_code(code)
    department = Department.objects.create(
        code=code, name=name, level=level, area=area, area_code=area.code, line=line, phone=phone
    )
    record_change(
        actor=actor, action=ChangeAction.CREATE, instance=department, after=snapshot(department)
    )
    return department


@transaction.atomic
def update_department(department: Department, *, actor: User, **changes) -> Department:
    """Change a department's fields (code, name, level, area, line, phone, active). Both its
    present area and a new one must lie in the actor's scope."""
    unknown = set(changes) - {"code", "name", "level", "area", "line", "phone", "active"}
    if unknown:
        raise TypeError(f"unknown department fields: {sorted(unknown)}")
    department = Department.objects.select_for_update().get(pk=department.pk)
    _require_department_manager(actor, department.area)
    area = changes.get("area", department.area)
    _require_department_manager(actor, area)
    if "code" in changes:
        _check_department_code(changes["code"], department)
    before = snapshot(department, DEPARTMENT_FIELDS)
    for name, value in changes.items():
        setattr(department, name, value)
    department.area_code = area.code
    department.save()
    after = snapshot(department, DEPARTMENT_FIELDS)
    if after != before:
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=department,
            before=before,
            after=after,
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


def user_for_token(raw: str) -> User | None:
    """The active user a token belongs to. Read from the database on every call (one indexed
    row), so a revoked token or a deactivated user stops working at once in every process."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return _lookup_token(_hash_token(raw))


def _lookup_token(key_hash: str) -> User | None:
    """One query for the token and its user (every API request pays for it: the ORM's query
    building and a raw queryset's column mapping cost more than the query itself). Revocation,
    expiry and the user's state are in the WHERE clause, so nothing is cached between requests."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    sql, fields = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now - datetime.timedelta(seconds=300)), key_hash, adapt(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for (_field, column, converters), value in zip(fields, row, strict=False):
        for converter in converters:
            value = converter(value, column, connection)
        values.append(value)
    user = User.from_db(connection.alias, [f.attname for f, _c, _cs in fields], values)
    token_pk, stale = row[-2], row[-1]
    if stale:  # written at most every 5 minutes per token
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return user


_TOKEN_QUERIES: dict[str, tuple[str, list]] = {}


def _token_query() -> tuple[str, list]:
    """The token look-up's SQL and, per user column, the database's value converters (built
    once per database vendor). Sealed columns (the phone) are left deferred: opening them costs
    a decryption that few requests need, and they load on first use."""
    if connection.vendor not in _TOKEN_QUERIES:
        fields = [f for f in User._meta.concrete_fields if not isinstance(f, SealedCharField)]
        columns = ", ".join(f"u.{connection.ops.quote_name(str(f.column))}" for f in fields)
        sql = (
            f"SELECT {columns}, t.id,"  # noqa: S608 (names from the models)
            " CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END"
            f" FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t"
            " ON t.user_id = u.id WHERE t.key_hash = %s AND t.revoked_at IS NULL"
            " AND u.is_active AND (t.expires_at IS NULL OR t.expires_at >= %s)"
        )
        columns_of = [(f, f.get_col(User._meta.db_table)) for f in fields]
        _TOKEN_QUERIES[connection.vendor] = (
            sql,
            [
                (f, col, connection.ops.get_db_converters(col) + f.get_db_converters(connection))
                for f, col in columns_of
            ],
        )
    return _TOKEN_QUERIES[connection.vendor]


def revoke_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def tokens_of(owner: User, *, actor: User) -> list[ApiToken]:
    """A user's tokens, newest first: one's own, or those of a user the actor manages."""
    _require_token_access(owner, actor)
    return list(owner.api_tokens.order_by("-created_at"))


def _require_token_access(owner: User, actor: User) -> None:
    if actor.pk == owner.pk:
        return
    # Another user's tokens: only for a user manager whose scope holds that user (404 otherwise).
    if not restrict(User.objects.filter(pk=owner.pk), actor, Action.MANAGE_USERS).exists():
        raise Http404
    _require_user_manager(actor, owner.role)


@transaction.atomic
def revoke_token(token_id: int, *, actor: User) -> ApiToken:
    """Revoke one token of the actor's own, or of a user the actor manages; it stops at once."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise Http404
    _require_token_access(token.user, actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=token.user,
            note=_("Token %(prefix)s… revoked") % {"prefix": token.prefix},
        )
    return token


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
    specs: list[UserSpec], *, shared_password: str, actor: User, note: str = ""
) -> list[User]:
    """Create many users at once (demo, staff imports). The shared password is hashed once.
    The actor may give only roles and areas they hold (a system account for the demo may give
    every role)."""
    for role in {s.role for s in specs}:
        _require_user_manager(actor, role)
    for s in specs:
        _check_username(s.username)
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
    for u, s in zip(users, specs, strict=True):  # known here: no query per user for the log
        u.__dict__["scope_codes"] = minimal_prefixes(s.scope_codes)
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
