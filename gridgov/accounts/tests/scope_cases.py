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


DEPARTMENT_B = "花园路街道城管科"


def setup(world) -> None:
    from gridgov.accounts.services import create_department, issue_token
    from gridgov.areas.models import Area

    issue_token(world.users["op_b"], name="b-token")
    world.objects["token_b"] = world.users["op_b"].api_tokens.get()
    world.objects["department_b"] = create_department(
        actor=world.users["op_b"],
        code="410105002-CG",
        name=DEPARTMENT_B,
        level="street",
        area=Area.objects.get(code="410105002"),
        line="城市管理",
    )


def _department_form(world, area_code: str) -> dict:
    from gridgov.areas.models import Area

    return {
        "code": "410105002-XX",
        "name": "越界部门",
        "level": "street",
        "area": Area.objects.get(code=area_code).pk,
        "line": "",
        "phone": "",
        "active": "on",
    }


def _token_b(world) -> list[str]:
    return ["b-token"]


CASES = [
    Case(
        "accounts/departments/",
        lambda w: "/accounts/departments/",
        expect=200,
        absent=lambda w: [DEPARTMENT_B],
    ),
    Case(
        "accounts/departments/",
        lambda w: "/accounts/departments/",
        data=lambda w: {"q": "城管"},
        expect=200,
        absent=lambda w: [DEPARTMENT_B],
    ),
    Case(
        "accounts/departments/new/",
        lambda w: "/accounts/departments/new/",
        expect=200,
        absent=lambda w: ["花园路街道 (410105002)"],  # street B is no choice of area for A
    ),
    Case(
        "accounts/departments/new/",
        lambda w: "/accounts/departments/new/",
        "POST",
        lambda w: _department_form(w, "410105002"),
        expect=200,
        multipart=True,
        live_expect=302,
    ),
    Case(
        "accounts/departments/<int:department_id>/",
        lambda w: f"/accounts/departments/{w.objects['department_b'].pk}/",
        absent=lambda w: [DEPARTMENT_B],
    ),
    Case(
        "accounts/departments/<int:department_id>/",
        lambda w: f"/accounts/departments/{w.objects['department_b'].pk}/",
        "POST",
        lambda w: {**_department_form(w, "410105002"), "code": "410105002-CG"},
        multipart=True,
        live_expect=302,
    ),
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
