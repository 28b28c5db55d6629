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
}

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
        "accounts/users/<int:user_id>/",
        lambda w: f"/accounts/users/{w.users['op_b'].pk}/",
        "POST",
        lambda w: {"full_name": "x", "role": "grid_member", "scope": "410105001"},
        multipart=True,
    ),
]
