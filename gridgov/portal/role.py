"""The middleware of a public instance (`GRIDGOV_ROLE=public`): nobody signs in there, so the
staff's middleware (two factors, idle sessions, password expiry) is left out and every request
is anonymous, whatever session cookie it carries. Imported by the settings: no models here."""

AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
STAFF_ONLY = {
    "django_otp.middleware.OTPMiddleware",
    "gridgov.accounts.twofactor_middleware.TwoFactorMiddleware",
    "gridgov.accounts.middleware.IdleSessionMiddleware",
    "gridgov.accounts.middleware.PasswordExpiryMiddleware",
}


def public_middleware(middleware: list[str]) -> list[str]:
    return [
        "gridgov.portal.role.NobodySignedInMiddleware" if m == AUTHENTICATION else m
        for m in middleware
        if m not in STAFF_ONLY
    ]


class NobodySignedInMiddleware:
    """In place of Django's authentication middleware: `request.user` is always anonymous."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        return self.get_response(request)
