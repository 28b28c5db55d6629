import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from gridgov.accounts import services, twofactor
from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.models import ApiToken, User
from gridgov.accounts.passwords import expiry_message, password_expired
from gridgov.accounts.permissions import ROLE_ACTIONS, Action
from gridgov.accounts.scope import get_for_user, has_global_scope
from gridgov.input_guard import column

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: Annotated[str, column(User, "username")]
    password: str = Field(..., max_length=4096)
    name: Annotated[str, column(ApiToken, "name")] = ""
    otp: str = Field("", max_length=16)  # the one-time code, for users with two-factor sign-in


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 (the scheme name, not a secret)
    expires_in_days: int


class DepartmentOut(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    scope_codes: list[str]
    global_scope: bool
    actions: list[str]
    department: DepartmentOut | None


@router.post("/auth/token", auth=None, response=TokenOut, summary="Get a bearer token")
def get_token(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a token (90 days). Failed attempts are throttled.
    Users with two-factor sign-in also send the code their app shows now as `otp`."""
    try:
        user = services.login(request, payload.username, payload.password)
    except services.LoginThrottled:
        raise HttpError(429, _("Too many failed logins. Wait a while and try again.")) from None
    if user is None:
        raise HttpError(401, _("Wrong username or password."))
    if password_expired(user):
        raise HttpError(403, expiry_message())
    if refusal := twofactor.token_refusal(user, payload.otp):
        raise HttpError(401, refusal)
    return TokenOut(token=services.issue_token(user, name=payload.name), expires_in_days=90)


@router.get("/me", response=MeOut, summary="The current user")
def me(request: AuthenticatedRequest):
    user = request.user
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        role_label=str(user.get_role_display()),
        scope_codes=user.scope_codes,
        global_scope=has_global_scope(user),
        actions=sorted(ROLE_ACTIONS.get(user.role, ())),
        department=DepartmentOut(code=user.department.code, name=user.department.name)
        if user.department
        else None,
    )


class TokenInfoOut(Schema):
    id: int
    prefix: str = Field(description="The first characters after `ggv_`, to tell tokens apart.")
    name: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


def _token_info(token: ApiToken) -> TokenInfoOut:
    return TokenInfoOut(
        id=token.pk,
        prefix=token.prefix,
        name=token.name,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


@router.get("/auth/tokens", response=list[TokenInfoOut], summary="My tokens")
def my_tokens(request: AuthenticatedRequest):
    return [_token_info(t) for t in services.tokens_of(request.user, actor=request.user)]


@router.get(
    "/users/{user_id}/tokens", response=list[TokenInfoOut], summary="A user's tokens (managers)"
)
def user_tokens(request: AuthenticatedRequest, user_id: int):
    """The tokens of a user within your scope, for a user manager; 404 otherwise."""
    owner = get_for_user(User.objects.all(), request.user, Action.MANAGE_USERS, pk=user_id)
    return [_token_info(t) for t in services.tokens_of(owner, actor=request.user)]


@router.post(
    "/auth/tokens/{token_id}/revoke", response=TokenInfoOut, summary="Revoke a token at once"
)
def revoke_token(request: AuthenticatedRequest, token_id: int):
    """Revoke one of your tokens, or (for a user manager) one of a user within your scope."""
    return _token_info(services.revoke_token(token_id, actor=request.user))
