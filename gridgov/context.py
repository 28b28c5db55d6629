"""Template context every page needs: map settings and the navigation the user may use."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may

# (key, label, url name, action needed or None). Parts add their pages here.
NAVIGATION = [
    ("console", _("Console"), "areas:console", None),
    ("cases", _("Cases"), "cases:queue", None),
    ("case_map", _("Case map"), "cases:map", None),
    ("report", _("Report"), "cases:report", Action.REPORT),
    ("registry", _("Basic data"), "registry:people", None),
    ("assessment", _("Assessment"), "assessment:overview", None),
    ("cockpit", _("Cockpit"), "dashboard:cockpit", None),
    ("areas", _("Area management"), "areas:import", Action.MANAGE_AREAS),
    ("users", _("Users"), "accounts:user_list", Action.MANAGE_USERS),
    ("audit", _("Audit logs"), "audit:changes", Action.READ_AUDIT),
    ("case_settings", _("Case settings"), "cases:settings_categories", Action.MANAGE_SETTINGS),
    ("calendar", _("Working calendar"), "cases:calendar", Action.MANAGE_SETTINGS),
]


def platform(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    nav = []
    missing_year = None
    if user is not None and user.is_authenticated:
        from gridgov.cases.workdays import missing_year_to_warn

        missing_year = missing_year_to_warn()
        nav = [
            {"key": key, "label": label, "url": reverse(name)}
            for key, label, name, action in NAVIGATION
            if action is None or user_may(user, action)
        ]
    return {
        "navigation": nav,
        "calendar_missing_year": missing_year,
        "may_manage_settings": user is not None and user_may(user, Action.MANAGE_SETTINGS),
        "map_settings": {
            "tileUrl": settings.GRIDGOV_TILE_URL,
            "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "tileSubdomains": settings.GRIDGOV_TILE_SUBDOMAINS,
            "labelTileUrl": settings.GRIDGOV_LABEL_TILE_URL,
        },
    }
