UNSCOPED = {
    "": "redirects to the console",
    "accounts/login/": "the login page",
    "accounts/logout/": "logs the caller out",
    "i18n/setlang/": "sets the caller's language",
    "api/v1/": "the API index",
    "api/v1/auth/token": "exchanges the caller's own password for a token",
    "api/v1/docs": "the API documentation page",
    "api/v1/openapi.json": "the API schema",
    "api/v1/me": "the caller's own account",
}
