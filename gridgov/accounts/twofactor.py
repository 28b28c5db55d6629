"""Two-factor sign-in: who needs it, setting up a device, checking a code, recovery codes and
an administrator's reset. Pages and the token endpoint both go through these functions."""

import secrets

import segno
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role, may_grant, role_may
from gridgov.accounts.scope import restrict, user_may
from gridgov.accounts.twofactor_models import (
    RecoveryCode,
    RecoveryCodeDevice,
    SM3Device,
    normalize_recovery_code,
    recovery_hash,
)
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change

ALGORITHMS: dict[str, type[Device]] = {"totp": TOTPDevice, "sm3": SM3Device}
OTP_MODELS: tuple[type[Device], ...] = (TOTPDevice, SM3Device)
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
# Roles that hold any of these actions reveal, export or manage personal data and accounts.
_GUARDED_ACTIONS = (Action.VIEW_PERSONAL, Action.EXPORT_PERSONAL, Action.MANAGE_USERS)


def requires_two_factor(user: User) -> bool:
    """Administrators and roles that may reveal or export personal data or manage users."""
    if not settings.GRIDGOV_REQUIRE_2FA:
        return False
    return (
        user.is_superuser
        or user.role == Role.ADMIN
        or any(role_may(user.role, action) for action in _GUARDED_ACTIONS)
    )


def algorithm_model() -> type[Device]:
    try:
        return ALGORITHMS[settings.GRIDGOV_OTP_ALGORITHM]
    except KeyError:
        raise ImproperlyConfigured(
            f"GRIDGOV_OTP_ALGORITHM must be one of {sorted(ALGORITHMS)}"
        ) from None


def check_settings(**kwargs) -> list[checks.CheckMessage]:
    if settings.GRIDGOV_OTP_ALGORITHM in ALGORITHMS:
        return []
    return [
        checks.Error(
            f"GRIDGOV_OTP_ALGORITHM is {settings.GRIDGOV_OTP_ALGORITHM!r}.",
            hint=f"One of {', '.join(sorted(ALGORITHMS))}.",
            id="gridgov.E201",
        )
    ]


def otp_devices(user: User, *, confirmed: bool = True) -> list[Device]:
    return [
        device
        for model in OTP_MODELS
        for device in model.objects.filter(user=user, confirmed=confirmed)
    ]


def has_otp_device(user: User) -> bool:
    return any(model.objects.filter(user=user, confirmed=True).exists() for model in OTP_MODELS)


def pending_device(user: User) -> Device:
    """The unconfirmed device the setup page shows (the same one on every reload)."""
    model = algorithm_model()
    device = model.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = model.objects.create(
            user=user, name=str(model._meta.verbose_name), confirmed=False
        )
    return device


@transaction.atomic
def confirm_device(user: User, device: Device, code: str) -> list[str] | None:
    """Confirm a pending device with its first code; returns new recovery codes, or None when
    the code is wrong."""
    device = type(device).objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed or not device.verify_token(_digits(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    for model in OTP_MODELS:
        model.objects.filter(user=user, confirmed=False).delete()
    record_change(
        actor=user,
        action=ChangeAction.UPDATE,
        instance=user,
        note=_("Two-factor sign-in set up (%(kind)s)") % {"kind": device._meta.verbose_name},
    )
    return _new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user: User, *, actor: User) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); only the user may."""
    if actor.pk != user.pk or not has_otp_device(user):
        raise PermissionDenied
    codes = _new_recovery_codes(user)
    record_change(
        actor=actor, action=ChangeAction.UPDATE, instance=user, note=_("New recovery codes")
    )
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    rows = []
    for code in codes:
        salt = secrets.token_hex(8)
        rows.append(RecoveryCode(device=device, salt=salt, code_hash=recovery_hash(code, salt)))
    RecoveryCode.objects.bulk_create(rows)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def verify(user: User, code: str, *, allow_recovery: bool = True) -> Device | None:
    """The device that accepts the code (each code once), or None. Six or eight digits are a
    one-time password; anything longer may be a recovery code."""
    code = _digits(code)
    if not code or len(code) > 40:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) in (6, 8):
            for model in OTP_MODELS:
                devices = model.objects.select_for_update().filter(user=user, confirmed=True)
                for device in devices:
                    if device.verify_token(code):
                        return device
            return None
        if not allow_recovery:
            return None
        device = RecoveryCodeDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.verify_token(normalize_recovery_code(code)):
            return device
    return None


def token_refusal(user: User, code: str) -> str | None:
    """Why an API token may not be issued to this user with this code (None: it may).
    Recovery codes do not issue tokens."""
    needs = requires_two_factor(user) or has_otp_device(user)
    if not needs:
        return None
    if not has_otp_device(user):
        return _("Set up two-factor sign-in on the web pages before asking for a token.")
    if not code:
        return _("A one-time code (otp) is required.")
    if verify(user, code, allow_recovery=False) is None:
        return _("Wrong or already used one-time code.")
    return None


@transaction.atomic
def reset_two_factor(target: User, *, actor: User) -> None:
    """Remove every second factor of another user (a lost phone): they set up a new one at their
    next sign-in. Same rights as editing the user; nobody resets their own."""
    if actor.pk == target.pk:
        raise PermissionDenied(_("You cannot reset your own two-factor sign-in."))
    if not user_may(actor, Action.MANAGE_USERS) or not (
        actor.is_superuser or may_grant(actor.role, target.role)
    ):
        raise PermissionDenied(_("You may not manage this user."))
    if not restrict(User.objects.filter(pk=target.pk), actor, Action.MANAGE_USERS).exists():
        raise PermissionDenied(_("You may not manage this user."))
    removed = 0
    for model in (*OTP_MODELS, RecoveryCodeDevice):
        removed += model.objects.filter(user=target).delete()[1].get(model._meta.label, 0)
    if not removed:
        raise ValidationError(_("This user has no two-factor sign-in to reset."))
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=target,
        note=_("Two-factor sign-in reset"),
    )


def qr_svg(uri: str) -> str:
    """The QR code of a provisioning URI as an inline SVG, made here (no outside service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#1f2933", omitsize=True)
