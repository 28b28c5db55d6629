"""Template context every page needs: map settings and the navigation the user may use."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.accounts.services import DEPARTMENT_ACTIONS

# (key, label, url name, action needed: one, a tuple of which any will do, or None). Parts add
# their pages here; the keys in MORE_MENU (settings and administration, used less often) go
# under the "More" menu.
NAVIGATION = [
    ("console", _("Console"), "areas:console", None),
    ("cases", _("Cases"), "cases:queue", None),
    ("case_map", _("Case map"), "cases:map", None),
    ("report", _("Report"), "cases:report", Action.REPORT),
    ("registry", _("Basic data"), "registry:people", None),
    ("assessment", _("Assessment"), "assessment:overview", None),
    ("cockpit", _("Cockpit"), "dashboard:cockpit", None),
    ("sms", _("SMS platform"), "notify:sms", Action.CHANGE),
    ("warnings", _("Warnings"), "warnings:list", None),
    ("office", _("Office"), "office:notices", None),
    ("patrol", _("Field work"), "patrol:work_tasks", None),
    ("lines", _("Business lines"), "lines:disputes", None),
    ("portal", _("Public reports"), "portal:moderation", Action.MODERATE_PORTAL),
    ("areas", _("Area management"), "areas:import", Action.MANAGE_AREAS),
    ("users", _("Users"), "accounts:user_list", Action.MANAGE_USERS),
    ("audit", _("Audit logs"), "audit:changes", Action.READ_AUDIT),
    ("case_settings", _("Case settings"), "cases:settings_categories", Action.MANAGE_SETTINGS),
    ("calendar", _("Working calendar"), "cases:calendar", Action.MANAGE_SETTINGS),
    ("departments", _("Departments"), "accounts:department_list", DEPARTMENT_ACTIONS),
    ("exchange", _("Client systems"), "exchange:clients", Action.MANAGE_CLIENTS),
    ("classify", _("Category suggestions"), "exchange:classify", Action.MANAGE_SETTINGS),
    ("catalogue", _("Data catalogue"), "exchange:catalogue", Action.MANAGE_CLIENTS),
]
MORE_MENU = {
    "areas",
    "users",
    "audit",
    "case_settings",
    "calendar",
    "departments",
    "exchange",
    "classify",
    "catalogue",
}

# The pages of a section with several lists, shown as tabs under the header of each of its pages
# (keyed by the page's `nav`): (label, url name, action needed as in NAVIGATION).
SECTION_TABS = {
    "patrol": [
        (_("Tasks"), "patrol:work_tasks", None),
        (_("Diary"), "patrol:work_diary", None),
        (_("Patrol tracks"), "patrol:tracks", None),
        (_("Members on duty"), "patrol:live", Action.VIEW_TRACKS),
        (_("Conflicts from the phone"), "mobile:desk_conflicts", Action.CHANGE),
    ],
    "lines": [
        (_("Disputes"), "lines:disputes", None),
        (_("Screenings"), "lines:screenings", None),
        (_("Hazards"), "lines:hazards", None),
        (_("Inspection plans"), "lines:inspection_plans", Action.MANAGE_SETTINGS),
        (_("Special populations"), "lines:populations", Action.VIEW_SPECIAL_POPULATION),
        (_("Ledger warnings"), "lines:ledger_warnings", Action.VIEW_SPECIAL_POPULATION),
        (_("Rentals"), "lines:rentals", None),
        (_("Foreigners"), "lines:foreigners", Action.VIEW_FOREIGN_AFFAIRS),
    ],
}


def _allowed(user, action) -> bool:
    if action is None:
        return True
    return any(user_may(user, a) for a in (action if isinstance(action, tuple) else (action,)))


def section_tabs(request: HttpRequest, nav: str) -> list[dict]:
    """The tabs of section `nav` the user may open, the current page's marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or nav not in SECTION_TABS:
        return []
    here = request.path
    return [
        {"label": label, "url": url, "current": here == url}
        for label, name, action in SECTION_TABS[nav]
        if _allowed(user, action)
        for url in [reverse(name)]
    ]


class Rights:
    """What the user's role allows, for templates: `{% if may.export %}` shows an export button
    only to those who may export (the services check again; hiding is for clarity)."""

    def __init__(self, user):
        self.user = user

    def __getattr__(self, action: str) -> bool:
        if action not in Action.values:
            raise AttributeError(action)
        return user_may(self.user, action)


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
            if _allowed(user, action)
        ]
    more = [item for item in nav if item["key"] in MORE_MENU]
    return {
        "navigation": [item for item in nav if item["key"] not in MORE_MENU],
        "navigation_more": more,
        "navigation_more_keys": [item["key"] for item in more],
        "calendar_missing_year": missing_year,
        "may_manage_settings": user is not None and user_may(user, Action.MANAGE_SETTINGS),
        "may": Rights(user),
        "map_settings": {
            "tileUrl": settings.GRIDGOV_TILE_URL,
            "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "tileSubdomains": settings.GRIDGOV_TILE_SUBDOMAINS,
            "labelTileUrl": settings.GRIDGOV_LABEL_TILE_URL,
        },
    }
