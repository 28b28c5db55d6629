from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from gridgov.accounts import services
from gridgov.accounts.models import ApiToken, User
from gridgov.accounts.permissions import ROLE_ACTIONS
from gridgov.accounts.scope import has_global_scope
from gridgov.input_guard import column

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: Annotated[str, column(User, "username")]
    password: str = Field(..., max_length=4096)
    name: Annotated[str, column(ApiToken, "name")] = ""


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
    """Exchange a username and password for a token (90 days). Failed attempts are throttled."""
    try:
        user = services.login(request, payload.username, payload.password)
    except services.LoginThrottled:
        raise HttpError(429, _("Too many failed logins. Wait a while and try again.")) from None
    if user is None:
        raise HttpError(401, _("Wrong username or password."))
    return TokenOut(token=services.issue_token(user, name=payload.name), expires_in_days=90)


@router.get("/me", response=MeOut, summary="The current user")
def me(request: HttpRequest):
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
