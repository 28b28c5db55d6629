"""Two-factor sign-in pages: set up, enter a code, new recovery codes, an administrator's reset."""

from base64 import b32encode

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.accounts import twofactor
from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.accounts.twofactor_models import RecoveryCodeDevice, SM3Device


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("One-time code"), max_length=64, strip=True)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _signed_in(request, device) -> None:
    request.session.cycle_key()
    django_otp.login(request, device)


def _show_codes(request, codes: list[str]):
    return render(
        request,
        "accounts/twofactor_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Set up a device (first sign-in), or, once set up, the state of the user's second factor."""
    user = request.user
    if twofactor.has_otp_device(user):
        if not user.is_verified():
            return redirect("accounts:two_factor_verify")
        return render(
            request,
            "accounts/twofactor_status.html",
            {
                "devices": twofactor.otp_devices(user),
                "unused_codes": twofactor.unused_recovery_codes(user),
            },
        )
    device = twofactor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_device(user, device, form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            _signed_in(request, device)
            return _show_codes(request, codes)
        form.add_error("code", _("Wrong code. Check the time on your phone and try again."))
    return render(
        request,
        "accounts/twofactor_setup.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(device.config_url),
            "secret": _secret_text(device),
            "algorithm": _algorithm_label(device),
            "step": device.step,
            "required": twofactor.requires_two_factor(user),
            "next": _next_url(request),
        },
    )


def _secret_text(device) -> str:
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _algorithm_label(device) -> str:
    if isinstance(device, SM3Device):
        return _("SM3-based one-time password (GM/T 0021)")
    return _("TOTP (RFC 6238)")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    if not twofactor.has_otp_device(user):
        return redirect("accounts:two_factor")
    if user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify(user, form.cleaned_data["code"])
        if device is not None:
            _signed_in(request, device)
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(n)d are left.")
                    % {"n": twofactor.unused_recovery_codes(user)},
                )
            return redirect(_next_url(request))
        form.add_error("code", _("Wrong or already used code."))
    return render(
        request, "accounts/twofactor_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@login_required
@require_POST
def two_factor_recovery_codes(request):
    codes = twofactor.new_recovery_codes(request.user, actor=request.user)
    return _show_codes(request, codes)


@login_required
@require_POST
def user_two_factor_reset(request, user_id: int):
    queryset = restrict(User.objects.all(), request.user, Action.MANAGE_USERS).distinct()
    target = get_for_user(queryset, request.user, Action.MANAGE_USERS, pk=user_id)
    try:
        twofactor.reset_two_factor(target, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Two-factor sign-in of %(name)s was reset; they set it up at their next sign-in.")
            % {"name": target.username},
        )
    return redirect("accounts:user_edit", user_id=target.pk)
