from gridgov.tests.scope import Case


def _b_user(world) -> list[str]:
    return [f"/accounts/users/{world.users['op_b'].pk}/"]


UNSCOPED = {
    "": "redirects to the home page of the role",
    "accounts/login/": "the login page",
    "accounts/logout/": "logs the caller out",
    "i18n/setlang/": "sets the caller's language",
    "api/v1/": "the API index",
    "api/v1/auth/token": "exchanges the caller's own password for a token",
    "api/v1/docs": "the API documentation page",
    "api/v1/openapi.json": "the API schema",
    "api/v1/me": "the caller's own account",
    "accounts/account/": "the caller's own password and tokens",
    "api/v1/auth/tokens": "the caller's own tokens",
    "accounts/2fa/": "the caller's own second factor",
    "accounts/2fa/verify/": "the caller's own one-time code",
    "accounts/2fa/recovery-codes/": "the caller's own recovery codes",
}


def setup(world) -> None:
    from gridgov.accounts.services import issue_token

    issue_token(world.users["op_b"], name="b-token")
    world.objects["token_b"] = world.users["op_b"].api_tokens.get()


def _token_b(world) -> list[str]:
    return ["b-token"]


CASES = [
    Case("accounts/users/", lambda w: "/accounts/users/", expect=200, absent=_b_user),
    Case("accounts/users/", lambda w: "/accounts/users/?q=op_b", expect=200, absent=_b_user),
    Case(
        "accounts/users/new/",
        lambda w: "/accounts/users/new/",
        expect=200,
        absent=lambda w: ["乙街道执法中队"],  # street B's department is no choice for A
    ),
    Case(
        "accounts/users/new/",
        lambda w: "/accounts/users/new/",
        "POST",
        lambda w: {
            "username": "intruder",
            "full_name": "x",
            "role": "grid_member",
            "scope": "410105002",
            "password": "Long-enough-9",
        },
        expect=200,
        multipart=True,
        live_expect=302,
    ),
    Case("accounts/users/<int:user_id>/", lambda w: f"/accounts/users/{w.users['op_b'].pk}/"),
    Case(
        "accounts/tokens/<int:token_id>/revoke/",
        lambda w: f"/accounts/tokens/{w.objects['token_b'].pk}/revoke/",
        "POST",
        multipart=True,
    ),
    Case(
        "api/v1/auth/tokens/<token_id>/revoke",
        lambda w: f"/api/v1/auth/tokens/{w.objects['token_b'].pk}/revoke",
        "POST",
    ),
    Case(
        "api/v1/users/<user_id>/tokens",
        lambda w: f"/api/v1/users/{w.users['op_b'].pk}/tokens",
        absent=_token_b,
    ),
    Case(
        "accounts/users/<int:user_id>/",
        lambda w: f"/accounts/users/{w.users['op_b'].pk}/",
        "POST",
        lambda w: {"full_name": "x", "role": "grid_member", "scope": "410105001"},
        multipart=True,
    ),
    Case(
        "accounts/users/<int:user_id>/2fa-reset/",
        lambda w: f"/accounts/users/{w.users['op_b'].pk}/2fa-reset/",
        "POST",
        lambda w: {},
        multipart=True,
    ),
]
