"""Holds a signed-in user who still owes a second factor on the two-factor pages.

After the password, a user who needs two-factor sign-in (or has a device) is signed in but not
verified: every page sends them to set a device up or to enter a code, and the API treats their
session as no session at all (bearer tokens are issued only with a code, see accounts/api.py).
"""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from gridgov.accounts import twofactor

# A session whose user needs no second factor remembers it, so such users cost no query per page.
NOT_ASKED_SESSION_KEY = "gridgov_2fa_not_asked"


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:two_factor"),
        reverse("accounts:two_factor_verify"),
        reverse("accounts:logout"),
        reverse("set_language"),
    )


def _is_asked(request: HttpRequest, user) -> bool:
    if twofactor.requires_two_factor(user):
        return True
    if request.session.get(NOT_ASKED_SESSION_KEY) == user.pk:
        return False
    if twofactor.has_otp_device(user):
        return True
    request.session[NOT_ASKED_SESSION_KEY] = user.pk
    return False


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and _is_asked(request, user):
            if request.path_info.startswith("/api/"):
                request.user = AnonymousUser()
            elif request.path not in _open_paths():
                target = (
                    "accounts:two_factor_verify"
                    if twofactor.has_otp_device(user)
                    else "accounts:two_factor"
                )
                query = (
                    urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                )
                return HttpResponseRedirect(reverse(target) + (f"?{query}" if query else ""))
        return self.get_response(request)
