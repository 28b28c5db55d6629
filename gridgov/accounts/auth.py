"""Who calls the API: a bearer token (machines) or the browser session (with CSRF)."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from gridgov.accounts.services import user_for_token


class BearerToken(HttpBearer):
    openapi_description = (
        "A token from POST /api/v1/auth/token, sent as `Authorization: Bearer <token>`."
    )

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The logged-in browser; unsafe methods need the CSRF token like any Django form."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [BearerToken(), Session()]
