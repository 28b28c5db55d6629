import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from gridgov.accounts.passwords import expiry_message, password_expired


class LanguageMiddleware(LocaleMiddleware):
    """zh-Hans unless the user chose otherwise (the language cookie); API callers may also ask
    with Accept-Language. A browser's own language does not switch the pages: Chinese first."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = None
        if chosen is None and request.path.startswith("/api/"):
            chosen = translation.get_language_from_request(request)
        language = chosen or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class IdleSessionMiddleware:
    """End a session left idle longer than GRIDGOV_SESSION_IDLE_MINUTES (GB/T 22239-2019).

    The last activity is kept in the session and written at most once a minute, so a busy user
    does not cost a session write per request."""

    KEY = "gridgov_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        minutes = settings.GRIDGOV_SESSION_IDLE_MINUTES
        if minutes and request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.KEY)
            if isinstance(last, int) and now - last > minutes * 60:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("Your session ended after a time without activity."))
            elif not isinstance(last, int) or now - last >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


# Pages a user with an expired password may still reach: the change itself and leaving.
_PASSWORD_EXEMPT = ("accounts:account", "accounts:logout", "accounts:token_revoke", "set_language")


class PasswordExpiryMiddleware:
    """A signed-in user whose password is too old changes it before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and password_expired(user) and not self._exempt(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "password_expired", "message": expiry_message(), "details": None},
                    status=403,
                )
            messages.warning(request, expiry_message())
            return redirect("accounts:account")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        try:
            return resolve(request.path_info).view_name in _PASSWORD_EXEMPT
        except Resolver404:
            return False
