"""Who calls the API: a bearer token (machines) or the browser session (with CSRF).

A call with neither answers 401 before anything else is looked at: the CSRF check belongs to a
signed-in session only, and the body is read only after the caller is known."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from gridgov.accounts.models import User
from gridgov.accounts.services import user_for_token


class AuthenticatedRequest(HttpRequest):
    """The request an endpoint behind API_AUTH receives: its `user` is a signed-in, active User
    (never AnonymousUser), so it can be handed to a service as the acting user."""

    user: User


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

    def _get_key(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # no session: 401, not a CSRF complaint
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [BearerToken(), Session()]
